import { describe, expect, it } from 'vitest';
import type { EventPattern, JsonValue } from '../../compiler/index.js';
import { compileEventPattern, EventPatternError, matchEventPattern } from '../../lib/events/index.js';

/**
 * EventBridge's pattern matching, modelled in lib/events: the cases follow AWS's pages "Content filtering in
 * Amazon EventBridge event patterns", "Matching null values and empty strings", "Arrays in event patterns" and
 * the behaviour of aws/event-ruler, the matcher those pages describe.
 */

type Event = { readonly [key: string]: JsonValue };

/** AWS's documented example event of the content-filtering pages (event-ruler README). */
const EC2_EVENT: Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

const detail = (fields: Event): Event => ({ source: 'test', 'detail-type': 'test', detail: fields });

interface Case {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly event: Event;
  readonly matches: boolean;
}

const CASES: readonly Case[] = [
  // Exact values, arrays as "any of", and the event's arrays.
  { name: 'exact string', pattern: { source: ['aws.ec2'] }, event: EC2_EVENT, matches: true },
  { name: 'any of the listed values', pattern: { detail: { state: ['initializing', 'running'] } }, event: EC2_EVENT, matches: true },
  { name: 'none of the listed values', pattern: { detail: { state: ['stopped', 'pending'] } }, event: EC2_EVENT, matches: false },
  { name: 'case-sensitive', pattern: { detail: { state: ['Running'] } }, event: EC2_EVENT, matches: false },
  {
    name: 'an array in the event matches when one element does',
    pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000', 'x'] },
    event: EC2_EVENT,
    matches: true,
  },
  { name: 'every field must match', pattern: { source: ['aws.ec2'], detail: { state: ['stopped'] } }, event: EC2_EVENT, matches: false },
  { name: 'a field the event lacks', pattern: { detail: { missing: ['x'] } }, event: EC2_EVENT, matches: false },
  { name: 'numbers are equal by value', pattern: { detail: { 'x-limit': [3.018e2] } }, event: EC2_EVENT, matches: true },
  { name: 'a number does not equal its string', pattern: { detail: { 'c-count': ['5'] } }, event: EC2_EVENT, matches: false },
  { name: 'true is not 1', pattern: { detail: { flag: [1] } }, event: detail({ flag: true }), matches: false },
  { name: 'boolean', pattern: { detail: { flag: [true] } }, event: detail({ flag: true }), matches: true },
  { name: 'null matches null', pattern: { detail: { responseElements: [null] } }, event: detail({ responseElements: null }), matches: true },
  { name: 'empty string does not match null', pattern: { detail: { responseElements: [''] } }, event: detail({ responseElements: null }), matches: false },
  { name: 'empty string', pattern: { detail: { eventVersion: [''] } }, event: detail({ eventVersion: '' }), matches: true },
  { name: 'null does not match an empty list', pattern: { resources: [null] }, event: { resources: [] }, matches: false },
  { name: 'a value that is an object is not a value', pattern: { detail: ['x'] }, event: detail({ a: 'x' }), matches: false },
  // Prefix, suffix, equals-ignore-case, wildcard.
  { name: 'prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, event: EC2_EVENT, matches: true },
  { name: 'empty prefix matches any string', pattern: { source: [{ prefix: '' }] }, event: EC2_EVENT, matches: true },
  { name: 'prefix does not match a number', pattern: { detail: { 'c-count': [{ prefix: '5' }] } }, event: EC2_EVENT, matches: false },
  { name: 'prefix ignoring case', pattern: { source: [{ prefix: { 'equals-ignore-case': 'AWS.E' } }] }, event: EC2_EVENT, matches: true },
  { name: 'suffix', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: detail({ FileName: 'a/b.png' }), matches: true },
  { name: 'suffix, another ending', pattern: { detail: { FileName: [{ suffix: '.png' }] } }, event: detail({ FileName: 'a/b.PNG' }), matches: false },
  {
    name: 'suffix ignoring case',
    pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: detail({ FileName: 'a/b.PNG' }),
    matches: true,
  },
  { name: 'equals-ignore-case', pattern: { detail: { name: [{ 'equals-ignore-case': 'alice' }] } }, event: detail({ name: 'ALICE' }), matches: true },
  { name: 'wildcard', pattern: { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } }, event: detail({ FilePath: 'dir/a/b.png' }), matches: true },
  {
    name: 'wildcard, * matches nothing too',
    pattern: { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } },
    event: detail({ FilePath: 'dir/.png' }),
    matches: true,
  },
  {
    name: 'wildcard anchored at both ends',
    pattern: { detail: { FilePath: [{ wildcard: 'dir/*.png' }] } },
    event: detail({ FilePath: 'x/dir/a.png' }),
    matches: false,
  },
  { name: 'wildcard: \\* is a literal star', pattern: { detail: { v: [{ wildcard: 'a\\*b' }] } }, event: detail({ v: 'a*b' }), matches: true },
  { name: 'wildcard: \\* is not a wildcard', pattern: { detail: { v: [{ wildcard: 'a\\*b' }] } }, event: detail({ v: 'axxb' }), matches: false },
  { name: 'wildcard: \\\\ is a backslash', pattern: { detail: { v: [{ wildcard: 'a\\\\*' }] } }, event: detail({ v: 'a\\tail' }), matches: true },
  { name: 'wildcard: regex characters are literal', pattern: { detail: { v: [{ wildcard: 'a.(b)*' }] } }, event: detail({ v: 'axbc' }), matches: false },
  // anything-but in its forms.
  { name: 'anything-but a string', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: EC2_EVENT, matches: true },
  { name: 'anything-but that string', pattern: { detail: { state: [{ 'anything-but': 'running' }] } }, event: EC2_EVENT, matches: false },
  { name: 'anything-but a list', pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, event: EC2_EVENT, matches: false },
  { name: 'anything-but numbers', pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, event: EC2_EVENT, matches: true },
  { name: 'anything-but a number, equal by value', pattern: { detail: { 'c-count': [{ 'anything-but': 5.0 }] } }, event: EC2_EVENT, matches: false },
  { name: 'anything-but passes null', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: detail({ state: null }), matches: true },
  { name: 'anything-but a string passes a number', pattern: { detail: { v: [{ 'anything-but': '5' }] } }, event: detail({ v: 5 }), matches: true },
  { name: 'anything-but needs the field', pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } }, event: detail({}), matches: false },
  {
    name: 'anything-but: one element of an event array outside the list',
    pattern: { detail: { v: [{ 'anything-but': ['a'] }] } },
    event: detail({ v: ['a', 'b'] }),
    matches: true,
  },
  { name: 'anything-but prefix', pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event: EC2_EVENT, matches: true },
  {
    name: 'anything-but prefix, excluded',
    pattern: { detail: { state: [{ 'anything-but': { prefix: ['init', 'run'] } }] } },
    event: EC2_EVENT,
    matches: false,
  },
  { name: 'anything-but prefix passes a number', pattern: { detail: { 'c-count': [{ 'anything-but': { prefix: '5' } }] } }, event: EC2_EVENT, matches: true },
  {
    name: 'anything-but suffix',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } },
    event: detail({ FileName: 'a.txt' }),
    matches: true,
  },
  {
    name: 'anything-but suffix, excluded',
    pattern: { detail: { FileName: [{ 'anything-but': { suffix: ['.png', '.txt'] } }] } },
    event: detail({ FileName: 'a.txt' }),
    matches: false,
  },
  {
    name: 'anything-but ignoring case',
    pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } },
    event: EC2_EVENT,
    matches: false,
  },
  {
    name: 'anything-but wildcard',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: detail({ FilePath: 'a/bin/b' }),
    matches: true,
  },
  {
    name: 'anything-but wildcard, excluded',
    pattern: { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: detail({ FilePath: 'a/lib/b' }),
    matches: false,
  },
  // Numeric ranges.
  { name: 'numeric range', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event: EC2_EVENT, matches: true },
  { name: 'numeric range, open top', pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, event: EC2_EVENT, matches: false },
  { name: 'numeric less than', pattern: { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, event: EC2_EVENT, matches: true },
  { name: 'numeric equals', pattern: { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, event: EC2_EVENT, matches: true },
  { name: 'numeric does not match a numeric string', pattern: { detail: { v: [{ numeric: ['>=', 1] }] } }, event: detail({ v: '5' }), matches: false },
  { name: 'numeric does not match null', pattern: { detail: { v: [{ numeric: ['>=', 1] }] } }, event: detail({ v: null }), matches: false },
  // exists: leaves only.
  { name: 'exists true', pattern: { detail: { 'c-count': [{ exists: true }] } }, event: EC2_EVENT, matches: true },
  { name: 'exists true, absent', pattern: { detail: { 'e-count': [{ exists: true }] } }, event: EC2_EVENT, matches: false },
  { name: 'exists false, absent', pattern: { detail: { 'e-count': [{ exists: false }] } }, event: EC2_EVENT, matches: true },
  { name: 'exists false, present', pattern: { detail: { 'c-count': [{ exists: false }] } }, event: EC2_EVENT, matches: false },
  { name: 'exists true matches a null value (the field is there)', pattern: { detail: { v: [{ exists: true }] } }, event: detail({ v: null }), matches: true },
  {
    name: 'exists false: an object is not a leaf',
    pattern: { detail: { 'c-count': [{ exists: false }] } },
    event: detail({ 'c-count': { c1: 100 } }),
    matches: true,
  },
  {
    name: 'exists true: an object is not a leaf',
    pattern: { detail: { 'c-count': [{ exists: true }] } },
    event: detail({ 'c-count': { c1: 100 } }),
    matches: false,
  },
  { name: 'exists true: an empty list has no value', pattern: { resources: [{ exists: true }] }, event: { resources: [] }, matches: false },
  { name: 'exists false or another filter', pattern: { detail: { v: [{ 'anything-but': ['roses'] }, { exists: false }] } }, event: detail({}), matches: true },
  // cidr, and IP addresses.
  { name: 'cidr', pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event: EC2_EVENT, matches: true },
  { name: 'cidr outside', pattern: { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, event: EC2_EVENT, matches: false },
  { name: 'cidr IPv6', pattern: { detail: { ip: [{ cidr: '2001:db8::/32' }] } }, event: detail({ ip: '2001:DB8:0:0:1::2' }), matches: true },
  { name: 'cidr IPv4 does not match IPv6', pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, event: detail({ ip: '2001:db8::1' }), matches: false },
  { name: 'cidr does not match a non-address', pattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, event: detail({ ip: 'ten' }), matches: false },
  // $or.
  { name: '$or', pattern: { source: ['aws.ec2'], $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [5] } }] }, event: EC2_EVENT, matches: true },
  { name: '$or, none', pattern: { $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [6] } }] }, event: EC2_EVENT, matches: false },
  { name: '$or nested in an object', pattern: { detail: { $or: [{ state: ['x'] }, { 'instance-id': [{ prefix: 'i-' }] }] } }, event: EC2_EVENT, matches: true },
  // Arrays of objects: one element must carry every value the match uses.
  {
    name: 'a field inside an array of objects',
    pattern: { detail: { employees: { firstName: ['Anna'] } } },
    event: detail({ employees: [{ firstName: 'John' }, { firstName: 'Anna' }] }),
    matches: true,
  },
  {
    name: 'two fields from one element',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
    event: detail({
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    }),
    matches: true,
  },
  {
    name: 'two fields from different elements do not match together',
    pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
    event: detail({
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    }),
    matches: false,
  },
  {
    name: 'arrays of arrays',
    pattern: { detail: { employees: { firstName: ['Peter'] } } },
    event: detail({ employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] }),
    matches: true,
  },
  // Dots: EventBridge names fields by their path joined with dots.
  {
    name: 'a key with a dot is the path it spells',
    pattern: { detail: { state: { status: ['running'] } } },
    event: detail({ 'state.status': 'running' }),
    matches: true,
  },
];

describe('matchEventPattern', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.matches ? 'matches' : 'does not match'}`, () => {
      expect(matchEventPattern(c.pattern, c.event).matched).toBe(c.matches);
    });
  }

  it('says which field failed first and what the event has there', () => {
    const pattern = { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: [{ suffix: '.csv' }] } } };
    const result = matchEventPattern(pattern, { source: 'aws.s3', 'detail-type': 'Object Created', detail: { object: { key: 'raw/a.txt' } } });
    expect(result).toEqual({ matched: false, path: 'detail.object.key', reason: 'is "raw/a.txt"; the pattern wants suffix ".csv"', satisfied: 2, total: 3 });
  });

  it('names an absent field, and a field that is an object rather than a value', () => {
    const absent = matchEventPattern({ detail: { bucket: { name: ['b'] } } }, { detail: {} });
    expect(absent).toMatchObject({ matched: false, path: 'detail.bucket.name', reason: 'is absent; the pattern wants "b"' });
    const object = matchEventPattern({ detail: { bucket: ['b'] } }, { detail: { bucket: { name: 'b' } } });
    expect(object).toMatchObject({ matched: false, path: 'detail.bucket', reason: 'is an object, not a value; the pattern wants "b"' });
  });

  it('reports the $or alternative that came closest', () => {
    const pattern: EventPattern = { $or: [{ a: ['1'], b: ['2'] }, { c: ['3'] }] };
    expect(matchEventPattern(pattern, { a: '1', b: 'x' })).toMatchObject({ matched: false, path: 'b', satisfied: 1, total: 2 });
  });

  it('says when the values that match sit in different elements of one array', () => {
    const result = matchEventPattern(
      { e: { first: ['Anna'], last: ['Jones'] } },
      {
        e: [
          { first: 'Anna', last: 'Smith' },
          { first: 'Peter', last: 'Jones' },
        ],
      },
    );
    expect(result).toMatchObject({ matched: false, satisfied: 2, total: 2 });
    if (!result.matched) expect(result.reason).toContain('different elements of one array');
  });
});

describe('compileEventPattern refuses what PutRule refuses', () => {
  const invalid: readonly [string, unknown][] = [
    ['a value that is not a list or object', { source: 'aws.s3' }],
    ['an empty list', { source: [] }],
    ['an empty object', { detail: {} }],
    ['a list inside a list', { source: [['a']] }],
    ['an unknown operator', { source: [{ regex: 'a.*' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['prefix of a number', { source: [{ prefix: 5 }] }],
    ['consecutive wildcards', { source: [{ wildcard: 'a**b' }] }],
    ['a backslash escaping another character', { source: [{ wildcard: 'a\\b' }] }],
    ['anything-but of mixed types', { source: [{ 'anything-but': ['a', 1] }] }],
    ['anything-but null', { source: [{ 'anything-but': null }] }],
    ['an empty anything-but prefix', { source: [{ 'anything-but': { prefix: '' } }] }],
    ['exists that is not a boolean', { source: [{ exists: 'yes' }] }],
    ['a numeric upper bound first then more', { v: [{ numeric: ['<', 1, '>', 0] }] }],
    ['a numeric range upside down', { v: [{ numeric: ['>', 5, '<', 1] }] }],
    ['a numeric operator in the wrong case', { v: [{ numeric: ['GT', 1] }] }],
    ['a CIDR without a mask', { ip: [{ cidr: '10.0.0.1' }] }],
    ['a CIDR mask of 32', { ip: [{ cidr: '10.0.0.1/32' }] }],
    ['a CIDR with a bad address', { ip: [{ cidr: '10.0.0.256/24' }] }],
    ['$or with one alternative', { $or: [{ a: ['1'] }] }],
    ['a reserved keyword as a field inside $or', { $or: [{ numeric: ['1'] }, { b: ['2'] }] }],
  ];
  for (const [name, pattern] of invalid) {
    it(name, () => {
      expect(() => compileEventPattern(pattern as EventPattern)).toThrow(EventPatternError);
    });
  }

  it('names the field in the message and the ASL-style error name', () => {
    try {
      compileEventPattern({ detail: { object: { key: [] } } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventPatternError);
      expect((error as EventPatternError).name).toBe('InvalidEventPatternException');
      expect((error as EventPatternError).message).toBe('detail.object.key: empty arrays are not allowed');
    }
  });
});

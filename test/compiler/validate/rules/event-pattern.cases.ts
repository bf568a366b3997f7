import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];
/** A trigger whose pattern is `detail:` with these lines under it (line 4 on). */
const detail = (...lines: string[]): string => yaml('triggers:', '  - event:', '      detail:', ...lines.map((l) => `        ${l}`), ...TASKS);

/** Bad workflows that compiler/validate/rules/event-pattern.ts reports: patterns EventBridge's PutRule refuses. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a field that is a value, not a list',
    source: yaml('triggers:', '  - event: { source: shop.orders }', ...TASKS),
    expect: [{ code: 'ORK241', line: 2, col: 14, message: "field 'source' must be a list of values or a mapping of fields", hint: 'source: [shop.orders]' }],
  },
  {
    name: 'an empty pattern and an empty nested mapping',
    source: yaml('triggers:', '  - event: {}', '  - event: { detail: {} }', ...TASKS),
    expect: [
      { code: 'ORK241', line: 2, col: 12, message: 'an empty mapping matches nothing', hint: 'name at least one field' },
      { code: 'ORK241', line: 3, col: 14, message: 'an empty mapping matches nothing' },
    ],
  },
  {
    name: 'an empty list, a list in a list',
    source: detail('state: []', 'ids: [[1, 2]]'),
    expect: [
      { code: 'ORK241', line: 4, col: 9, message: 'an empty list matches nothing', hint: 'remove the field' },
      { code: 'ORK241', line: 5, col: 15, message: 'a list inside a list', hint: 'flatten it' },
    ],
  },
  {
    name: 'an unknown filter, and a filter with two keys',
    source: detail('key: [{ prefx: incoming/ }]', 'name: [{ prefix: a, suffix: b }]'),
    expect: [
      { code: 'ORK241', line: 4, col: 17, message: "unknown filter 'prefx'", hint: "did you mean 'prefix'?" },
      { code: 'ORK241', line: 5, col: 16, message: "a filter has one key, got 'prefix', 'suffix'", hint: 'its own entry' },
    ],
  },
  {
    name: 'filters with the wrong arguments',
    source: detail(
      'a: [{ prefix: 5 }]',
      'b: [{ suffix: { wildcard: x } }]',
      'c: [{ equals-ignore-case: [x] }]',
      'd: [{ exists: "yes" }]',
      'e: [{ cidr: 10.0.0.0/33 }]',
      'f: [{ cidr: not-an-ip }]',
    ),
    expect: [
      { code: 'ORK241', line: 4, col: 15, message: 'prefix: takes text, or {equals-ignore-case: text}' },
      { code: 'ORK241', line: 5, col: 15, message: 'suffix: takes text, or {equals-ignore-case: text}' },
      { code: 'ORK241', line: 6, col: 15, message: 'equals-ignore-case: takes text' },
      { code: 'ORK241', line: 7, col: 15, message: "exists: takes true or false, got 'yes'" },
      { code: 'ORK241', line: 8, col: 15, message: "cidr: takes an IP range such as 10.0.0.0/24, got '10.0.0.0/33'" },
      { code: 'ORK241', line: 9, col: 15, message: 'cidr: takes an IP range' },
    ],
  },
  {
    name: 'wildcards: two * in a row, a \\ that escapes nothing',
    source: detail('a: [{ wildcard: "a**b" }]', 'b: [{ wildcard: "a\\\\b" }]', 'c: [{ anything-but: { wildcard: ["ok*", "x**"] } }]'),
    expect: [
      { code: 'ORK241', line: 4, col: 15, message: "wildcard: consecutive * at position 2 of 'a**b'", hint: 'escape a literal *' },
      { code: 'ORK241', line: 5, col: 15, message: 'wildcard: \\ at position 2' },
      { code: 'ORK241', line: 6, col: 15, message: "anything-but: consecutive * at position 2 of 'x**'" },
    ],
  },
  {
    name: 'numeric: unknown operator, empty range, bad bounds',
    source: detail(
      'a: [{ numeric: ["==", 1] }]',
      'b: [{ numeric: [">", 5, "<", 1] }]',
      'c: [{ numeric: ["<", 5, ">", 1] }]',
      'd: [{ numeric: [">", "5"] }]',
      'e: [{ numeric: 5 }]',
      'f: [{ numeric: [">", 0, "<", 5, "<", 6] }]',
    ),
    expect: [
      { code: 'ORK241', line: 4, col: 15, message: 'numeric: the operator must be one of = < <= > >=', hint: 'numeric: [">", 0, "<=", 5]' },
      { code: 'ORK241', line: 5, col: 15, message: 'numeric: the range is empty: 5 is not below 1' },
      { code: 'ORK241', line: 6, col: 15, message: 'numeric: only > or >= can start a range' },
      { code: 'ORK241', line: 7, col: 15, message: "numeric: > needs a number, got '5'" },
      { code: 'ORK241', line: 8, col: 15, message: 'numeric: takes a list such as [">", 0], got 5' },
      { code: 'ORK241', line: 9, col: 15, message: 'numeric: a range has at most two bounds' },
    ],
  },
  {
    name: 'anything-but: mixed list, empty prefix, unknown inner filter',
    source: detail(
      'a: [{ anything-but: [1, x] }]',
      'b: [{ anything-but: { prefix: "" } }]',
      'c: [{ anything-but: { numeric: [">", 1] } }]',
      'd: [{ anything-but: [] }]',
      'e: [{ anything-but: true }]',
    ),
    expect: [
      { code: 'ORK241', line: 4, col: 15, message: 'anything-but: a list must hold only text or only numbers' },
      { code: 'ORK241', line: 5, col: 15, message: 'anything-but: an empty prefix is not allowed' },
      { code: 'ORK241', line: 6, col: 15, message: "anything-but: can hold one of prefix, suffix, equals-ignore-case or wildcard, got 'numeric'" },
      { code: 'ORK241', line: 7, col: 15, message: 'anything-but: takes at least one value' },
      { code: 'ORK241', line: 8, col: 15, message: 'anything-but: takes text, a number, a list of them' },
    ],
  },
  {
    name: '$or with one branch, with a non-pattern, and with a filter name as a field',
    source: yaml(
      'triggers:',
      '  - event: { $or: [{ source: [a] }] }',
      '  - event: { $or: [{ source: [a] }, [b]] }',
      '  - event: { $or: [{ prefix: [a] }, { source: [b] }] }',
      ...TASKS,
    ),
    expect: [
      { code: 'ORK241', line: 2, col: 14, message: '$or must be a list of at least two patterns' },
      { code: 'ORK241', line: 3, col: 37, message: 'each entry of $or must be a pattern (a mapping), got ["b"]' },
      { code: 'ORK241', line: 4, col: 22, message: "'prefix' is a filter name and cannot be a field inside $or" },
    ],
  },
  {
    name: 'a filter written as a mapping instead of inside the list',
    source: detail('key: { prefix: incoming/ }'),
    expect: [{ code: 'ORK241', line: 4, col: 16, message: "filter 'prefix' must be inside the field's list", hint: 'key: [{prefix: incoming/}]' }],
  },
  {
    name: 'a pattern above 4,096 characters is refused; above 2,048 warned',
    source: yaml(
      'triggers:',
      `  - event: { source: [${Array.from({ length: 520 }, (_, i) => `s${String(i).padStart(5, '0')}`).join(', ')}] }`,
      `  - event: { source: [${Array.from({ length: 250 }, (_, i) => `s${String(i).padStart(5, '0')}`).join(', ')}] }`,
      ...TASKS,
    ),
    expect: [
      { code: 'ORK241', line: 2, col: 5, message: 'the pattern is 4,692 characters as JSON; EventBridge takes at most 4,096' },
      {
        code: 'ORK248',
        line: 3,
        col: 5,
        message: "the pattern is 2,262 characters as JSON, above EventBridge's default quota of 2,048",
        hint: 'Event pattern size',
      },
    ],
  },
  {
    name: 'the documented filters, $or and nesting are fine',
    source: yaml(
      'triggers:',
      '  - event:',
      '      source: [aws.ec2, { prefix: aws. }]',
      '      time: [{ prefix: { equals-ignore-case: "2017-10" } }]',
      '      detail:',
      '        state: [{ anything-but: initializing }, running, null, true, 5]',
      '        region: [{ anything-but: { prefix: us- } }, { anything-but: { suffix: [".png", ".jpg"] } }]',
      '        case: [{ anything-but: { equals-ignore-case: [a, b] } }, { equals-ignore-case: x }]',
      '        path: [{ wildcard: "*/lib/\\\\*.jar" }, { anything-but: { wildcard: "*/bin/*" } }]',
      '        file: [{ suffix: { equals-ignore-case: .PNG } }]',
      '        c-count: [{ numeric: [">", 0, "<=", 5] }, { numeric: ["=", 3.018e2] }]',
      '        ip: [{ cidr: 10.0.0.0/24 }, { cidr: "2001:db8::/32" }]',
      '        gone: [{ exists: false }]',
      '        prefix: { numeric: [1] }',
      '        ids: [{ anything-but: [100, 200] }]',
      '        $or:',
      '          - { a: [1] }',
      '          - { b: [{ numeric: ["<", 10] }], c: [x] }',
      ...TASKS,
    ),
    expect: [],
  },
];

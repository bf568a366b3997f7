import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];
const params = (...lines: string[]): string => yaml('triggers:', '  - event: { source: [shop] }', '    params:', ...lines.map((l) => `      ${l}`), ...TASKS);

/** Bad workflows that compiler/validate/rules/trigger-params.ts reports: JSONPaths InputPathsMap refuses, too many params. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a path that does not start at $',
    source: params('key: detail.object.key', 'id: .detail.id'),
    expect: [
      { code: 'ORK242', line: 4, col: 12, message: "param 'key': 'detail.object.key' is not a JSONPath EventBridge accepts", hint: "'$.detail.object.key'" },
      { code: 'ORK242', line: 5, col: 11, message: "param 'id': '.detail.id'", hint: "'$.detail.id'" },
    ],
  },
  {
    name: 'bracket notation',
    source: params(`key: "$['detail']['object-key']"`),
    expect: [{ code: 'ORK242', line: 4, col: 12, message: "param 'key'", hint: "use dot notation: '$.detail.object-key'" }],
  },
  {
    name: 'characters EventBridge paths do not take, and filters',
    source: params('a: "$.detail.first name"', 'b: "$.detail.items[?(@.id)]"', 'c: "$..id"'),
    expect: [
      { code: 'ORK242', line: 4, col: 10, message: "param 'a'", hint: 'dot notation of letters, digits, _, - and /' },
      { code: 'ORK242', line: 5, col: 10, message: "param 'b'" },
      { code: 'ORK242', line: 6, col: 10, message: "param 'c'" },
    ],
  },
  {
    name: 'a path above 256 characters',
    source: params(`key: $.${'a'.repeat(260)}`),
    expect: [{ code: 'ORK242', line: 4, col: 12, message: "param 'key': is 262 characters; EventBridge takes at most 256" }],
  },
  {
    name: 'a param that is not text',
    source: params('key: 5'),
    expect: [{ code: 'ORK242', line: 4, col: 12, message: "trigger 1: params.key must be a JSONPath into the event, such as '$.detail.object.key' (got 5)" }],
  },
  {
    name: 'params that are not a mapping',
    source: yaml('triggers:', '  - event: { source: [shop] }', '    params: [key]', ...TASKS),
    expect: [{ code: 'ORK242', line: 3, col: 13, message: 'trigger 1: params must be a mapping of param names to JSONPaths', hint: 'params: { key:' }],
  },
  {
    name: 'more than 100 params',
    source: params(...Array.from({ length: 101 }, (_, i) => `p${i}: $.detail.p${i}`)),
    expect: [
      { code: 'ORK247', line: 3, col: 5, message: 'trigger 1 maps 101 params; an EventBridge InputTransformer holds at most 100', hint: 'detail: $.detail' },
    ],
  },
  {
    name: 'params whose template is above 8,192 characters',
    source: params(...Array.from({ length: 40 }, (_, i) => `${'n'.repeat(200)}${i}: $.detail.x`)),
    expect: [{ code: 'ORK247', line: 3, col: 5, message: 'the input template of trigger 1 is 16,460 characters; EventBridge takes at most 8,192' }],
  },
  {
    name: 'dot notation with -, _, /, indices and * is fine',
    source: params('a: $', 'b: $.detail.object.key', 'c: $.detail.items[0].id', 'd: "$.detail.*"', 'e: $.detail.a-b_c/d', 'f: "$.resources[*]"'),
    expect: [],
  },
];

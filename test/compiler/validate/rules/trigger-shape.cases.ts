import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];

/** Bad workflows that compiler/validate/rules/trigger-shape.ts reports: a trigger listens to exactly one source. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a trigger with neither s3: nor event:',
    source: yaml('triggers:', '  - params: { key: "$.detail.object.key" }', ...TASKS),
    expect: [{ code: 'ORK240', line: 2, col: 5, message: 'trigger 1 has neither `s3:` nor `event:`', hint: 'add `s3: {bucket: name}`' }],
  },
  {
    name: 'a trigger with both s3: and event:',
    source: yaml('triggers:', '  - s3: { bucket: landing }', '    event: { source: [shop] }', ...TASKS),
    expect: [{ code: 'ORK240', line: 3, col: 5, message: 'trigger 1 has both `s3:` and `event:`', hint: 'write two triggers' }],
  },
  {
    name: 'bus: on an s3: trigger',
    source: yaml('triggers:', '  - event: { source: [shop] }', '  - s3: { bucket: landing }', '    bus: orders', ...TASKS),
    expect: [{ code: 'ORK240', line: 4, col: 5, message: 'trigger 2: `bus:` is for `event:` triggers', hint: 'default event bus' }],
  },
];

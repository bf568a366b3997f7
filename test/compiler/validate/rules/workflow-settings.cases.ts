import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/workflow-settings.ts reports: the workflow name and its params. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'invalid workflow name',
    source: yaml('name: my etl!', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK220', line: 1, col: 7, message: "workflow name 'my etl!' must be 1–80 letters, digits, - or _", hint: "try 'my-etl-'" }],
  },
  {
    name: 'param key that Step Functions would read as a path',
    source: yaml('params:', '  input.$: x', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK222', line: 2, col: 3, message: "param key 'input.$' must not end in '.$'" }],
  },
  {
    name: "params key named States (the local engine's ASL validator reads it as a map of states)",
    source: yaml('params:', '  limits:', '    States: {max: 3}', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK222', line: 3, col: 5, message: "param key 'States' cannot be embedded in the state machine", hint: "rename it (e.g. 'states')" }],
  },
];

import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const TASKS = ['tasks:', '  a:', '    file: tasks/a.py'];

/** Bad workflows that compiler/validate/rules/required-params.ts reports: a required param (default null) not given. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a trigger that maps no param, one that maps some',
    source: yaml(
      'params: { key: ~, bucket: ~, mode: full }',
      'triggers:',
      '  - event: { source: [shop] }',
      '  - s3: { bucket: landing }',
      '    params: { key: "$.detail.object.key" }',
      '  - s3: { bucket: landing }',
      '    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name" }',
      ...TASKS,
    ),
    expect: [
      {
        code: 'ORK243',
        line: 3,
        col: 5,
        message: "trigger 1 does not map required params 'key', 'bucket' (default null)",
        hint: 'params: { key: "$.detail.key" }',
      },
      {
        code: 'ORK243',
        line: 5,
        col: 5,
        message: "trigger 2 does not map required param 'bucket'",
        hint: 'params: { bucket: "$.detail.bucket.name" }, or give it a default under `params:`',
      },
    ],
  },
  {
    name: 'a misspelt param name',
    source: yaml('params: { bucket: ~ }', 'triggers:', '  - s3: { bucket: landing }', '    params: { buckt: "$.detail.bucket.name" }', ...TASKS),
    expect: [
      {
        code: 'ORK243',
        line: 4,
        col: 5,
        message: "trigger 1 does not map required param 'bucket'",
        hint: "it maps 'buckt', which is not a param: did you mean 'bucket'?",
      },
    ],
  },
  {
    name: 'numbers triggers as written, an invalid entry before included',
    source: yaml('params: { key: ~ }', 'triggers:', '  - ~', '  - event: { source: [shop] }', ...TASKS),
    expect: [
      { code: 'ORK240', line: 3, col: 5, message: 'trigger 1 must be a mapping' },
      { code: 'ORK243', line: 4, col: 5, message: "trigger 2 does not map required param 'key'" },
    ],
  },
  {
    name: 'a schedule without the required params in its input',
    source: yaml('params: { key: ~, day: ~ }', 'schedule:', '  expression: cron(0 6 * * ? *)', '  input: { day: monday }', ...TASKS),
    expect: [{ code: 'ORK244', line: 4, col: 3, message: "the schedule does not give required param 'key' (default null)", hint: 'under schedule.input' }],
  },
  {
    name: 'a schedule given as text, and one whose input sets a required param to null',
    source: yaml('params: { key: ~ }', 'schedule: rate(1 hour)', ...TASKS),
    expect: [
      {
        code: 'ORK244',
        line: 2,
        col: 1,
        message: "the schedule does not give required param 'key'",
        hint: 'schedule: { expression: "rate(1 hour)", input: { key: ... } }',
      },
    ],
  },
  {
    name: 'a schedule whose input sets a required param to null',
    source: yaml('params: { key: ~ }', 'schedule:', '  expression: rate(1 hour)', '  input: { key: ~ }', ...TASKS),
    expect: [{ code: 'ORK244', line: 4, col: 3, message: "required param 'key'" }],
  },
  {
    name: 'scheduled_time is given by every scheduled start; triggers map what is required',
    source: yaml(
      'params: { key: ~, scheduled_time: ~ }',
      'schedule:',
      '  expression: cron(0 6 * * ? *)',
      '  input: { key: daily }',
      'triggers:',
      '  - s3: { bucket: landing }',
      '    params: { key: "$.detail.object.key", scheduled_time: "$.time" }',
      ...TASKS,
    ),
    expect: [],
  },
];

import { type BadWorkflowCase, yaml } from '../../support/bad-workflows.js';

/**
 * Bad workflows that compiler/validate/workflow-schema.ts (reported by zod-diagnostics.ts) reports: what the
 * schema refuses: unknown and misspelled keys, missing keys, values of the wrong type or range.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'misspelled top-level key',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', 'defualts:', '  retries: 2'),
    expect: [{ code: 'ORK201', line: 4, col: 1, message: "unknown key 'defualts' at the top level", hint: "did you mean 'defaults'?" }],
  },
  {
    name: 'misspelled tasks: is an unknown key and a missing tasks',
    source: yaml('name: etl', 'taks:', '  a:', '    file: tasks/a.py'),
    expect: [
      { code: 'ORK201', line: 2, col: 1, message: "unknown key 'taks'", hint: "did you mean 'tasks'?" },
      { code: 'ORK203', line: 1, message: 'workflow has no `tasks:`', hint: 'add a `tasks:` mapping' },
    ],
  },
  {
    name: 'task setting written at the top level',
    source: yaml('executor: container', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK201', line: 1, col: 1, message: "unknown key 'executor'", hint: "'executor' is a task setting" }],
  },
  {
    name: 'misspelled task keys',
    source: yaml(
      'tasks:',
      '  discover:',
      '    file: tasks/discover.py',
      '  process:',
      '    file: tasks/process.py',
      '    depend_on: [discover]',
      '    paralel: 3',
    ),
    expect: [
      { code: 'ORK201', line: 6, col: 5, message: "unknown key 'depend_on' in task 'process'", hint: "did you mean 'depends_on'?" },
      { code: 'ORK201', line: 7, col: 5, message: "unknown key 'paralel' in task 'process'", hint: "did you mean 'parallel'?" },
    ],
  },
  {
    name: 'misspelled key in defaults',
    source: yaml('defaults:', '  retires: 3', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK201', line: 2, col: 3, message: "unknown key 'retires' in defaults", hint: "did you mean 'retries'?" }],
  },
  {
    name: 'misspelled key in schedule',
    source: yaml('schedule:', '  expresion: rate(5 minutes)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [
      { code: 'ORK201', line: 2, col: 3, message: "unknown key 'expresion' in schedule", hint: "did you mean 'expression'?" },
      { code: 'ORK202', line: 1, message: 'schedule needs `expression:`' },
    ],
  },
  {
    name: 'YAML merge key',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    <<: {retries: 2}'),
    expect: [{ code: 'ORK201', line: 4, col: 5, message: "unknown key '<<'", hint: 'merge keys are not supported' }],
  },
  {
    name: 'parallel zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 0'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: "task 'a': parallel must be a positive integer", hint: 'remove `parallel:`' }],
  },
  {
    name: 'parallel negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: -2'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: 'parallel must be a positive integer', hint: null }],
  },
  {
    name: 'parallel fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 2.5'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: '(got 2.5)', hint: 'use a whole number, such as 3' }],
  },
  {
    name: 'parallel quoted number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: "3"'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: "(got '3')", hint: 'write the number without quotes: parallel: 3' }],
  },
  {
    name: 'parallel infinity',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: .inf'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: '(got .inf)', hint: null }],
  },
  {
    name: 'parallel a list',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: [2]'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: 'parallel must be a positive integer or a reference' }],
  },
  {
    name: 'unknown mode',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    mode: distrib'),
    expect: [{ code: 'ORK200', line: 5, col: 11, message: 'mode' }],
  },
  {
    name: 'batch_size zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    batch_size: 0'),
    expect: [{ code: 'ORK200', line: 5, col: 17, message: 'batch_size' }],
  },
  {
    name: 'tolerate_failures above 100%',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    tolerate_failures: 150%'),
    expect: [{ code: 'ORK200', line: 5, col: 24, message: 'tolerate_failures' }],
  },
  {
    name: 'tolerate_failures negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    tolerate_failures: -1'),
    expect: [{ code: 'ORK200', line: 5, col: 24, message: 'tolerate_failures' }],
  },
  {
    name: 'concurrency zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: 0'),
    expect: [
      { code: 'ORK206', line: 5, col: 18, message: "task 'a': concurrency must be a positive integer (got 0)", hint: 'remove `concurrency:` for no limit' },
    ],
  },
  {
    name: 'concurrency negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: -1'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: 'concurrency must be a positive integer (got -1)' }],
  },
  {
    name: 'concurrency fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: 1.5'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: '(got 1.5)', hint: 'use a whole number, such as 2' }],
  },
  {
    name: 'concurrency not a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: lots'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: "(got 'lots')" }],
  },
  {
    name: 'retries negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: -1'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: "task 'a': retries must be a whole number, 0 or more (got -1)", hint: 'use 0 for no retries' }],
  },
  {
    name: 'retries fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: 1.5'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: '(got 1.5)', hint: 'use a whole number, such as 2' }],
  },
  {
    name: 'retries not a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: three'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: "retries must be a whole number, 0 or more (got 'three')" }],
  },
  {
    name: 'retries negative in defaults',
    source: yaml('defaults:', '  retries: -3', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK206', line: 2, col: 12, message: 'defaults: retries must be a whole number, 0 or more (got -3)' }],
  },
  {
    name: 'foreach without a field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discover'),
    expect: [
      {
        code: 'ORK207',
        line: 6,
        col: 14,
        message: "foreach must reference a field of a task's output, as 'task.field' (got 'discover')",
        hint: "'discover.items'",
      },
    ],
  },
  {
    name: 'parallel reference without a field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    parallel: discover'),
    expect: [{ code: 'ORK207', line: 6, col: 15, message: "parallel must reference a field of a task's output", hint: "'discover.count'" }],
  },
  {
    name: 'foreach with an empty field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discover.'),
    expect: [{ code: 'ORK207', line: 6, col: 14, message: "(got 'discover.')" }],
  },
  {
    name: 'unknown executor with an alias hint',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: lambda'),
    expect: [{ code: 'ORK208', line: 4, col: 15, message: "executor must be one of python, node, container (got 'lambda')", hint: "use 'executor: python'" }],
  },
  {
    name: 'misspelled executor',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: contianer'),
    expect: [{ code: 'ORK208', line: 4, col: 15, message: "(got 'contianer')", hint: "did you mean 'container'?" }],
  },
  {
    name: 'unknown executor in defaults',
    source: yaml('defaults:', '  executor: docker', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [
      {
        code: 'ORK208',
        line: 2,
        col: 13,
        message: "defaults: executor must be one of python, node, container (got 'docker')",
        hint: "use 'executor: container'",
      },
    ],
  },
  {
    name: 'task without file',
    source: yaml('tasks:', '  a:', '    executor: python'),
    expect: [{ code: 'ORK202', line: 2, col: 3, message: "task 'a' needs `file:`", hint: 'file: tasks/a.py' }],
  },
  {
    name: 'empty file path',
    source: yaml('tasks:', '  a:', '    file: ""'),
    expect: [{ code: 'ORK200', line: 3, col: 11, message: "task 'a': file must be a path relative to the workflow directory" }],
  },
  {
    name: 'task that is not a mapping',
    source: yaml('tasks:', '  a: tasks/a.py'),
    expect: [{ code: 'ORK200', line: 2, col: 6, message: "task 'a' must be a mapping of settings, got 'tasks/a.py'", hint: 'file: tasks/process.py' }],
  },
  {
    name: 'tasks: null',
    source: yaml('name: etl', 'tasks:'),
    expect: [{ code: 'ORK203', line: 2, col: 1, message: '`tasks:` is empty', hint: 'add at least one task' }],
  },
  {
    name: 'no tasks key',
    source: yaml('name: etl', 'description: nothing to do'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: 'workflow has no `tasks:`' }],
  },
  {
    name: 'tasks as a list',
    source: yaml('tasks: [a, b]'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: '`tasks:` must be a mapping of task names to tasks, got ["a","b"]', hint: 'not as a list item' }],
  },
  {
    name: 'tasks as a block list',
    source: yaml('tasks:', '  - a:', '      file: tasks/a.py'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: '`tasks:` must be a mapping of task names to tasks' }],
  },
  {
    name: 'zero duration',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    timeout: 0s'),
    expect: [
      {
        code: 'ORK209',
        line: 4,
        col: 14,
        message: "timeout must be a duration such as 30s, 15m, 2h, 1h30m or a whole number of seconds (got '0s')",
        hint: 'longer than zero',
      },
    ],
  },
  {
    name: 'not a duration',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retry_delay: 5 minutes'),
    expect: [
      {
        code: 'ORK209',
        line: 4,
        col: 18,
        message: "retry_delay must be a duration such as 30s, 15m, 2h, 1h30m or a whole number of seconds (got '5 minutes')",
      },
    ],
  },
  {
    name: 'depends_on a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: 5'),
    expect: [
      {
        code: 'ORK200',
        line: 4,
        col: 17,
        message: "task 'a': depends_on must be a task name, or a list of task names and `{task: name, if: always}` entries (got 5)",
      },
    ],
  },
  {
    name: 'misspelled keys of a trigger and of its s3:, and an s3: setting outside s3:',
    source: yaml(
      'triggers:',
      '  - s3: { bucket: landing, prefx: incoming/ }',
      '    parms: { key: "$.detail.object.key" }',
      '  - event: { source: [shop] }',
      '    suffix: .csv',
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
    ),
    expect: [
      { code: 'ORK201', line: 2, col: 28, message: "unknown key 'prefx' in the s3: of trigger 1", hint: "did you mean 'prefix'?" },
      { code: 'ORK201', line: 3, col: 5, message: "unknown key 'parms' in trigger 1", hint: "did you mean 'params'?" },
      { code: 'ORK201', line: 5, col: 5, message: "unknown key 'suffix' in trigger 2", hint: "'suffix' belongs under `s3:`" },
    ],
  },
  {
    name: 'an s3: that is a bucket name',
    source: yaml('triggers:', '  - s3: landing', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK245', line: 2, col: 9, message: 'trigger 1: s3 must be a mapping with `bucket:`', hint: 's3: { bucket: landing }' }],
  },
  {
    name: 'triggers that are not a list',
    source: yaml('triggers: { s3: { bucket: landing } }', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK240', line: 1, col: 11, message: 'workflow: triggers must be a list of triggers' }],
  },
  {
    name: 'an s3: without bucket, a bus and an event of the wrong type',
    source: yaml('triggers:', '  - s3: { prefix: incoming/ }', '  - event: [shop]', '    bus: 5', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [
      { code: 'ORK202', line: 2, col: 5, message: 'the s3: of trigger 1 needs `bucket:`' },
      { code: 'ORK241', line: 3, col: 12, message: 'trigger 2: event must be an EventBridge event pattern' },
      { code: 'ORK246', line: 4, col: 10, message: 'trigger 2: bus must be an event bus name or ARN (got 5)' },
    ],
  },
];

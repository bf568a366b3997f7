import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/**
 * Bad workflows that compiler/validate/rules/task-names.ts reports: task names that cannot deploy: invalid,
 * reserved, too long, or one construct id for two tasks.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'task name with a dash',
    source: yaml('tasks:', '  my-task:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name 'my-task'", hint: "try 'my_task'" }],
  },
  {
    name: 'task name starting with a digit',
    source: yaml('tasks:', '  1st:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name '1st'", hint: "try '_1st'" }],
  },
  {
    name: 'numeric task name',
    source: yaml('tasks:', '  42:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name '42'" }],
  },
  {
    name: '__proto__ as a task name',
    source: yaml('tasks:', '  __proto__:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name '__proto__' is reserved", hint: "e.g. 'proto_task'" }],
  },
  {
    name: 'constructor as a task name',
    source: yaml('tasks:', '  constructor:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name 'constructor' is reserved" }],
  },
  {
    name: 'item and params are reserved',
    source: yaml('tasks:', '  item:', '    file: tasks/a.py', '  params:', '    file: tasks/b.py'),
    expect: [
      { code: 'ORK204', line: 2, col: 3, message: "task name 'item' is reserved" },
      { code: 'ORK204', line: 4, col: 3, message: "task name 'params' is reserved" },
    ],
  },
  {
    name: 'Python keyword as a task name',
    source: yaml('tasks:', '  import:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name 'import' is a Python keyword", hint: "'import_task'" }],
  },
  {
    name: 'task names that deploy as one construct id (my_task, myTask)',
    source: yaml('tasks:', '  my_task:', '    file: tasks/a.py', '  myTask:', '    file: tasks/b.py'),
    expect: [
      {
        code: 'ORK227',
        line: 4,
        col: 3,
        message: "tasks 'myTask' and 'my_task' (line 2) both deploy their function as construct 'TaskMyTask', so `cdk synth` would fail",
        hint: "'myTask' → TaskMyTask, TaskMyTaskLogs, TaskMyTaskRole",
      },
    ],
  },
  {
    name: 'task names that differ only in case or in underscores',
    source: yaml('tasks:', '  report:', '    file: tasks/a.py', '  Report:', '    file: tasks/b.py', '  _report_:', '    file: tasks/c.py'),
    expect: [
      {
        code: 'ORK227',
        line: 4,
        col: 3,
        message: "tasks 'Report' and 'report' (line 2) both deploy their function as construct 'TaskReport'",
        hint: 'rename one of them',
      },
      {
        code: 'ORK227',
        line: 6,
        col: 3,
        message: "tasks '_report_' and 'report' (line 2) both deploy their function as construct 'TaskReport'",
        hint: 'rename one of them',
      },
    ],
  },
  {
    name: 'a task name too long for its function description (Lambda takes 256 characters)',
    source: yaml(
      'tasks:',
      `  ${'t'.repeat(243)}:`,
      '    file: tasks/a.py',
      `  ${'u'.repeat(242)}:`,
      '    file: tasks/b.py',
      `  ${'v'.repeat(300)}:`,
      '    executor: container',
      '    file: tasks/c.py',
      '    image: example.com/c:1',
    ),
    expect: [
      {
        code: 'ORK229',
        line: 2,
        col: 3,
        message: "(243 characters) is too long to deploy: its Lambda function's description 'Ork task flow/<task>' would be 257 characters",
        hint: 'shorten it to at most 242 characters',
      },
    ],
  },
  {
    name: "a task whose construct id is another task's log group or role",
    source: yaml(
      'tasks:',
      '  load:',
      '    file: tasks/a.py',
      '  load_logs:',
      '    file: tasks/b.py',
      '  load_role:',
      '    executor: container',
      '    file: tasks/c.py',
      '    image: example.com/load:1',
    ),
    expect: [
      {
        code: 'ORK227',
        line: 4,
        col: 3,
        message: "task 'load_logs' would deploy its function as construct 'TaskLoadLogs', the id of the log group of task 'load' (line 2)",
        hint: 'rename one of them',
      },
      {
        code: 'ORK227',
        line: 6,
        col: 3,
        message: "task 'load_role' would deploy its task definition as construct 'TaskLoadRole', the id of the role of task 'load' (line 2)",
        hint: 'rename one of them',
      },
    ],
  },
  {
    name: 'tasks: {}',
    source: yaml('name: etl', 'tasks: {}'),
    expect: [{ code: 'ORK203', line: 2, col: 1, message: '`tasks:` is empty', hint: 'add at least one task' }],
  },
];

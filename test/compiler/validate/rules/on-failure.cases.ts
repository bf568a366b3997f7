import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad `on_failure:` handlers and `depends_on` entries with `if:` (docs/conditions.md). */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a failure handler takes no fan-out, dependencies or condition',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', 'on_failure:', '  file: tasks/b.py', '  foreach: a.items', '  depends_on: [a]', '  when: "a.n > 1"'),
    expect: [
      { code: 'ORK201', line: 6, col: 3, message: 'foreach', hint: 'it takes no' },
      { code: 'ORK201', line: 7, col: 3, message: 'depends_on' },
      { code: 'ORK201', line: 8, col: 3, message: 'when' },
    ],
  },
  {
    name: "the failure handler's settings are checked like a task's: its file, memory and container-only keys",
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', 'on_failure:', '  file: tasks/missing.py', '  memory: 64MB', '  image: alpine'),
    expect: [
      { code: 'ORK211', line: 5, col: 9, message: "task 'on_failure': file 'tasks/missing.py' not found" },
      { code: 'ORK214', line: 6, col: 11, message: "task 'on_failure': memory 64 MB is outside Lambda's" },
      { code: 'ORK213', line: 7, col: 3, message: "'image' applies only to container tasks" },
    ],
  },
  {
    name: 'no task may take the failure handler’s name',
    source: yaml('tasks:', '  on_failure:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name 'on_failure' is the failure handler's", hint: 'top-level `on_failure:`' }],
  },
  {
    name: 'a depends_on entry is a name or {task, if: success|always}',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '    depends_on: [{ task: a, if: sometimes }, { name: a }]'),
    expect: [{ code: 'ORK200', line: 6, col: 17, message: 'a list of task names and `{task: name, if: always}` entries' }],
  },
  {
    name: 'a fan-out source cannot be if: always',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '    foreach: a.items', '    depends_on: [{ task: a, if: always }]'),
    expect: [{ code: 'ORK306', line: 7, col: 26, message: "task 'b' fans out over 'a'", hint: "list it as 'a'" }],
  },
  {
    name: 'if: always on an unknown task is an unknown task, at its name',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '    depends_on: [{ task: aa, if: always }]'),
    expect: [{ code: 'ORK301', line: 6, col: 26, message: "unknown task 'aa'", hint: "did you mean 'a'" }],
  },
];

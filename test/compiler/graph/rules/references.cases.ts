import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/graph/rules/references.ts reports: references to tasks that do not exist, to the task itself, or twice. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'unknown task in depends_on list',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discver]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "task 'process': unknown task 'discver' in depends_on", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in depends_on string',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: Discover'),
    expect: [{ code: 'ORK301', line: 6, col: 17, message: "unknown task 'Discover'", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in foreach',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discovr.files'),
    expect: [{ code: 'ORK301', line: 6, col: 14, message: "unknown task 'discovr' in fan-out reference", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in parallel',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    parallel: dicsover.count'),
    expect: [{ code: 'ORK301', line: 6, col: 15, message: "unknown task 'dicsover' in fan-out reference", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task with no close match lists the tasks',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [zzz]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "unknown task 'zzz'", hint: 'tasks are: discover' }],
  },
  {
    name: 'a field in depends_on',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discover.files]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "unknown task 'discover.files'", hint: "write 'discover'" }],
  },
  {
    name: 'self-reference in depends_on',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK302', line: 4, col: 18, message: "task 'a' depends on itself", hint: "remove 'a' from its depends_on" }],
  },
  {
    name: 'self-reference through foreach',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    foreach: a.items'),
    expect: [{ code: 'ORK302', line: 4, col: 14, message: "task 'a' depends on itself (fan-out source 'a')", hint: 'upstream task' }],
  },
  {
    name: 'dependency listed twice is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '    depends_on: [a, a]'),
    expect: [{ code: 'ORK305', line: 6, col: 21, message: "task 'b' lists 'a' in depends_on twice" }],
  },
];

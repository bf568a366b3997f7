import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/graph/rules/fan-out-source.ts reports: a fan-out whose list or count comes from a task that itself fans out. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'foreach of a fanned-out task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 3', '  b:', '    file: tasks/b.py', '    foreach: a.items'),
    expect: [
      {
        code: 'ORK304',
        line: 7,
        col: 14,
        message: "foreach: a.items reads a field of 'a', which fans out into many outputs",
        hint: 'combines its outputs into one list',
      },
    ],
  },
  {
    name: 'parallel count from a fanned-out task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 3', '  b:', '    file: tasks/b.py', '    parallel: a.count'),
    expect: [{ code: 'ORK304', line: 7, col: 15, message: "parallel: a.count reads a field of 'a'", hint: 'into one count' }],
  },
];

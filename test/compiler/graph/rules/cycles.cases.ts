import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/graph/rules/cycles.ts reports: dependency cycles, named in order. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'two-task cycle',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [b]', '  b:', '    file: tasks/b.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK303', line: 4, col: 18, message: 'dependency cycle: a → b → a', hint: "'b' from the dependencies of 'a'" }],
  },
  {
    name: 'three-task cycle named in order',
    source: yaml(
      'tasks:',
      '  start:',
      '    file: tasks/a.py',
      '  b:',
      '    file: tasks/b.py',
      '    depends_on: [start, c]',
      '  c:',
      '    file: tasks/c.py',
      '    depends_on: [d]',
      '  d:',
      '    file: tasks/d.py',
      '    depends_on: b',
    ),
    expect: [{ code: 'ORK303', line: 6, col: 25, message: 'dependency cycle: b → c → d → b (each depends on the next)' }],
  },
  {
    name: 'cycle through a fan-out reference',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    foreach: b.items', '  b:', '    file: tasks/b.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK303', line: 4, col: 14, message: 'dependency cycle: a → b → a' }],
  },
];

import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/fan-out.ts reports: fan-out sizes, modes and the options that only a fan-out takes. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'static parallel above the maximum',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 1000001'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'parallel: 1000001 is above 1,000,000, the most a fan-out supports' }],
  },
  {
    name: 'static parallel above ArrayRange in inline mode',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    mode: inline'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'parallel: 5000 is above 1,000, the most an inline fan-out supports', hint: 'remove mode: inline' }],
  },
  {
    name: 'static parallel above 1,000 with batch_size',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    batch_size: 10'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'the most a batched fan-out supports' }],
  },
  {
    name: 'static parallel above 1,000 with tolerate_failures',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    tolerate_failures: 5%'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'with tolerate_failures supports' }],
  },
  {
    name: 'batch_size with mode inline',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    mode: inline', '    batch_size: 2'),
    expect: [{ code: 'ORK224', line: 6, col: 17, message: 'batch_size needs a Distributed Map, and mode is inline' }],
  },
  {
    name: 'batch_size with foreach and parallel',
    source: yaml('tasks:', '  s:', '    file: tasks/a.py', '  a:', '    file: tasks/a.py', '    foreach: s.items', '    parallel: 2', '    batch_size: 2'),
    expect: [{ code: 'ORK224', line: 8, col: 17, message: 'batch_size works with foreach: or parallel:, not both' }],
  },
  {
    name: 'concurrency above what a Distributed Map runs',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 50000', '    concurrency: 20000'),
    expect: [{ code: 'ORK224', line: 5, col: 18, message: 'above the 10,000 child executions' }],
  },
  {
    name: 'inline concurrency above 40 warns',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 100', '    mode: inline', '    concurrency: 100'),
    expect: [{ code: 'ORK225', line: 6, col: 18, message: 'runs about 40 instances at once' }],
  },
  {
    name: 'fan-out options without a fan-out',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    batch_size: 3', '    mode: inline'),
    expect: [
      { code: 'ORK223', line: 4, col: 5, message: 'batch_size has no effect without parallel: or foreach:' },
      { code: 'ORK223', line: 5, col: 5, message: 'mode has no effect' },
    ],
  },
  {
    name: 'one list read inline and distributed',
    source: yaml(
      'tasks:',
      '  s:',
      '    file: tasks/a.py',
      '  a:',
      '    file: tasks/a.py',
      '    foreach: s.items',
      '    mode: inline',
      '  b:',
      '    file: tasks/a.py',
      '    foreach: s.items',
      '    batch_size: 5',
    ),
    expect: [
      {
        code: 'ORK226',
        line: 6,
        col: 14,
        message: "task 'a': foreach: s.items runs inline, but 'b' may run distributed",
        hint: "remove mode: inline from 'a'",
      },
    ],
  },
  {
    name: 'concurrency without a fan-out is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    concurrency: 2'),
    expect: [{ code: 'ORK218', line: 4, col: 5, message: 'concurrency has no effect without parallel: or foreach:' }],
  },
];

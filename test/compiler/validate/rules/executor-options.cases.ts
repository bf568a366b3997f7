import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/executor-options.ts reports: options that only some executors take, and Lambda's timeout. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'python timeout above 15 minutes',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    timeout: 20m'),
    expect: [
      {
        code: 'ORK210',
        line: 4,
        col: 14,
        message: "task 'a': timeout 20m exceeds Lambda's 15-minute limit for executor 'python'",
        hint: "'executor: container'",
      },
    ],
  },
  {
    name: 'node timeout above 15 minutes, in seconds',
    source: yaml('tasks:', '  a:', '    file: tasks/app.ts', '    executor: node', '    timeout: 901'),
    expect: [{ code: 'ORK210', line: 5, col: 14, message: "timeout 901s exceeds Lambda's 15-minute limit for executor 'node'" }],
  },
  {
    name: 'defaults timeout inherited by python tasks: one diagnostic naming them',
    source: yaml(
      'defaults:',
      '  timeout: 1h',
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '  b:',
      '    file: tasks/b.py',
      '  c:',
      '    file: tasks/c.py',
      '    executor: container',
    ),
    expect: [
      {
        code: 'ORK210',
        line: 2,
        col: 12,
        message: "defaults: timeout 1h exceeds Lambda's 15-minute limit, and tasks 'a', 'b' inherit it",
        hint: "'executor: container'",
      },
    ],
  },
  {
    name: 'container-only options on a python task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    image: etl:1', '    cpu: 2', '    heartbeat: 1m'),
    expect: [
      {
        code: 'ORK213',
        line: 4,
        col: 5,
        message: "task 'a': 'image' applies only to container tasks, but executor is 'python'",
        hint: "set 'executor: container' or remove 'image'",
      },
      { code: 'ORK213', line: 5, col: 5, message: "'cpu' applies only to container tasks" },
      { code: 'ORK213', line: 6, col: 5, message: "'heartbeat' applies only to container tasks" },
    ],
  },
  {
    name: 'image and dockerfile together',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    image: etl:1', '    dockerfile: Dockerfile'),
    expect: [{ code: 'ORK213', line: 6, col: 5, message: "give either 'image' or 'dockerfile', not both" }],
  },
];

import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/resources.ts reports: memory and cpu that Lambda or Fargate cannot give. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'Fargate cpu that does not exist',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    cpu: 3'),
    expect: [{ code: 'ORK214', line: 5, col: 10, message: "task 'a': cpu 3 is not a Fargate size", hint: 'use one of 0.25, 0.5, 1, 2, 4, 8, 16' }],
  },
  {
    name: 'Fargate memory that does not fit the cpu',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    cpu: 1', '    memory: 1GB'),
    expect: [{ code: 'ORK214', line: 6, col: 13, message: 'Fargate has no 1 vCPU size with 1024 MB', hint: 'memory can be 2048 to 8192 in steps of 1024 MB' }],
  },
  {
    name: 'Lambda memory above the maximum',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    memory: 20GB'),
    expect: [{ code: 'ORK214', line: 4, col: 13, message: "memory 20480 MB is outside Lambda's 128–10240 MB", hint: "'executor: container'" }],
  },
  {
    name: 'zero memory',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    memory: 0MB'),
    expect: [{ code: 'ORK214', line: 4, col: 13, message: "memory must be a size in MB (1024) or with a unit (512MB, 2GB) (got '0MB')" }],
  },
];

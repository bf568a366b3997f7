import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/environment.ts reports: environment variables Ork reserves or that cannot be names. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'reserved environment variables',
    source: yaml(
      'defaults:',
      '  env:',
      '    ORK_MODE: fast',
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    env:',
      '      AWS_REGION: eu-west-1',
      '      MY-VAR: 1',
    ),
    expect: [
      { code: 'ORK219', line: 3, col: 5, message: "defaults: environment variable 'ORK_MODE' is reserved by the runtime" },
      { code: 'ORK219', line: 8, col: 7, message: "task 'a': environment variable 'AWS_REGION' is reserved" },
      { code: 'ORK200', line: 9, col: 7, message: "'MY-VAR' is not a valid environment variable name" },
    ],
  },
  {
    name: '__proto__ as an environment variable',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    env:', '      __proto__: x'),
    expect: [{ code: 'ORK200', line: 5, col: 7, message: "'__proto__' cannot be an environment variable name" }],
  },
];

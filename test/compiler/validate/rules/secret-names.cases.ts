import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const longPath = `/${Array.from({ length: 16 }, (_, i) => `l${i + 1}`).join('/')}`;
const longSecret = `team/${'x'.repeat(508)}`;
// 968 characters: one more than a parameter path can hold behind the shortest ARN (1,011 − 44).
const longParameter = `/ork/${'p'.repeat(963)}`;

/** Bad `secrets:` entries that compiler/validate/rules/secret-names.ts reports: names AWS would refuse, and duplicates. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'names Secrets Manager refuses: a space, a #, more than 512 characters',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', `    secrets: ["prod warehouse", "db#1", ${longSecret}]`),
    expect: [
      {
        code: 'ORK250',
        line: 4,
        col: 15,
        message: "task 'a': secret 'prod warehouse' is not a Secrets Manager secret name: it holds a space",
        hint: 'start an SSM parameter path with /',
      },
      { code: 'ORK250', line: 4, col: 33, message: "secret 'db#1' is not a Secrets Manager secret name: it holds '#'" },
      { code: 'ORK250', line: 4, col: 41, message: 'is 513 characters long: a Secrets Manager name is at most 512' },
    ],
  },
  {
    name: 'SSM paths Parameter Store refuses: a character, an empty level, a reserved prefix, 16 levels, too long for its ARN',
    source: yaml(
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    secrets:',
      '      - /ork/api+token',
      '      - /ork//token',
      '      - /aws/reference/secretsmanager/prod',
      '      - /SSM-config/token',
      `      - ${longPath}`,
      `      - ${longParameter}`,
    ),
    expect: [
      { code: 'ORK250', line: 5, col: 9, message: "secret '/ork/api+token' is not an SSM parameter name: it holds '+'" },
      { code: 'ORK250', line: 6, col: 9, message: 'has an empty level' },
      { code: 'ORK250', line: 7, col: 9, message: 'starts with `aws` or `ssm`', hint: 'without a leading /' },
      { code: 'ORK250', line: 8, col: 9, message: 'starts with `aws` or `ssm`' },
      { code: 'ORK250', line: 9, col: 9, message: 'has 16 levels: an SSM parameter hierarchy has at most 15' },
      { code: 'ORK250', line: 10, col: 9, message: 'is 968 characters long: an SSM parameter name is at most 1011 characters counting its ARN, 967 here' },
    ],
  },
  {
    name: 'an ARN of another service, one without region and account, and a parameter ARN over 1,011 characters',
    source: yaml(
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    secrets:',
      '      - arn:aws:s3:::bucket/key',
      '      - arn:aws:secretsmanager:::secret:prod/db',
      `      - arn:aws:ssm:eu-west-1:123456789012:parameter/${'p'.repeat(968)}`,
    ),
    expect: [
      {
        code: 'ORK250',
        line: 5,
        col: 9,
        message: 'is neither the ARN of a Secrets Manager secret nor that of an SSM parameter',
        hint: 'arn:PARTITION:secretsmanager',
      },
      { code: 'ORK250', line: 6, col: 9, message: 'is neither the ARN' },
      { code: 'ORK250', line: 7, col: 9, message: 'counting its ARN' },
    ],
  },
  {
    name: 'a secret listed twice is a warning, on the failure handler too',
    source: yaml(
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    secrets: [prod/db, /ork/token, prod/db]',
      'on_failure:',
      '  file: tasks/b.py',
      '  secrets: [/ork/token, /ork/token]',
    ),
    expect: [
      { code: 'ORK251', line: 4, col: 36, message: "task 'a' lists secret 'prod/db' twice", hint: 'remove the duplicate' },
      { code: 'ORK251', line: 7, col: 25, message: "task 'on_failure' lists secret '/ork/token' twice" },
    ],
  },
  {
    name: 'secrets: is a list of names, per task: not a string, not under defaults',
    source: yaml(
      'defaults:',
      '  secrets: [prod/db]',
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    secrets: prod/db',
      '  b:',
      '    file: tasks/b.py',
      '    secrets: [""]',
    ),
    expect: [
      { code: 'ORK201', line: 2, col: 3, message: "unknown key 'secrets'" },
      { code: 'ORK200', line: 6, col: 14, message: 'secrets' },
      { code: 'ORK200', line: 9, col: 15, message: 'secrets' },
    ],
  },
];

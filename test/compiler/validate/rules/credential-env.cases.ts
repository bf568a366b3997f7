import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/**
 * `env:` values that compiler/validate/rules/credential-env.ts warns about, as looking like credentials. The
 * values are made up: each has the shape of its kind and nothing more.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'credentials in env: key ids, connection strings, URLs with a password, private keys, tokens, names that say so',
    source: yaml(
      'defaults:',
      '  env:',
      '    KEY_ID: AKIAABCDEFGHIJKLMNOP',
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    env:',
      '      DSN: "host=db;user=ork;password=hunter22"',
      '      DB_URL: postgres://ork:hunter22@db.internal:5432/app',
      '      KEY: "-----BEGIN RSA PRIVATE KEY-----\\nMIIE"',
      '      GH: ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
      '      DB_PASSWORD: hunter22',
      'on_failure:',
      '  file: tasks/b.py',
      '  env:',
      '    SESSION: ASIAABCDEFGHIJKLMNOP',
    ),
    expect: [
      { code: 'ORK252', line: 3, col: 13, message: "defaults: env 'KEY_ID' looks like a credential (an AWS access key id)", hint: 'secrets:' },
      { code: 'ORK252', line: 8, col: 12, message: "task 'a': env 'DSN' looks like a credential (a `password=`" },
      { code: 'ORK252', line: 9, col: 15, message: "env 'DB_URL' looks like a credential (a URL with a password)" },
      { code: 'ORK252', line: 10, col: 12, message: "env 'KEY' looks like a credential (a private key)" },
      { code: 'ORK252', line: 11, col: 11, message: "env 'GH' looks like a credential (a GitHub token)" },
      { code: 'ORK252', line: 12, col: 20, message: "env 'DB_PASSWORD' looks like a credential (a value under a credential’s name)" },
      { code: 'ORK252', line: 16, col: 14, message: "task 'on_failure': env 'SESSION' looks like a credential (an AWS access key id)" },
    ],
  },
  {
    name: 'ordinary settings are no credentials: URLs without a password, secret names, flags, numbers',
    source: yaml(
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
      '    env:',
      '      API_URL: https://api.example.com/v1?page=2',
      '      DB_URL: postgres://ork@db.internal:5432/app',
      '      SECRET_NAME: prod/warehouse',
      '      TOKEN_TTL: 300',
      '      USE_TOKEN: no',
      '      MODE: password-less',
      '      REGION: eu-west-1',
    ),
    expect: [],
  },
  {
    name: 'the warning names the variable, never its value',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    env:', '      API_TOKEN: s3cr3t-sentinel-value'),
    expect: [{ code: 'ORK252', line: 5, col: 18, message: "task 'a': env 'API_TOKEN' looks like a credential" }],
  },
];

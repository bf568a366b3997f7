import { describe, expect, it } from 'vitest';
import { compile, inMemoryHost, secretReference } from '../../compiler/index.js';
import { secretNameProblem } from '../../compiler/model/index.js';
import { yaml } from '../support/bad-workflows.js';

describe('secretReference', () => {
  it('a leading / is an SSM parameter path, anything else a Secrets Manager name', () => {
    expect(secretReference('/ork/api-token')).toEqual({ service: 'ssm' });
    expect(secretReference('prod/warehouse')).toEqual({ service: 'secretsmanager' });
  });

  it('an ARN of either service is that service, with its parts', () => {
    expect(secretReference('arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf')).toEqual({
      service: 'secretsmanager',
      arn: { partition: 'aws', region: 'eu-west-1', account: '123456789012', resource: 'prod/db-AbCdEf' },
    });
    expect(secretReference('arn:aws-cn:ssm:cn-north-1:123456789012:parameter/ork/token')).toEqual({
      service: 'ssm',
      arn: { partition: 'aws-cn', region: 'cn-north-1', account: '123456789012', resource: 'ork/token' },
    });
  });
});

describe('secretNameProblem', () => {
  it('takes the names AWS takes, at their limits', () => {
    for (const name of [
      'prod/warehouse',
      'a+b=c.d@e-f_g',
      'x'.repeat(512),
      '/ork/api-token',
      `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join('/')}`,
      `/ork/${'p'.repeat(962)}`,
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf',
      'arn:aws:ssm:eu-west-1:123456789012:parameter/ork/token',
    ]) {
      expect(secretNameProblem(name), name.slice(0, 40)).toBeUndefined();
    }
  });
});

it('the manifest lists each task’s secrets by name and service, and nothing for a task without any', () => {
  const source = yaml(
    'tasks:',
    '  extract:',
    '    file: tasks/a.py',
    '    secrets: [prod/warehouse, /ork/api-token]',
    '  load:',
    '    file: tasks/b.py',
    '    depends_on: [extract]',
    'on_failure:',
    '  file: tasks/c.py',
    '  secrets: [arn:aws:ssm:eu-west-1:123456789012:parameter/ork/pager]',
  );
  const result = compile({ file: 'workflow.yaml', source, host: inMemoryHost(['tasks/a.py', 'tasks/b.py', 'tasks/c.py'], '/work/flow') });
  expect(result.diagnostics).toEqual([]);
  const entries = Object.fromEntries((result.manifest?.tasks ?? []).map((t) => [t.name, t.secrets]));
  expect(entries).toEqual({
    extract: [
      { name: 'prod/warehouse', service: 'secretsmanager' },
      { name: '/ork/api-token', service: 'ssm' },
    ],
    load: undefined,
    on_failure: [{ name: 'arn:aws:ssm:eu-west-1:123456789012:parameter/ork/pager', service: 'ssm' }],
  });
});

import { expect, it } from 'vitest';
import { describeBadWorkflows, run, yaml } from '../../../support/bad-workflows.js';
import { cases } from './credential-env.cases.js';

describeBadWorkflows(cases);

it('no diagnostic repeats the credential it warns about', () => {
  const { diagnostics } = run(
    yaml('tasks:', '  a:', '    file: tasks/a.py', '    env:', '      API_TOKEN: s3cr3t-sentinel-value', '      DSN: "password=sentinel2"'),
  );
  expect(diagnostics.map((d) => d.code)).toEqual(['ORK252', 'ORK252']);
  expect(JSON.stringify(diagnostics)).not.toMatch(/sentinel/);
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsParity } from '../support/aws-parity/index.js';
import { writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { runWorkflowCli, type RunSummaryJson } from '../support/cli.js';

/**
 * tolerate_failures in inline mode is the machine's own arithmetic (a Catch per instance, a JSONPath filter
 * over a sentinel-wrapped list, repeated ranges for a percentage: compiler/emit/tolerated-failures.ts).
 * This runs it on moto's interpreter (its own JSONPath and intrinsics) with the real Lambda handler, next
 * to `ork run` on the same input: at the threshold both succeed with the same outputs, one failure past it
 * both fail with Ork.ExceedToleratedFailureThreshold. (moto is what showed that a machine's own Fail state
 * may not use AWS's `States.` name: it fails such a state with States.Runtime.)
 */

const runSuite = paritySuiteRuns('inline tolerance parity');

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-inline-tolerance
params:
  n: 20
  fail: []
tasks:
  size:
    file: tasks/size.py
  work:
    file: tasks/work.py
    parallel: size.n
    mode: inline
    tolerate_failures: 10%
  report:
    file: tasks/report.py
    depends_on: work
`,
  'tasks/size.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"n": input["params"]["n"]}\n',
  'tasks/work.py':
    'from ork import task\n\n\n@task\ndef main(input, ctx):\n    if ctx.parallel_index in ' +
    'input["params"]["fail"]:\n        raise ValueError(f"instance {ctx.parallel_index} ' +
    'fails")\n    return {"i": ctx.parallel_index}\n',
  'tasks/report.py':
    'from ork import task\n\n\n@task\ndef main(input, ctx):\n    return {"ok": [o["i"] for o ' +
    'in input["work"]], "failed": [f.parallel_index for f in ctx.failures.get("work", [])]}\n',
};

describe.skipIf(!runSuite)('inline tolerate_failures on moto and under ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let directory = '';

  useAwsParity(
    {
      prefix: 'ork-inline-tolerance-',
      prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-inline-tolerance'), FILES),
      setupTimeoutMs: 120_000,
    },
    (suite) => {
      ({ aws, work } = suite);
      directory = path.join(work, 'parity-inline-tolerance');
    },
  );

  const local = async (input: unknown): Promise<RunSummaryJson> =>
    (await runWorkflowCli(directory, path.join(work, 'runs'), ['--input', JSON.stringify(input)], {}, { cwd: work })).json;

  it('2 of 20 failed (10%): both succeed, failures in place and in ctx.failures', async () => {
    const input = { n: 20, fail: [3, 17] };
    const cloud = await aws!.run(directory, input, { timeoutMs: 120_000 });
    const ran = await local(input);
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    expect(ran.status).toBe('SUCCEEDED');
    const expected = { ok: Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 3 && i !== 17), failed: [3, 17] };
    expect((cloud.output as Record<string, unknown>).report).toEqual(expected);
    expect(ran.outputs.report).toEqual(expected);
    // The machine keeps each failure where the instance was, with AWS's error name and cause.
    expect((cloud.output as Record<string, unknown[]>).work?.[3]).toEqual({
      ork_failed: { error: 'ValueError', cause: expect.stringContaining('instance 3 fails'), parallel_index: 3 },
    });
  }, 180_000);

  it('3 of 20 failed (15%): both fail with Ork.ExceedToleratedFailureThreshold', async () => {
    const input = { n: 20, fail: [1, 2, 3] };
    const cloud = await aws!.run(directory, input, { timeoutMs: 120_000 });
    const ran = await local(input);
    expect(cloud.status, cloud.cause).toBe('FAILED');
    expect(cloud.error).toBe('Ork.ExceedToleratedFailureThreshold');
    expect(ran.status).toBe('FAILED');
    expect(ran.error?.error).toBe('Ork.ExceedToleratedFailureThreshold');
  }, 180_000);
});

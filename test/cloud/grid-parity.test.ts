import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsParity } from '../support/aws-parity/index.js';
import { withoutStoreLocations } from '../support/engine-neutral.js';
import { writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { runWorkflowCli } from '../support/cli.js';

/**
 * `foreach:` with `parallel: 4` over 12 elements: past 10 elements (40 instances) the upstream stores the
 * list and the machine takes the Distributed Map whose children each run one element's 4 workers as an
 * inline Map (`per_child: "list"`, docs/scale.md). On moto with the real Lambda handler and under ork run,
 * the downstream task gets the same 48 outputs, element by element, worker by worker.
 */

const runSuite = paritySuiteRuns('grid parity');

const ELEMENTS = 12;
const WORKERS = 4;

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-grid
tasks:
  regions:
    file: tasks/regions.py
  grid:
    file: tasks/grid.py
    foreach: regions.names
    parallel: ${WORKERS}
  report:
    file: tasks/report.py
    depends_on: grid
`,
  'tasks/regions.py': `from ork import task\n\n\n@task\ndef main():\n    return {"names": [f"r{i:02d}" for i in range(${ELEMENTS})]}\n`,
  'tasks/grid.py':
    'from ork import task\n\n\n@task\ndef main(input, ctx):\n    return {"cell": f"{input[\'item\']}/{ctx.parallel_index}of{ctx.parallel_count}"}\n',
  'tasks/report.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"cells": [o["cell"] for o in input["grid"]]}\n',
};

describe.skipIf(!runSuite)('foreach × parallel as a Distributed Map, on moto and under ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let directory = '';

  useAwsParity(
    { prefix: 'ork-grid-parity-', prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-grid'), FILES), setupTimeoutMs: 120_000 },
    (suite) => {
      ({ aws, work } = suite);
      directory = path.join(work, 'parity-grid');
    },
  );

  it('gives the downstream task every cell in element then worker order, in both engines', async () => {
    const cloud = await aws!.run(directory, {}, { timeoutMs: 150_000 });
    const { json: local } = await runWorkflowCli(directory, path.join(work, 'runs'), [], {}, { cwd: work });
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    expect(local.status).toBe('SUCCEEDED');
    const cells = Array.from({ length: ELEMENTS }, (_, e) =>
      Array.from({ length: WORKERS }, (_, w) => `r${String(e).padStart(2, '0')}/${w}of${WORKERS}`),
    ).flat();
    expect((cloud.output as Record<string, unknown>).report).toEqual({ cells });
    expect(withoutStoreLocations(cloud.output)).toEqual(withoutStoreLocations(local.outputs));
    expect((cloud.output as Record<string, unknown>).grid).toEqual({ ork_results: expect.objectContaining({ per_child: 'list' }) });
    // Run in child executions, the instances still report the execution that was started (what ork logs
    // filters the task logs by), not their child's.
    const grid = aws!.invocations.filter((i) => i.functionName === cloud.deployment.functions.grid!.name);
    expect(grid).toHaveLength(ELEMENTS * WORKERS);
    expect(new Set(grid.map((i) => (i.event as { execution_id: string }).execution_id))).toEqual(new Set([cloud.executionArn]));
  }, 240_000);
});

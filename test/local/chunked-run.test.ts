import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * Counts above States.ArrayRange's 1,000, static and read at run time, under `ork run` with real Python
 * tasks: the Distributed Map runs over chunk starts and each child builds its own range (docs/scale.md).
 * Every index arrives once, with the right count, and downstream gets the outputs in index order.
 */

let work: string;
let dir: string;

const WORKFLOW = `name: chunked
params:
  n: 1500
tasks:
  size:
    file: tasks/size.py
  fixed:
    file: tasks/index.py
    parallel: 2500
  counted:
    file: tasks/index.py
    parallel: size.n
  check:
    file: tasks/check.py
    depends_on: [fixed, counted]
`;

const FILES: Record<string, string> = {
  'tasks/size.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"n": input["params"]["n"]}\n',
  'tasks/index.py': 'from ork import task\n\n\n@task\ndef main(ctx):\n    return {"i": ctx.parallel_index, "of": ctx.parallel_count}\n',
  'tasks/check.py':
    'from ork import task\n\n\ndef summary(outputs):\n    return {"count": len(outputs), ' +
    '"in_order": [o["i"] for o in outputs] == list(range(len(outputs))), "counts": ' +
    'sorted({o["of"] for o in outputs})}\n\n\n@task\ndef main(input):\n    return {"fixed": ' +
    'summary(input["fixed"]), "counted": summary(input["counted"])}\n',
};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-chunked-'));
  dir = writeWorkflowFiles(path.join(work, 'chunked'), { 'workflow.yaml': WORKFLOW, ...FILES });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function run(n: number): Promise<CliRun> {
  return runWorkflowCli(dir, path.join(work, 'runs'), ['--input', JSON.stringify({ n })], {}, { cwd: work });
}

describe('parallel counts above 1,000', () => {
  it('2,500 static and 1,500 at run time: every index once, in order', async () => {
    const { code, json } = await run(1500);
    expect(json.error).toBeUndefined();
    expect(code).toBe(0);
    expect(json.outputs.check).toEqual({ fixed: { count: 2500, in_order: true, counts: [2500] }, counted: { count: 1500, in_order: true, counts: [1500] } });
    expect(json.tasks.fixed).toMatchObject({ instances: 2500, succeeded: 2500 });
    expect(json.tasks.counted).toMatchObject({ instances: 1500, succeeded: 1500 });
  }, 200_000);

  it('the same workflow with a small run-time count takes the inline Map', async () => {
    const { code, json } = await run(7);
    expect(code).toBe(0);
    expect((json.outputs.check as { counted: unknown }).counted).toEqual({ count: 7, in_order: true, counts: [7] });
    expect(Array.isArray(json.outputs.counted)).toBe(true);
  }, 200_000);
});

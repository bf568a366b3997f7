import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOrk, runWorkflowCli, type CliRun } from '../support/cli.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * `ork run` of a foreach with tolerate_failures, through the CLI and real Python tasks: the machine takes
 * the inline Map for a short list and the Distributed Map for a long one (docs/scale.md); either way the
 * downstream task gets the successful outputs in item order and the failures in ctx.failures, and the run
 * lists what it tolerated.
 */

let work: string;
let dir: string;

const WORKFLOW = `name: tolerant
params:
  n: 10
tasks:
  make:
    file: tasks/make.py
  process:
    file: tasks/process.py
    foreach: make.files
    tolerate_failures: 5%
  report:
    file: tasks/report.py
    depends_on: process
`;

const FILES: Record<string, string> = {
  'tasks/make.py': 'from ork import task\n\n\n@task\ndef main(input):\n    return {"files": [f"f{i}.csv" for i in range(input["params"]["n"])]}\n',
  'tasks/process.py':
    'from ork import task\n\n\n@task\ndef main(input):\n    if input["item"] in ("f3.csv", ' +
    '"f7.csv"):\n        raise ValueError(f"cannot read {input[\'item\']}")\n    return ' +
    '{"file": input["item"]}\n',
  'tasks/report.py':
    'from ork import task\n\n\n@task\ndef main(input, ctx):\n    failed = ' +
    'ctx.failures.get("process", [])\n    return {"files": [o["file"] for o in ' +
    'input["process"]], "failed": [(f.item_index, f.error) for f in failed]}\n',
};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-tolerated-'));
  dir = writeWorkflowFiles(path.join(work, 'tolerant'), { 'workflow.yaml': WORKFLOW, ...FILES });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface RunJson {
  status: string;
  runId: string;
  outputs: Record<string, unknown>;
  parentEvents: number;
  toleratedFailures?: { task: string; instance: string; error: string; message: string }[];
  error?: { error: string; message: string };
}

/** `ork run --json`, its runs where `ork show` (started in `work`) finds them. */
const run = (n: number): Promise<CliRun<RunJson>> =>
  runWorkflowCli<RunJson>(dir, path.join(work, '.ork', 'runs'), ['--input', JSON.stringify({ n })], {}, { cwd: work });

const expectedFiles = (n: number) => Array.from({ length: n }, (_, i) => `f${i}.csv`).filter((f) => f !== 'f3.csv' && f !== 'f7.csv');

describe('tolerate_failures under ork run', () => {
  it('inline (40 elements): 2 failures are 5%, tolerated; the report gets the rest and the failures', async () => {
    const { code, json: result } = await run(40);
    expect(code).toBe(0);
    expect(result?.outputs.report).toEqual({
      files: expectedFiles(40),
      failed: [
        [3, 'ValueError'],
        [7, 'ValueError'],
      ],
    });
    expect(result?.toleratedFailures).toEqual([
      { task: 'process', instance: 'process[item 3]', error: 'ValueError', message: 'cannot read f3.csv' },
      { task: 'process', instance: 'process[item 7]', error: 'ValueError', message: 'cannot read f7.csv' },
    ]);
  });

  it('distributed (60 elements): the same, through the stored list and the Map run’s result files', async () => {
    const { code, json: result } = await run(60);
    expect(code).toBe(0);
    expect(result?.outputs.process).toEqual({ ork_results: expect.objectContaining({ per_child: 'one' }) });
    expect(result?.outputs.report).toEqual({
      files: expectedFiles(60),
      failed: [
        [3, 'ValueError'],
        [7, 'ValueError'],
      ],
    });
    expect(result?.toleratedFailures?.map((f) => f.error)).toEqual(['ValueError', 'ValueError']);
    expect(result.parentEvents).toBeLessThan((await run(40)).json.parentEvents);
  });

  it('above the threshold (2 of 10 is 20%) the run fails with AWS’s error name, under Ork’s prefix (inline)', async () => {
    const { code, json: result } = await run(10);
    expect(code).toBe(1);
    expect(result?.error).toMatchObject({ error: 'Ork.ExceedToleratedFailureThreshold', message: expect.stringContaining('tolerate_failures: 5%') });
  });

  it('prints what it tolerated, and ork show says it again', async () => {
    const { code, stdout } = await runOrk(['run', dir, '--input', JSON.stringify({ n: 60 })], work);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /tolerated 2 failed instances \(tolerate_failures\):\n\s+process\[item 3\]: ValueError: cannot read f3\.csv\n\s+process\[item 7\]: ValueError: cannot read f7\.csv/,
    );
    const show = await runOrk(['show'], work);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/tolerated 2 failed instances \(tolerate_failures\)\n {2}process\[item 3\]: ValueError: cannot read f3\.csv/);
  });
});

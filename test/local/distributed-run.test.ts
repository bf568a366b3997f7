import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { succeededOutputs } from '../../lib/local/run-recorder.js';
import { runLocally, type LocalRunResult } from '../../lib/local/run-workflow.js';
import { LIST_TASK } from '../../bench/support/python-tasks.js';
import { jsonLines } from '../support/cli.js';
import { compileCleanly, writeWorkflowFiles } from '../support/workflows.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';

/**
 * Distributed fan-outs (`mode: distributed`, `batch_size`, `tolerate_failures`) compiled by the real compiler
 * and run by `runLocally` on Python workers: the ItemReader reads the list the upstream stored, the
 * ResultWriter writes to the run's payload directory (`${OrkPayloadBucket}`), the downstream task reads
 * the results, tolerated failures are listed in run.json, a failure beyond them names task and instance,
 * and the parent's history has the same number of events for 10 items and 200.
 */

let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-distributed-run-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Fails for items divisible by `params.fail_every` (0: never). */
const EACH = `import os

from ork import task
from pydantic import BaseModel


class Params(BaseModel):
    fail_every: int = 0


class Input(BaseModel):
    item: int
    params: Params


class Output(BaseModel):
    doubled: int


@task
def main(input: Input) -> Output:
    # A file named "refuse" in the workflow directory makes item 3 fail too (for --resume).
    if input.item == 3 and os.path.exists("refuse"):
        raise RuntimeError("item 3 refused while ./refuse exists")
    if input.params.fail_every and input.item % input.params.fail_every == 0:
        raise ValueError(f"item {input.item} refused")
    return Output(doubled=input.item * 2)
`;

const COUNT = `from ork import task
from pydantic import BaseModel


class Doubled(BaseModel):
    doubled: int


class Input(BaseModel):
    each: list[Doubled]


class Output(BaseModel):
    count: int
    total: int


@task
def main(input: Input) -> Output:
    return Output(count=len(input.each), total=sum(d.doubled for d in input.each))
`;

/** make → each (foreach over make.items, with `each`'s own settings) → count. */
function workflow(name: string, each: readonly string[]): string {
  return writeWorkflowFiles(path.join(work, name), {
    'workflow.yaml': `params:
  n: 10
  fail_every: 0
${pythonTasksYaml({ make: [], each: ['foreach: make.items', ...each], count: ['depends_on: [each]'] })}`,
    'tasks/make.py': LIST_TASK,
    'tasks/each.py': EACH,
    'tasks/count.py': COUNT,
  });
}

async function run(dir: string, input: Record<string, unknown>, resume?: LocalRunResult): Promise<LocalRunResult> {
  const { definition, manifest } = compileCleanly(dir);
  return runLocally({
    definition,
    manifest,
    workflowDir: dir,
    input,
    runsDir: path.join(dir, 'runs'),
    ...(resume ? { resume: { runId: resume.runId, outputs: succeededOutputs(resume.runDir) } } : {}),
  });
}

function attempts(result: LocalRunResult): { task: string; instance: string; attempt: number; status: string }[] {
  return jsonLines(path.join(result.runDir, 'attempts.jsonl'));
}

const sum = (n: number, skip: (i: number) => boolean = () => false) =>
  Array.from({ length: n }, (_, i) => i).reduce((total, i) => total + (skip(i) ? 0 : i * 2), 0);

describe('distributed fan-outs under ork run', () => {
  it('runs every item as a child, writes the results to the run’s payload directory, and the parent’s history does not grow', async () => {
    const dir = workflow('plain', ['mode: distributed']);
    const small = await run(dir, { n: 10 });
    expect(small.status, JSON.stringify(small.error)).toBe('SUCCEEDED');
    expect(small.outputs.count).toEqual({ count: 10, total: sum(10) });
    expect(small.tasks.each).toMatchObject({ instances: 10, succeeded: 10, failed: 0 });
    const results = (small.outputs.each as { ork_results: { bucket: string; key: string } }).ork_results;
    expect(results.bucket).toBe(path.join(small.runDir, 'payloads'));
    expect(existsSync(path.join(results.bucket, results.key))).toBe(true);
    const large = await run(dir, { n: 200 });
    expect(large.outputs.count).toEqual({ count: 200, total: sum(200) });
    expect(large.parentEvents).toBe(small.parentEvents);
    const summary = JSON.parse(readFileSync(path.join(large.runDir, 'run.json'), 'utf8')) as { parentEvents: number };
    expect(summary.parentEvents).toBe(large.parentEvents);
  }, 120_000);

  it('batches (batch_size): every instance runs once, in batches, and the downstream gets every output', async () => {
    const dir = workflow('batched', ['mode: distributed', 'batch_size: 7']);
    const result = await run(dir, { n: 30 });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(result.outputs.count).toEqual({ count: 30, total: sum(30) });
    expect(result.tasks.each).toMatchObject({ instances: 30, succeeded: 30, failed: 0 });
  }, 120_000);

  it('tolerates failures (tolerate_failures) and lists them in the run summary', async () => {
    const dir = workflow('tolerant', ['mode: distributed', 'tolerate_failures: 3']);
    const result = await run(dir, { n: 20, fail_every: 7 });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(result.outputs.count).toEqual({ count: 17, total: sum(20, (i) => i % 7 === 0) });
    const listed = result.toleratedFailures.map((f) => [f.task, f.instance, f.error]).sort();
    expect(listed).toEqual([
      ['each', 'each[item 0]', 'ValueError'],
      ['each', 'each[item 14]', 'ValueError'],
      ['each', 'each[item 7]', 'ValueError'],
    ]);
    const summary = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as { toleratedFailures: unknown[] };
    expect(summary.toleratedFailures).toHaveLength(3);
  }, 120_000);

  it('beyond what it tolerates, the run fails naming the task, the instance and its error', async () => {
    const dir = workflow('intolerant', ['mode: distributed', 'tolerate_failures: 10%', 'concurrency: 1']);
    const result = await run(dir, { n: 20, fail_every: 5 });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold', task: 'each', instance: 'each[item 10]' });
    expect(result.error?.message).toMatch(/task 'each' instance each\[item 10\] \(item 10\) failed: ValueError: item 10 refused/);
    expect(result.tasks.count?.instances).toBe(0);
    // concurrency 1: no child starts once the threshold is exceeded.
    expect(result.tasks.each?.instances).toBe(11);
  }, 120_000);

  it('--resume runs again only the children’s instances that did not succeed', async () => {
    const dir = workflow('resumed', ['mode: distributed', 'concurrency: 4']);
    writeFileSync(path.join(dir, 'refuse'), '');
    const failed = await run(dir, { n: 12 });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold', task: 'each', instance: 'each[item 3]' });
    const succeededBefore = attempts(failed).filter((a) => a.task === 'each' && a.status === 'succeeded').length;
    expect(succeededBefore).toBeGreaterThan(0);
    rmSync(path.join(dir, 'refuse'));
    const resumed = await run(dir, { n: 12 }, failed);
    expect(resumed.status, JSON.stringify(resumed.error)).toBe('SUCCEEDED');
    expect(resumed.outputs.count).toEqual({ count: 12, total: sum(12) });
    const again = attempts(resumed).filter((a) => a.task === 'each');
    expect(again.filter((a) => a.status === 'reused')).toHaveLength(succeededBefore);
    expect(again.filter((a) => a.status === 'succeeded')).toHaveLength(12 - succeededBefore);
    expect(again.every((a) => a.attempt === 1)).toBe(true);
  }, 120_000);
});

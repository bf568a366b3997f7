import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runWorkflowCli, type CliRun } from '../support/cli.js';
import { copyExample, copyForeachAggregateWide, filesOf } from '../support/example-copies.js';
import { expectInstances, expectPeak, expectStatuses } from '../support/run-expectations.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { EXAMPLES_DIR, workflowDirectories } from '../support/workflows.js';

/**
 * The node examples end to end through the CLI (`ork run <copy> --json`, runs under a temporary
 * ORK_RUNS_DIR): the seed's five patterns with `executor: node` tasks (examples/ts-*), each beside its
 * Python twin, whose outputs it must equal; the mixed python/node workflow; instance counts from the
 * summary and attempts.jsonl; for a task with `concurrency`, run.json's peakRunning equals the cap whenever
 * there are more instances. And task-side, with the tasks' own clocks: a workflow whose instances sleep
 * 300 ms and report when they started and ended really overlaps `concurrency` instances at most and at
 * least, in node and Python fan-outs running side by side (24 items each: time for the pools to grow on a
 * loaded machine).
 * Copies in a temporary directory show that a node workflow runs outside Ork's package (no node_modules, no
 * package.json). Each run has a TMPDIR of its own: the examples write their results there (Lambda's code
 * folder is read-only), never into their own folder.
 */

const PATTERNS = ['static-parallel', 'dynamic-count', 'foreach-aggregate', 'concurrency-limit', 'combined'] as const;
/** The examples of docs/conditions.md, whose node twins run here with their default params and with those that take the other path. */
const CONTROL_FLOW = ['conditional', 'on-failure'] as const;

let tmp: ReturnType<typeof temporaryDirectory>;
type ExampleRun = CliRun & { dir: string; tmp: string; files: { before: string[]; after: string[] } };
const runs = new Map<string, ExampleRun>();

/** `args` after `ork run DIR --json`, e.g. `--input`. */
async function runExample(key: string, dir: string, args: string[] = []): Promise<void> {
  const tmpdir = path.join(tmp.dir, 'tmp', key);
  mkdirSync(tmpdir, { recursive: true });
  const before = filesOf(dir);
  const result = await runWorkflowCli(dir, path.join(tmp.dir, 'runs', key), args, { TMPDIR: tmpdir });
  runs.set(key, { ...result, dir, tmp: tmpdir, files: { before, after: filesOf(dir) } });
}

function run(key: string): ExampleRun {
  const found = runs.get(key);
  if (!found) throw new Error(`no run of ${key}: see the beforeAll error`);
  return found;
}

/** Runs the jobs `limit` at a time: on two cores, eleven runs at once would mostly measure the machine. */
async function inBatches(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) await jobs[next++]?.();
    }),
  );
}

/** The most intervals that hold one same instant (an end at the instant another starts is no overlap). */
function maxOverlap(intervals: { start: number; end: number }[]): number {
  const events = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const event of events) most = Math.max(most, (now += event.delta));
  return most;
}

const SLEEPERS: Record<string, string> = {
  'workflow.yaml': `params:
  n: 24
tasks:
  discover:
    executor: node
    file: tasks/discover.ts
  node_capped:
    executor: node
    file: tasks/sleep.ts
    foreach: discover.items
    concurrency: 3
  python_capped:
    executor: python
    file: tasks/sleep.py
    foreach: discover.items
    concurrency: 2
`,
  'tasks/discover.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({
  input: z.object({ params: z.object({ n: z.number().int() }) }),
  output: z.object({ items: z.array(z.number()) }),
  handler: (input) => ({ items: Array.from({ length: input.params.n }, (_, i) => i) }),
});
`,
  'tasks/sleep.ts': `import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask, z } from 'ork/task';
export default defineTask({
  input: z.object({ item: z.number() }),
  output: z.object({ item: z.number(), start: z.number(), end: z.number(), pid: z.number() }),
  handler: async (input) => {
    const start = Date.now();
    await sleep(300);
    return { item: input.item, start, end: Date.now(), pid: process.pid };
  },
});
`,
  'tasks/sleep.py': `import os
import time

from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    item: int


@task
def main(input: Input):
    start = int(time.time() * 1000)
    time.sleep(0.3)
    return {"item": input.item, "start": start, "end": int(time.time() * 1000), "pid": os.getpid()}
`,
};

beforeAll(async () => {
  tmp = temporaryDirectory('ork-node-examples-');
  // The sleepers first and alone: their overlap is what the machine lets them do.
  const sleepers = path.join(tmp.dir, 'examples', 'sleepers');
  for (const [file, content] of Object.entries(SLEEPERS)) {
    mkdirSync(path.dirname(path.join(sleepers, file)), { recursive: true });
    writeFileSync(path.join(sleepers, file), content);
  }
  await runExample('sleepers', sleepers);

  const jobs: (() => Promise<void>)[] = [];
  for (const pattern of PATTERNS) {
    jobs.push(() => runExample(`ts-${pattern}`, copyExample(tmp.dir, `ts-${pattern}`)));
    jobs.push(() => runExample(pattern, copyExample(tmp.dir, pattern)));
  }
  jobs.push(() => runExample('mixed-languages', copyExample(tmp.dir, 'mixed-languages')));
  // ts-foreach-aggregate has 3 files, fewer than its `concurrency: 8`: a copy with 12 files shows the cap reached.
  const wide = copyForeachAggregateWide(tmp.dir, 'ts-foreach-aggregate');
  jobs.push(() => runExample('ts-foreach-aggregate-wide', wide));
  jobs.push(() => runExample('ts-conditional', copyExample(tmp.dir, 'ts-conditional')));
  jobs.push(() => runExample('ts-conditional-dry-run', copyExample(tmp.dir, 'ts-conditional', 'ts-conditional-dry-run'), ['--input', '{"mode": "dry-run"}']));
  jobs.push(() => runExample('ts-on-failure', copyExample(tmp.dir, 'ts-on-failure')));
  jobs.push(() => runExample('ts-on-failure-fail', copyExample(tmp.dir, 'ts-on-failure', 'ts-on-failure-fail'), ['--input', '{"fail": true}']));
  await inBatches(jobs, 4);
}, 300_000);

afterAll(() => tmp?.remove());

describe('node examples run end to end (ork run --json)', () => {
  it('every seed pattern has a node twin, and there is a mixed python/node example', () => {
    const names = workflowDirectories(EXAMPLES_DIR).map((e) => e.name);
    for (const pattern of PATTERNS) expect(names).toContain(`ts-${pattern}`);
    expect(names).toContain('mixed-languages');
    for (const pattern of [...PATTERNS, ...CONTROL_FLOW]) {
      const yaml = readFileSync(path.join(EXAMPLES_DIR, `ts-${pattern}`, 'workflow.yaml'), 'utf8');
      const twin = readFileSync(path.join(EXAMPLES_DIR, pattern, 'workflow.yaml'), 'utf8');
      // the same workflow, with node tasks in .ts files
      expect(yaml).toBe(twin.replaceAll('executor: python', 'executor: node').replace(/(file: tasks\/\w+)\.py/g, '$1.ts'));
      expect(readFileSync(path.join(EXAMPLES_DIR, `ts-${pattern}`, 'README.md'), 'utf8')).toMatch(/^# ts-/);
    }
  });

  it.each(PATTERNS)('ts-%s: the same outputs and instance counts as its Python twin', (pattern) => {
    const ts = run(`ts-${pattern}`);
    const py = run(pattern);
    expect(py.json.status, py.stderr).toBe('SUCCEEDED');
    const counts = Object.fromEntries(Object.entries(py.json.tasks).map(([task, c]) => [task, c.instances]));
    expectInstances(run(`ts-${pattern}`), counts);
    expect(ts.json.outputs).toStrictEqual(py.json.outputs);
  });

  it('ts-static-parallel: 4 instances, 3 months each, a summary per month', () => {
    const { json, tmp: tmpdir } = run('ts-static-parallel');
    expectInstances(run('ts-static-parallel'), { process: 4 });
    expect(json.outputs).toStrictEqual({ process: [{ processed: 3 }, { processed: 3 }, { processed: 3 }, { processed: 3 }] });
    expect(readdirSync(path.join(tmpdir, 'ork-examples', 'ts-static-parallel')).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}.json`),
    );
  });

  it('ts-dynamic-count: as many instances as discover counted', () => {
    const { json, tmp: tmpdir } = run('ts-dynamic-count');
    expectInstances(run('ts-dynamic-count'), { discover: 1, process: 3 });
    expect(json.outputs.discover).toStrictEqual({ count: 3 });
    expect(readdirSync(path.join(tmpdir, 'ork-examples', 'ts-dynamic-count')).sort()).toEqual([
      'date=2024-01-13.json',
      'date=2024-01-14.json',
      'date=2024-01-15.json',
    ]);
  });

  it('ts-foreach-aggregate: one instance per file, the sum of rows; 8 at once of 12 files, never more', () => {
    expect(run('ts-foreach-aggregate').json.outputs.aggregate).toStrictEqual({ total_rows: 9, files_processed: 3 });
    expectPeak(run('ts-foreach-aggregate'), 'process', 8);
    const { json, tmp: tmpdir } = run('ts-foreach-aggregate');
    // output_file is relative to ork-examples/ts-foreach-aggregate/ in the temporary directory
    expect((json.outputs.process as { output_file: string }[])[0]?.output_file).toBe('processed/2024-01-15/orders-berlin.csv');
    expect(readFileSync(path.join(tmpdir, 'ork-examples', 'ts-foreach-aggregate', 'processed', '2024-01-15', 'orders-berlin.csv'), 'utf8')).toBe(
      'order_id,product,quantity,unit_price,total\nB-1,espresso,2,3,6\nB-2,latte,1,4,4\nB-3,croissant,3,2,6\n',
    );
    expectInstances(run('ts-foreach-aggregate-wide'), { discover: 1, process: 12, aggregate: 1 });
    expect(run('ts-foreach-aggregate-wide').json.outputs.aggregate).toStrictEqual({ total_rows: 36, files_processed: 12 });
    expectPeak(run('ts-foreach-aggregate-wide'), 'process', 8);
  });

  it('ts-concurrency-limit: 10 pages, 4 at a time, at least three waves of 0.5 s', () => {
    const { json, tmp: tmpdir } = run('ts-concurrency-limit');
    expectInstances(run('ts-concurrency-limit'), { discover: 1, process: 10 });
    expect(readdirSync(path.join(tmpdir, 'ork-examples', 'ts-concurrency-limit'))).toHaveLength(10);
    expectPeak(run('ts-concurrency-limit'), 'process', 4);
    expect(json.tasks.process?.seconds).toBeGreaterThanOrEqual(1.5);
  });

  it('ts-combined: regions × 4 workers, flattened region by region', () => {
    const { json, tmp: tmpdir } = run('ts-combined');
    expectInstances(run('ts-combined'), { discover_regions: 1, process_region: 12, aggregate: 1 });
    expect(readdirSync(path.join(tmpdir, 'ork-examples', 'ts-combined'))).toHaveLength(12);
    const perInstance = json.outputs.process_region as { region: string; worker: number }[];
    expect(perInstance.map((p) => `${p.region}/${p.worker}`)).toEqual(['apac', 'eu', 'us'].flatMap((r) => [0, 1, 2, 3].map((w) => `${r}/${w}`)));
  });

  it('mixed-languages: outputs pass python → node → python → node → python, through a foreach each way', () => {
    const { json, dir } = run('mixed-languages');
    expectInstances(run('mixed-languages'), { regions: 1, region_sales: 3, rank: 1, share: 3, report: 1 });
    expectPeak(run('mixed-languages'), 'region_sales', 2);
    const regionsDir = path.join(dir, 'data', 'regions');
    const regions = readdirSync(regionsDir)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => f.replace(/\.csv$/, ''))
      .sort();
    expect(json.outputs.regions).toStrictEqual({ regions });
    expect(json.outputs.region_sales).toStrictEqual(
      regions.map((region) => {
        const rows = readFileSync(path.join(regionsDir, `${region}.csv`), 'utf8')
          .trim()
          .split('\n')
          .slice(1);
        return { region, stores: rows.length, sales: rows.reduce((n, row) => n + Number(row.split(',')[1]), 0) };
      }),
    );
    const sales = json.outputs.region_sales as { region: string; sales: number }[];
    const total = sales.reduce((n, r) => n + r.sales, 0);
    const ranking = [...sales].sort((a, b) => b.sales - a.sales || a.region.localeCompare(b.region)).map((r) => ({ region: r.region, sales: r.sales }));
    expect(json.outputs.rank).toStrictEqual({ total_sales: total, ranking });
    const share = ranking.map((r, i) => {
      const percent = Math.round((r.sales / total) * 1000) / 10;
      return { region: r.region, position: i + 1, percent, label: `#${i + 1} ${r.region}: ${r.sales} EUR (${percent}%)` };
    });
    expect(json.outputs.share).toStrictEqual(share);
    expect(json.outputs.report).toStrictEqual({
      lines: share.map((s) => s.label),
      leader: ranking[0]?.region,
      percent_total: Math.round(share.reduce((n, s) => n + s.percent, 0) * 10) / 10,
    });
  });

  it('ts-conditional: files and no dry run, so every task runs and report sees the totals', () => {
    const { json, tmp: tmpdir } = run('ts-conditional');
    expectInstances(run('ts-conditional'), { discover: 1, process: 3, aggregate: 1, report: 1 });
    expectStatuses('ts-conditional', run('ts-conditional'), { discover: 'succeeded', process: 'succeeded', aggregate: 'succeeded', report: 'succeeded' });
    const files = ['orders-berlin.csv', 'orders-lisbon.csv', 'orders-paris.csv'];
    expect(json.outputs.discover).toStrictEqual({ files: files.map((f) => `data/raw/2024-01-15/${f}`), count: 3 });
    expect((json.outputs.process as { rows: number }[]).map((p) => p.rows)).toEqual([3, 2, 4]);
    expect(json.outputs.aggregate).toStrictEqual({ total_rows: 9, files_processed: 3 });
    const report = { day: '2024-01-15', mode: 'full', files_found: 3, processed: true, total_rows: 9 };
    expect(json.outputs.report).toStrictEqual(report);
    const out = path.join(tmpdir, 'ork-examples', 'ts-conditional');
    expect(readdirSync(path.join(out, 'processed', '2024-01-15')).sort()).toEqual(files);
    expect(JSON.parse(readFileSync(path.join(out, 'report-2024-01-15.json'), 'utf8'))).toStrictEqual(report);
  });

  it('ts-conditional in dry-run: process and aggregate skipped with null outputs, report runs (if: always), the run succeeds', () => {
    const { json, code, stderr, runDir, tmp: tmpdir } = run('ts-conditional-dry-run');
    expect(json.status, stderr).toBe('SUCCEEDED');
    expect(code).toBe(0);
    expectStatuses('ts-conditional-dry-run', run('ts-conditional-dry-run'), {
      discover: 'succeeded',
      process: 'skipped',
      aggregate: 'skipped',
      report: 'succeeded',
    });
    expect(json.tasks.process).toMatchObject({ instances: 0, succeeded: 0, failed: 0 });
    expect(json.outputs.process).toBeNull();
    expect(json.outputs.aggregate).toBeNull();
    const report = { day: '2024-01-15', mode: 'dry-run', files_found: 3, processed: false, total_rows: null };
    expect(json.outputs.report).toStrictEqual(report);
    expect(
      jsonLines<{ task: string }>(path.join(runDir, 'attempts.jsonl'))
        .map((a) => a.task)
        .sort(),
    ).toEqual(['discover', 'report']);
    const out = path.join(tmpdir, 'ork-examples', 'ts-conditional');
    expect(readdirSync(out)).toEqual(['report-2024-01-15.json']);
    expect(JSON.parse(readFileSync(path.join(out, 'report-2024-01-15.json'), 'utf8'))).toStrictEqual(report);
  });

  it('ts-on-failure: load succeeds, the on_failure handler does not run', () => {
    const { json, tmp: tmpdir } = run('ts-on-failure');
    expectInstances(run('ts-on-failure'), { extract: 1, load: 1, on_failure: 0 });
    expectStatuses('ts-on-failure', run('ts-on-failure'), { extract: 'succeeded', load: 'succeeded', on_failure: 'skipped' });
    expect(json.outputs.load).toStrictEqual({ loaded: 9, revenue: 49 });
    expect(Object.keys(json.outputs)).toEqual(['extract', 'load']);
    const out = path.join(tmpdir, 'ork-examples', 'ts-on-failure');
    expect(JSON.parse(readFileSync(path.join(out, 'warehouse', 'orders.json'), 'utf8'))).toStrictEqual((json.outputs.extract as { orders: unknown }).orders);
    expect(readdirSync(out)).toEqual(['warehouse']);
  });

  it('ts-on-failure with fail: load fails twice, then the handler runs once with the failure, and the run ends FAILED with the original error', () => {
    const { json, code, stderr, runDir, tmp: tmpdir } = run('ts-on-failure-fail');
    expect(json.status, stderr).toBe('FAILED');
    expect(code).toBe(1);
    expect(json.error).toMatchObject({ error: 'WarehouseUnavailable', task: 'load', instance: 'load' });
    expectStatuses('ts-on-failure-fail', run('ts-on-failure-fail'), { extract: 'succeeded', load: 'failed', on_failure: 'succeeded' });
    const attempts = jsonLines<{ task: string; attempt: number; status: string; input: Record<string, unknown> }>(path.join(runDir, 'attempts.jsonl'));
    expect(attempts.map((a) => [a.task, a.attempt, a.status])).toEqual([
      ['extract', 1, 'succeeded'],
      ['load', 1, 'failed'],
      ['load', 2, 'failed'],
      ['on_failure', 1, 'succeeded'],
    ]);
    // What the handler received, as it wrote it after failureSchema parsed it, and as it was handed.
    const alert = JSON.parse(readFileSync(path.join(tmpdir, 'ork-examples', 'ts-on-failure', 'alerts', 'alert.json'), 'utf8')) as Record<string, unknown>;
    expect(alert).toStrictEqual({
      task: 'load',
      instance: 'load',
      error: 'WarehouseUnavailable',
      cause: expect.stringContaining('warehouse unreachable (attempt 2)'),
      execution_id: expect.stringMatching(new RegExp(`^arn:aws:states:[\\w-]+:\\d+:execution:ts-on-failure-fail:${json.runId}$`)),
    });
    const handed = attempts.find((a) => a.task === 'on_failure')?.input;
    expect(handed?.failure).toStrictEqual(alert);
    expect(handed?.params).toStrictEqual({ fail: true });
    expect(readdirSync(path.join(tmpdir, 'ork-examples', 'ts-on-failure'))).toEqual(['alerts']);
  });

  it('task-side: instances that sleep 300 ms really overlap `concurrency` at a time, node and Python side by side', () => {
    expectInstances(run('sleepers'), { discover: 1, node_capped: 24, python_capped: 24 });
    expectPeak(run('sleepers'), 'node_capped', 3);
    expectPeak(run('sleepers'), 'python_capped', 2);
    const { json } = run('sleepers');
    for (const [task, concurrency] of [
      ['node_capped', 3],
      ['python_capped', 2],
    ] as const) {
      const intervals = json.outputs[task] as { item: number; start: number; end: number; pid: number }[];
      expect(intervals.map((i) => i.item)).toEqual(Array.from({ length: 24 }, (_, i) => i));
      for (const i of intervals) expect(i.end - i.start).toBeGreaterThanOrEqual(290);
      expect(maxOverlap(intervals), task).toBe(concurrency);
      // one invocation per worker at a time: never two overlapping instances in one process
      for (const a of intervals) for (const b of intervals) if (a !== b && a.pid === b.pid) expect(a.end <= b.start || b.end <= a.start).toBe(true);
    }
  });

  it('no example writes into its own folder (on Lambda it is read-only): results go to the temporary directory', () => {
    for (const [key, { files }] of runs) expect(files.after, key).toEqual(files.before);
  });

  it('--json keeps stdout to the one object; progress goes to stderr', () => {
    for (const [key, { stdout, stderr, json }] of runs) {
      expect(stdout.trim().startsWith('{') && stdout.trim().endsWith('}'), key).toBe(true);
      const error = json.status === 'FAILED' ? ['error'] : [];
      expect(Object.keys(json).sort(), key).toEqual([...error, 'outputs', 'parentEvents', 'runId', 'status', 'tasks']);
      expect(stderr, key).toMatch(/succeeded/);
    }
  });
});

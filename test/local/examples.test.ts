import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runOrk, runWorkflowCli, type CliRun, type RunSummaryJson, type TaskCounts } from '../support/cli.js';
import { copyExample, copyForeachAggregateWide, filesOf } from '../support/example-copies.js';
import { expectInstances, expectPeak, expectStatuses } from '../support/run-expectations.js';
import { EXAMPLES_DIR, workflowDirectories } from '../support/workflows.js';

/**
 * Every example, run end to end through the CLI (`ork run <example> --json`) on a copy in a temporary
 * directory, each run with a TMPDIR of its own: the examples write their results to the temporary directory
 * (Lambda's code folder is read-only), never into their own folder. The expected outputs are computed here
 * from each example's data files; instance counts come from the --json summary and are checked against
 * attempts.jsonl; for a task with `concurrency`, the most instances seen running at once (run.json
 * `tasks.<task>.peakRunning`) must equal the cap whenever there are more instances than that, never above.
 * The runs are started together in beforeAll: each spends most of its time starting Python.
 */

/** The --json summary, with what the examples' tests read beyond the fields most tests do. */
interface JsonSummary extends RunSummaryJson {
  parentEvents: number;
  toleratedFailures?: { task: string; instance: string; error: string; message: string }[];
}

interface ExampleRun extends CliRun<JsonSummary> {
  readonly dir: string;
  /** The run's TMPDIR, where the example writes its results (under ork-examples/<example>/). */
  readonly tmp: string;
  /** The example's files before the run and after it (__pycache__ aside). */
  readonly files: { readonly before: string[]; readonly after: string[] };
  /** run.json */
  readonly record: { status: string; tasks: Record<string, TaskCounts>; workers: number };
  /** attempts.jsonl, one object per line */
  readonly attempts: { task: string; status: string; attempt: number; input: Record<string, unknown> }[];
}

/** The Python examples; their node twins (ts-*) and mixed-languages run in node-examples.test.ts. */
const pythonExamples = () => workflowDirectories(EXAMPLES_DIR).filter(({ name }) => !name.startsWith('ts-') && name !== 'mixed-languages');
/**
 * How an example is started here: with its params defaults, except s3-landing, whose params are required and
 * which is started as its S3 trigger starts it, by its sample event (the command its README shows).
 */
const startArgs = (name: string, dir: string): string[] => (name === 's3-landing' ? ['--event', `@${path.join(dir, 'events', 'object-created.json')}`] : []);
let work: string;
const runs = new Map<string, ExampleRun>();

/** `args` after `ork run DIR --json`, e.g. `--input` (the examples that do something else for other params). */
async function runExample(key: string, dir: string, args: string[] = []): Promise<void> {
  const runsDir = path.join(work, 'runs', key);
  const tmp = path.join(work, 'tmp', key);
  mkdirSync(tmp, { recursive: true });
  const before = filesOf(dir);
  const result = await runWorkflowCli<JsonSummary>(dir, runsDir, args, { TMPDIR: tmp }, { cwd: work });
  runs.set(key, {
    ...result,
    dir,
    tmp,
    files: { before, after: filesOf(dir) },
    record: JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as ExampleRun['record'],
    attempts: jsonLines<ExampleRun['attempts'][number]>(path.join(result.runDir, 'attempts.jsonl')),
  });
}

function run(key: string): ExampleRun {
  const found = runs.get(key);
  if (!found) throw new Error(`no run of ${key}: see the beforeAll error`);
  return found;
}

function csv(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const names = (header ?? '').split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [names[i], value])));
}

const sorted = (dir: string, pattern: RegExp): string[] =>
  readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort();

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-examples-'));
  const jobs = pythonExamples().map(({ name }) => {
    const dir = copyExample(work, name);
    return runExample(name, dir, startArgs(name, dir));
  });
  // foreach-aggregate has 3 files, fewer than its `concurrency: 8`: a copy with 12 files shows the cap reached.
  const wide = copyForeachAggregateWide(work, 'foreach-aggregate');
  jobs.push(runExample('foreach-aggregate-wide', wide));
  // The same examples with the params that take the other path.
  jobs.push(runExample('conditional-dry-run', copyExample(work, 'conditional', 'conditional-dry-run'), ['--input', '{"mode": "dry-run"}']));
  jobs.push(runExample('conditional-empty-day', copyExample(work, 'conditional', 'conditional-empty-day'), ['--input', '{"day": "2024-01-16"}']));
  jobs.push(runExample('on-failure-fail', copyExample(work, 'on-failure', 'on-failure-fail'), ['--input', '{"fail": true}']));
  // s3-landing as its schedule starts it: the sweep of the day before 06:00 Paris on 2021-11-13.
  const sweep = ['--input', '{"bucket": "landing-bucket", "key": "incoming/"}', '--scheduled-time', '2021-11-13T06:00:00+01:00'];
  jobs.push(runExample('s3-landing-sweep', copyExample(work, 's3-landing', 's3-landing-sweep'), sweep));
  await Promise.all(jobs);
  // Fourteen runs at once on two cores, many-customers' 200 instances among them: 3 minutes was not always enough for
  // twelve, and the two of s3-landing brought the whole to 4.5 minutes here.
}, 480_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('examples run end to end (ork run --json)', () => {
  it('covers every example', () => {
    expect(pythonExamples().map((e) => e.name)).toEqual([
      'combined',
      'concurrency-limit',
      'conditional',
      'dynamic-count',
      'foreach-aggregate',
      'many-customers',
      'on-failure',
      's3-landing',
      'static-parallel',
    ]);
  });

  it('static-parallel: 4 instances split the 12 months by index', () => {
    const { json, dir, tmp } = run('static-parallel');
    const months = csv(path.join(dir, 'data', 'sales.csv'));
    expectInstances(run('static-parallel'), { process: 4 });
    expect(json.outputs).toStrictEqual({ process: [0, 1, 2, 3].map((index) => ({ processed: months.filter((_, i) => i % 4 === index).length })) });
    expect(sorted(path.join(tmp, 'ork-examples', 'static-parallel'), /\.json$/)).toEqual(months.map((m) => `${m.month}.json`).sort());
  });

  it('dynamic-count: as many instances as discover counted partitions', () => {
    const { json, dir, tmp } = run('dynamic-count');
    const events = path.join(dir, 'data', 'events');
    const partitions = sorted(events, /^date=.*\.csv$/);
    expectInstances(run('dynamic-count'), { discover: 1, process: partitions.length });
    expect(json.outputs).toStrictEqual({
      discover: { count: partitions.length },
      process: partitions.map((file) => ({ partition: file.replace(/\.csv$/, ''), rows: csv(path.join(events, file)).length })),
    });
    expect(sorted(path.join(tmp, 'ork-examples', 'dynamic-count'), /\.json$/)).toEqual(partitions.map((file) => file.replace(/\.csv$/, '.json')));
  });

  it('foreach-aggregate: one instance per file, then the sum of rows', () => {
    const { json, dir, tmp } = run('foreach-aggregate');
    const prefix = 'data/raw/2024-01-15/';
    const files = sorted(path.join(dir, prefix), /\.csv$/).map((f) => `${prefix}${f}`);
    const rows = files.map((f) => csv(path.join(dir, f)).length);
    expectInstances(run('foreach-aggregate'), { discover: 1, process: files.length, aggregate: 1 });
    expect(json.outputs).toStrictEqual({
      discover: { files },
      process: files.map((f, i) => ({ input_file: f, output_file: f.replace('data/raw/', 'processed/'), rows: rows[i] })),
      aggregate: { total_rows: rows.reduce((a, b) => a + b, 0), files_processed: files.length },
    });
    expect(json.outputs.aggregate).toStrictEqual({ total_rows: 9, files_processed: 3 });
    expectPeak(run('foreach-aggregate'), 'process', 8);
    // output_file is relative to ork-examples/foreach-aggregate/ in the temporary directory
    const written = path.join(tmp, 'ork-examples', 'foreach-aggregate', 'processed', '2024-01-15', 'orders-berlin.csv');
    // (Python's csv module ends rows with \r\n)
    expect(readFileSync(written, 'utf8').replaceAll('\r\n', '\n')).toBe(
      'order_id,product,quantity,unit_price,total\nB-1,espresso,2,3,6\nB-2,latte,1,4,4\nB-3,croissant,3,2,6\n',
    );
  });

  it('foreach-aggregate with 12 files: 8 instances run at once, never more', () => {
    const { json } = run('foreach-aggregate-wide');
    expectInstances(run('foreach-aggregate-wide'), { discover: 1, process: 12, aggregate: 1 });
    expect(json.outputs.aggregate).toStrictEqual({ total_rows: 36, files_processed: 12 });
    expectPeak(run('foreach-aggregate-wide'), 'process', 8);
  });

  it('many-customers: 200 customers as a Distributed Map, 2 bad records tolerated, the summary gets the other 198', () => {
    const { json, code } = run('many-customers');
    expect(code).toBe(0);
    expect(json.status).toBe('SUCCEEDED');
    expect(json.tasks.score).toMatchObject({ instances: 200, succeeded: 198, failed: 2, retried: 4 });
    const summary = json.outputs.summarize as { scored: number; top: string[]; failed: string[] };
    expect(summary.scored).toBe(198);
    expect(summary.failed).toEqual(['item 96: ValueError', 'item 193: ValueError']);
    expect(summary.top).toHaveLength(3);
    // The parent holds a reference to the results, not 200 outputs.
    expect(json.outputs.score).toEqual({ ork_results: expect.objectContaining({ per_child: 'one' }) });
    expect(json.toleratedFailures?.map((f) => f.instance)).toEqual(['score[item 96]', 'score[item 193]']);
    expect(json.parentEvents).toBeLessThan(30);
  });

  it('concurrency-limit: 10 pages, 4 at a time', () => {
    const { json, dir, tmp } = run('concurrency-limit');
    const pages = sorted(path.join(dir, 'data', 'pages'), /^page-.*\.json$/);
    const expected = pages.map((file) => {
      const page = JSON.parse(readFileSync(path.join(dir, 'data', 'pages', file), 'utf8')) as { page: number; customers: { orders: number }[] };
      return { page: page.page, customers: page.customers.length, orders: page.customers.reduce((n, c) => n + c.orders, 0) };
    });
    expectInstances(run('concurrency-limit'), { discover: 1, process: 10 });
    expect(json.outputs).toStrictEqual({ discover: { files: pages.map((p) => `data/pages/${p}`) }, process: expected });
    expectPeak(run('concurrency-limit'), 'process', 4);
    expect(sorted(path.join(tmp, 'ork-examples', 'concurrency-limit'), /\.json$/)).toEqual(pages);
    // Each instance sleeps 0.5 s: at most 4 at a time is at least 3 waves. The pool grows for instances
    // that wait on I/O, so they really run side by side (the discover worker plus three more).
    expect(json.tasks.process?.seconds).toBeGreaterThanOrEqual(1.5);
    expect(run('concurrency-limit').record.workers).toBeGreaterThanOrEqual(3);
  });

  it('combined: regions × 4 workers, flattened region by region, then totals', () => {
    const { json, dir, tmp } = run('combined');
    const regionsDir = path.join(dir, 'data', 'regions');
    const regions = sorted(regionsDir, /\.csv$/).map((f) => f.replace(/\.csv$/, ''));
    const perInstance = regions.flatMap((region) => {
      const stores = csv(path.join(regionsDir, `${region}.csv`));
      return [0, 1, 2, 3].map((worker) => {
        const mine = stores.filter((_, i) => i % 4 === worker);
        return { region, worker, stores: mine.length, sales: mine.reduce((n, s) => n + Number(s.sales), 0) };
      });
    });
    expectInstances(run('combined'), { discover_regions: 1, process_region: regions.length * 4, aggregate: 1 });
    expect(sorted(path.join(tmp, 'ork-examples', 'combined'), /\.json$/)).toEqual(regions.flatMap((r) => [0, 1, 2, 3].map((w) => `${r}-${w}.json`)).sort());
    expect(json.outputs).toStrictEqual({
      discover_regions: { regions },
      process_region: perInstance,
      aggregate: {
        instances: regions.length * 4,
        stores: perInstance.reduce((n, p) => n + p.stores, 0),
        total_sales: perInstance.reduce((n, p) => n + p.sales, 0),
        sales_by_region: Object.fromEntries(regions.map((r) => [r, perInstance.filter((p) => p.region === r).reduce((n, p) => n + p.sales, 0)])),
      },
    });
  });

  it('conditional: the day has files and the run is not a dry run, so every task runs and report sees the totals', () => {
    const { json, dir, tmp } = run('conditional');
    const prefix = 'data/raw/2024-01-15/';
    const files = sorted(path.join(dir, prefix), /\.csv$/).map((f) => `${prefix}${f}`);
    const rows = files.map((f) => csv(path.join(dir, f)).length);
    expectInstances(run('conditional'), { discover: 1, process: files.length, aggregate: 1, report: 1 });
    expectStatuses('conditional', run('conditional'), { discover: 'succeeded', process: 'succeeded', aggregate: 'succeeded', report: 'succeeded' });
    const report = { day: '2024-01-15', mode: 'full', files_found: 3, processed: true, total_rows: 9 };
    expect(json.outputs).toStrictEqual({
      discover: { files, count: files.length },
      process: files.map((f, i) => ({ input_file: f, output_file: f.replace('data/raw/', 'processed/'), rows: rows[i] })),
      aggregate: { total_rows: 9, files_processed: 3 },
      report,
    });
    const out = path.join(tmp, 'ork-examples', 'conditional');
    expect(sorted(path.join(out, 'processed', '2024-01-15'), /\.csv$/)).toEqual(files.map((f) => path.basename(f)));
    expect(JSON.parse(readFileSync(path.join(out, 'report-2024-01-15.json'), 'utf8'))).toStrictEqual(report);
  });

  it.each([
    ['conditional-dry-run', { mode: 'dry-run', day: '2024-01-15', files_found: 3 }],
    ['conditional-empty-day', { mode: 'full', day: '2024-01-16', files_found: 0 }],
  ] as const)('%s: process is skipped and aggregate with it, report runs (if: always) with aggregate null; the run succeeds', (key, expected) => {
    const { json, code, stderr, tmp, attempts } = run(key);
    expect(json.status, stderr).toBe('SUCCEEDED');
    expect(code).toBe(0);
    expectStatuses(key, run(key), { discover: 'succeeded', process: 'skipped', aggregate: 'skipped', report: 'succeeded' });
    expect(json.tasks.process).toMatchObject({ instances: 0, succeeded: 0, failed: 0 });
    expect(json.tasks.aggregate).toMatchObject({ instances: 0, succeeded: 0, failed: 0 });
    const report = { day: expected.day, mode: expected.mode, files_found: expected.files_found, processed: false, total_rows: null };
    expect(json.outputs.process).toBeNull();
    expect(json.outputs.aggregate).toBeNull();
    expect(json.outputs.report).toStrictEqual(report);
    expect((json.outputs.discover as { count: number }).count).toBe(expected.files_found);
    // No skipped task ran; report was handed aggregate as null (processed: false, total_rows: null above).
    expect(attempts.map((a) => a.task).sort()).toEqual(['discover', 'report']);
    const out = path.join(tmp, 'ork-examples', 'conditional');
    expect(readdirSync(out)).toEqual([`report-${expected.day}.json`]);
    expect(JSON.parse(readFileSync(path.join(out, `report-${expected.day}.json`), 'utf8'))).toStrictEqual(report);
    expect(stderr).toMatch(/process +skipped/);
  });

  it('on-failure: load succeeds, the on_failure handler does not run', () => {
    const { json, dir, tmp } = run('on-failure');
    const orders = csv(path.join(dir, 'data', 'orders.csv')).map((o) => ({
      order_id: o.order_id,
      product: o.product,
      total: Number(o.quantity) * Number(o.unit_price),
    }));
    expectInstances(run('on-failure'), { extract: 1, load: 1, on_failure: 0 });
    expectStatuses('on-failure', run('on-failure'), { extract: 'succeeded', load: 'succeeded', on_failure: 'skipped' });
    expect(json.outputs).toStrictEqual({ extract: { orders }, load: { loaded: 9, revenue: 49 } });
    expect(orders.reduce((n, o) => n + o.total, 0)).toBe(49);
    const out = path.join(tmp, 'ork-examples', 'on-failure');
    expect(JSON.parse(readFileSync(path.join(out, 'warehouse', 'orders.json'), 'utf8'))).toStrictEqual(orders);
    expect(readdirSync(out)).toEqual(['warehouse']);
  });

  it('on-failure with fail: load fails twice, then the handler runs once with the failure, and the run ends FAILED with the original error', () => {
    const { json, code, stderr, tmp, attempts, record } = run('on-failure-fail');
    expect(json.status, stderr).toBe('FAILED');
    expect(record.status).toBe('FAILED');
    expect(code).toBe(1);
    expect(json.error).toMatchObject({ error: 'WarehouseUnavailable', task: 'load', instance: 'load' });
    expect(json.error?.message).toMatch(/warehouse unreachable \(attempt 2\)/);
    expectStatuses('on-failure-fail', run('on-failure-fail'), { extract: 'succeeded', load: 'failed', on_failure: 'succeeded' });
    expect(attempts.map((a) => [a.task, a.attempt, a.status])).toEqual([
      ['extract', 1, 'succeeded'],
      ['load', 1, 'failed'],
      ['load', 2, 'failed'],
      ['on_failure', 1, 'succeeded'],
    ]);
    expect(Object.keys(json.outputs)).toEqual(['extract']);
    // What the handler received, as it wrote it from its Failure model, and as it was handed.
    const alert = JSON.parse(readFileSync(path.join(tmp, 'ork-examples', 'on-failure', 'alerts', 'alert.json'), 'utf8')) as Record<string, unknown>;
    expect(alert).toStrictEqual({
      task: 'load',
      instance: 'load',
      error: 'WarehouseUnavailable',
      cause: expect.stringContaining('warehouse unreachable (attempt 2)'),
      execution_id: expect.stringMatching(new RegExp(`^arn:aws:states:[\\w-]+:\\d+:execution:on-failure-fail:${json.runId}$`)),
    });
    const handed = attempts.find((a) => a.task === 'on_failure')?.input;
    expect(handed?.failure).toStrictEqual(alert);
    expect(handed?.params).toStrictEqual({ fail: true });
    expect(readdirSync(path.join(tmp, 'ork-examples', 'on-failure'))).toEqual(['alerts']);
    expect(stderr).toMatch(/on_failure +succeeded/);
  });

  /** The orders of one landed object as load writes them: the CSV's fields as text, and each order's total. */
  const landedOrders = (dir: string, key: string) =>
    csv(path.join(dir, 'data', 'landing-bucket', key)).map((o) => ({ ...o, total: Number(o.quantity) * Number(o.unit_price) }));
  const loaded = (dir: string, key: string) => {
    const orders = landedOrders(dir, key);
    return { key, rows: orders.length, revenue: orders.reduce((n, o) => n + o.total, 0) };
  };

  it('s3-landing, started by its sample S3 event: the trigger maps bucket and key into params, and that one object is loaded', () => {
    const { json, dir, tmp, attempts } = run('s3-landing');
    const key = 'incoming/2021-11-12/orders-paris.csv';
    expectInstances(run('s3-landing'), { locate: 1, load: 1, report: 1 });
    // The input is what the trigger's params map out of the event: the bucket and key fields, nothing else.
    expect(attempts.find((a) => a.task === 'locate')?.input.params).toStrictEqual({ bucket: 'landing-bucket', key });
    const report = { bucket: 'landing-bucket', mode: 'object', day: '2021-11-12', scheduled_time: null, objects: [key], rows: 4, revenue: 19 };
    expect(json.outputs).toStrictEqual({ locate: { mode: 'object', day: '2021-11-12', files: [key], count: 1 }, load: [loaded(dir, key)], report });
    const out = path.join(tmp, 'ork-examples', 's3-landing');
    expect(JSON.parse(readFileSync(path.join(out, 'warehouse', '2021-11-12', 'orders-paris.json'), 'utf8'))).toStrictEqual(landedOrders(dir, key));
    expect(JSON.parse(readFileSync(path.join(out, 'reports', 'orders-paris-2021-11-12.json'), 'utf8'))).toStrictEqual(report);
  });

  it('s3-landing, started as its schedule would be (--scheduled-time): params.scheduled_time in UTC, and every object of the day before is loaded', () => {
    const { json, dir, tmp, attempts } = run('s3-landing-sweep');
    const day = 'incoming/2021-11-12/';
    const keys = sorted(path.join(dir, 'data', 'landing-bucket', day), /\.csv$/).map((f) => `${day}${f}`);
    expect(keys).toHaveLength(2);
    expectInstances(run('s3-landing-sweep'), { locate: 1, load: keys.length, report: 1 });
    expect(attempts.find((a) => a.task === 'locate')?.input.params).toStrictEqual({
      bucket: 'landing-bucket',
      key: 'incoming/',
      scheduled_time: '2021-11-13T05:00:00Z',
    });
    const loads = keys.map((k) => loaded(dir, k));
    const report = {
      bucket: 'landing-bucket',
      mode: 'sweep',
      day: '2021-11-12',
      scheduled_time: '2021-11-13T05:00:00Z',
      objects: keys,
      rows: loads.reduce((n, l) => n + l.rows, 0),
      revenue: loads.reduce((n, l) => n + l.revenue, 0),
    };
    expect(json.outputs).toStrictEqual({ locate: { mode: 'sweep', day: '2021-11-12', files: keys, count: keys.length }, load: loads, report });
    expect(JSON.parse(readFileSync(path.join(tmp, 'ork-examples', 's3-landing', 'reports', 'sweep-2021-11-12.json'), 'utf8'))).toStrictEqual(report);
  });

  it('s3-landing: an event no trigger matches is exit 2, one line naming the field, and nothing runs', async () => {
    const dir = path.join(EXAMPLES_DIR, 's3-landing');
    const runsDir = path.join(work, 'runs', 's3-landing-not-matching');
    const result = await runOrk(['run', dir, '--event', `@${path.join(dir, 'events', 'not-matching.json')}`], work, { ORK_RUNS_DIR: runsDir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/detail\.object\.key/);
    expect(existsSync(runsDir) ? readdirSync(runsDir) : []).toEqual([]);
  });

  it('no example writes into its own folder (on Lambda it is read-only): results go to the temporary directory', () => {
    for (const [key, { files }] of runs) expect(files.after, key).toEqual(files.before);
  });

  it('--json keeps stdout to the one object; progress goes to stderr', () => {
    for (const key of runs.keys()) {
      const { stdout, stderr, json } = run(key);
      expect(stdout.trim().startsWith('{') && stdout.trim().endsWith('}'), key).toBe(true);
      const tolerated = json.toleratedFailures ? ['toleratedFailures'] : [];
      const error = json.status === 'FAILED' ? ['error'] : [];
      expect(Object.keys(json).sort(), key).toEqual([...error, 'outputs', 'parentEvents', 'runId', 'status', 'tasks', ...tolerated]);
      expect(stderr, key).toMatch(/succeeded/);
    }
  });
});

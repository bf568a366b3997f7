/**
 * Untyped against typed tasks in a large `foreach` (issue 13, "Untyped tasks are quadratic"): the same
 * Distributed Map of a no-op Python task over `params.n` integers, once with a pydantic Input that declares
 * only `item`, once written `def main(input)` (a dict: every field). Before the fix each untyped instance
 * read and walked the whole stored fan-out list (3,000 items: 13.7 s against 1.7 s; 100,000: 27 items/s).
 *
 * Printed for each n: wall time of each kind, their ratio (target ≤ 1.5 at 100,000), and the bytes of the
 * largest and the mean instance payload as the state machine hands it to the task (the `ork_items`
 * reference, never the list: the same at every n). Compiled with the project's compiler and run by
 * `runLocally` (the engine behind `ork run`). Then the AWS cost model's figures for the same workflow: S3
 * GETs of the stored list and reading time per instance, by signature and runtime.
 *
 * Run alone with `npx tsx bench/scale-untyped.ts [n …]` (default 1,000 and 100,000), or through `npm run bench`.
 */
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { outermostMaps, PRICES, readingOf, storedInputReads, type Signature } from '../lib/cost/index.js';
import { LIST_TASK, NOOP_TASK } from './support/python-tasks.js';
import { checkNoopInstances, compileBenchWorkflow, runBenchWorkflow } from './support/run-workflow.js';
import { writeWorkflowFolder } from './support/workflow-folder.js';

const SIZES = [1_000, 100_000];
const TARGET_RATIO = 1.5;

const WORKFLOW = `params:
  n: 10
tasks:
  make:
    executor: python
    file: tasks/make.py
  noop:
    executor: python
    file: tasks/noop.py
    foreach: make.items
`;

/** The no-op task with the raw dict: it receives `item`, `params` and `make` (whose `items` is the stored list). */
const UNTYPED_NOOP = `from ork import task


@task
def main(input):
    return {"item": input["item"]}
`;

function writeWorkflow(noop: string): string {
  return writeWorkflowFolder('ork-bench-untyped-', { 'workflow.yaml': WORKFLOW, 'tasks/make.py': LIST_TASK, 'tasks/noop.py': noop });
}

interface Figures {
  readonly seconds: number;
  readonly maxPayloadBytes: number;
  readonly meanPayloadBytes: number;
}

async function runOnce(noop: string, n: number): Promise<Figures> {
  const dir = writeWorkflow(noop);
  try {
    const workflow = compileBenchWorkflow(dir);
    let maxPayloadBytes = 0;
    let totalBytes = 0;
    let instances = 0;
    const observer = {
      attemptStarted(attempt: { id: { task: string }; input: unknown }): void {
        if (attempt.id.task !== 'noop') return;
        // The payload as the machine built it (the engine may send a worker less, never more).
        const bytes = Buffer.byteLength(JSON.stringify(attempt.input));
        maxPayloadBytes = Math.max(maxPayloadBytes, bytes);
        totalBytes += bytes;
        instances += 1;
      },
    };
    const started = performance.now();
    const result = await runBenchWorkflow(workflow, n, [observer]);
    const seconds = (performance.now() - started) / 1000;
    checkNoopInstances(result, n);
    const outputs = result.outputs.noop;
    if (Array.isArray(outputs) && (outputs.length !== n || (outputs[n - 1] as { item?: number }).item !== n - 1))
      throw new Error('the outputs are not the items in order');
    return { seconds, maxPayloadBytes, meanPayloadBytes: instances ? totalBytes / instances : 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same comparison in the AWS cost model (lib/cost/stored-reads.ts): S3 GETs of the stored list and the
 * reading time per instance, for the bench's own compiled workflow at n items and a 10 ms task.
 */
export function awsModel(n: number): void {
  const dir = writeWorkflow(NOOP_TASK);
  try {
    const { definition, manifest } = compileBenchWorkflow(dir);
    const map = outermostMaps(definition).find((m) => m.name.startsWith('noop') && m.map.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED');
    if (!map) throw new Error('no Distributed Map for noop');
    const listBytes = Buffer.byteLength(JSON.stringify(Array.from({ length: n }, (_, i) => i)));
    const taskSeconds = 0.01;
    const typed = storedInputReads(map.map, manifest, n, 'not-read', listBytes);
    const rows: [string, ReturnType<typeof storedInputReads>][] = [
      ['typed (item only)', typed],
      ...(['untyped-item-only', 'untyped-reads-upstream'] as Signature[]).flatMap((signature) =>
        (['python', 'node'] as const).map((executor): [string, ReturnType<typeof storedInputReads>] => [
          `${executor} ${signature}`,
          storedInputReads(map.map, manifest, n, readingOf({ executor }, signature), listBytes),
        ]),
      ),
      ['before the fix: untyped, read per instance', storedInputReads(map.map, manifest, n, 'per-instance', listBytes)],
    ];
    console.log(
      `   AWS cost model at ${n.toLocaleString('en')} items (stored list ` +
        `${(listBytes / 1e6).toFixed(2)} MB, ${typed.workers} Lambda containers, a ` +
        `${taskSeconds * 1000} ms task):`,
    );
    for (const [label, reads] of rows) {
      const ratio = (taskSeconds + reads.readSecondsPerInstance) / (taskSeconds + typed.readSecondsPerInstance);
      console.log(
        `     ${label.padEnd(44)} S3 GETs ${String(reads.gets).padStart(7)} ` +
          `($${(reads.gets * PRICES.s3GetUsd).toFixed(4)})  bytes read per instance ` +
          `${fmt(reads.bytesPerInstance, 0).padStart(7)}  time ÷ typed ${fmt(ratio, 2)}×`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export async function run(sizes: readonly number[] = SIZES): Promise<void> {
  console.log(`   ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);
  console.log('   foreach of a no-op Python task over a stored list: pydantic Input (item only) against `def main(input)` (every field):');
  for (const n of sizes) {
    const typed = await runOnce(NOOP_TASK, n);
    const untyped = await runOnce(UNTYPED_NOOP, n);
    const ratio = untyped.seconds / typed.seconds;
    const target = n >= 100_000 ? `  (target ≤ ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})` : '';
    console.log(
      `     ${n.toLocaleString('en').padStart(7)} items  typed ${fmt(typed.seconds).padStart(6)} ` +
        `s  untyped ${fmt(untyped.seconds).padStart(6)} s  untyped ÷ typed ` +
        `${fmt(ratio, 2)}×${target}`,
    );
    console.log(
      `                    payload per instance: typed max ${typed.maxPayloadBytes} B (mean ` +
        `${fmt(typed.meanPayloadBytes, 0)}), untyped max ${untyped.maxPayloadBytes} B (mean ` +
        `${fmt(untyped.meanPayloadBytes, 0)})`,
    );
  }
  awsModel(Math.max(...sizes));
  console.log(`   load average after: ${load()}`);
}

// `npx tsx bench/scale-untyped.ts [n …]` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  await run(sizes.length > 0 ? sizes : SIZES);
}

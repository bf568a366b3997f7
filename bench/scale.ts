/**
 * Large fan-outs under `ork run`: an automatic `foreach` (docs/scale.md) over 40 items (inline Map, the
 * baseline) and 1,000, 10,000 and 100,000 items (Distributed Map) of a no-op Python task, then a downstream task that receives every output and counts
 * them. Compiled with the project's compiler and run by `runLocally` (the engine behind `ork run`), where
 * each item runs as a child execution of the Distributed Map (lib/local/distributed-map-runner.ts).
 *
 * For each n: wall time, peak memory and the number of events in the parent execution's history. Targets:
 * 100,000 instances in under 2 minutes and 2 GB, and a parent history whose size does not depend on n.
 *
 * Memory: `node maxRSS` is process.resourceUsage().maxRSS, this process's peak since it started (so it
 * only grows from one n to the next); `workers` is the largest sum of the resident sizes of this process's
 * child processes (the Python workers), sampled from /proc every 250 ms (Linux only; absent elsewhere).
 *
 * Run alone with `npx tsx bench/scale.ts [n …]`, or with the others through `npm run bench`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileWorkflowFile } from '../lib/file-system-host.js';
import { runLocally, type LocalRunResult } from '../lib/local/run-workflow.js';
import { LIST_TASK, NOOP_TASK } from './support/python-tasks.js';

/** 40 runs inline (the baseline of the parent's history); past 40 the machine takes the Distributed Map. */
const SIZES = [40, 1_000, 10_000, 100_000];
const INLINE_LIMIT = 40;
const TARGET_100K_SECONDS = 120;
const TARGET_100K_MB = 2048;

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
  count:
    executor: python
    file: tasks/count.py
    depends_on: [noop]
`;



const COUNT = `from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    noop: list[dict]


class Output(BaseModel):
    count: int


@task
def main(input: Input) -> Output:
    return Output(count=len(input.noop))
`;

/** A run-time count of no-op instances: above 1,000 it runs in chunks of 1,000 indexes per child execution. */
const COUNTED_WORKFLOW = `params:
  n: 10
tasks:
  size:
    executor: python
    file: tasks/size.py
  noop:
    executor: python
    file: tasks/index.py
    parallel: size.n
  count:
    executor: python
    file: tasks/count.py
    depends_on: [noop]
`;

const SIZE = 'from ork import task\n\n\n@task\ndef main(input):\n    return {"n": input["params"]["n"]}\n';
const INDEX = 'from ork import task\n\n\n@task\ndef main(ctx):\n    return {"item": ctx.parallel_index}\n';

function writeCountedWorkflow(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ork-bench-scale-counted-'));
  mkdirSync(path.join(dir, 'tasks'));
  writeFileSync(path.join(dir, 'workflow.yaml'), COUNTED_WORKFLOW);
  writeFileSync(path.join(dir, 'tasks', 'size.py'), SIZE);
  writeFileSync(path.join(dir, 'tasks', 'index.py'), INDEX);
  writeFileSync(path.join(dir, 'tasks', 'count.py'), COUNT);
  return dir;
}

function writeWorkflow(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ork-bench-scale-'));
  mkdirSync(path.join(dir, 'tasks'));
  writeFileSync(path.join(dir, 'workflow.yaml'), WORKFLOW);
  writeFileSync(path.join(dir, 'tasks', 'make.py'), LIST_TASK);
  writeFileSync(path.join(dir, 'tasks', 'noop.py'), NOOP_TASK);
  writeFileSync(path.join(dir, 'tasks', 'count.py'), COUNT);
  return dir;
}

/** Resident size (kB) of each direct child of this process, from /proc; undefined where there is no /proc. */
function childrenRssKb(): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let total = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      total += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

interface Figures {
  readonly n: number;
  readonly seconds: number;
  readonly result: LocalRunResult;
  readonly nodeMb: number;
  readonly workersMb: number | undefined;
}

async function runOnce(dir: string, n: number): Promise<Figures> {
  // The project's compile() on the file system, as `ork run` calls it.
  const compiled = compileWorkflowFile(path.join(dir, 'workflow.yaml'));
  if (!compiled.definition || !compiled.manifest) throw new Error(`the bench workflow does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  let workersKb = childrenRssKb();
  const sampler = setInterval(() => {
    const now = childrenRssKb();
    if (now !== undefined) workersKb = Math.max(workersKb ?? 0, now);
  }, 250);
  const started = performance.now();
  try {
    const result = await runLocally({ definition: compiled.definition, manifest: compiled.manifest, workflowDir: dir, input: { n }, runsDir: path.join(dir, 'runs') });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 'SUCCEEDED') throw new Error(`the ${n}-instance run ended ${result.status}: ${result.error?.message ?? ''}`);
    if (result.tasks.noop?.succeeded !== n) throw new Error(`expected ${n} noop instances, got ${JSON.stringify(result.tasks.noop)}`);
    if ((result.outputs.count as { count?: number } | undefined)?.count !== n) throw new Error(`the downstream task counted ${JSON.stringify(result.outputs.count)}, not ${n}`);
    return { n, seconds, result, nodeMb: process.resourceUsage().maxRSS / 1024, workersMb: workersKb === undefined ? undefined : workersKb / 1024 };
  } finally {
    clearInterval(sampler);
  }
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

export async function run(sizes: readonly number[] = SIZES): Promise<void> {
  const dir = writeWorkflow();
  try {
    console.log(`   ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);
    console.log('   automatic foreach of a no-op Python task (inline up to 40 items, distributed above), then a task that counts the outputs:');
    const all: Figures[] = [];
    for (const n of sizes) {
      const figures = await runOnce(dir, n);
      all.push(figures);
      const workers = figures.workersMb === undefined ? 'workers not measurable here' : `workers ${fmt(figures.workersMb, 0)} MB (${figures.result.workers} started)`;
      console.log(
        `     ${n.toLocaleString('en').padStart(7)} items${n <= INLINE_LIMIT ? ' (inline)' : '         '}  ${fmt((figures.seconds * 1000) / n, 2).padStart(6)} ms/item  wall ${fmt(figures.seconds).padStart(6)} s   node maxRSS ${fmt(figures.nodeMb, 0)} MB, ${workers}   parent events ${figures.result.parentEvents}`,
      );
      // Each run's record (attempts, payloads, result files) is large at 100,000: not kept.
      rmSync(figures.result.runDir, { recursive: true, force: true });
    }
    const largest = all.find((f) => f.n === 100_000);
    if (largest) {
      const totalMb = largest.nodeMb + (largest.workersMb ?? 0);
      console.log(`   100,000 items: ${fmt(largest.seconds)} s (target < ${TARGET_100K_SECONDS} s: ${largest.seconds < TARGET_100K_SECONDS ? 'met' : 'NOT met'}), ${fmt(totalMb, 0)} MB node + workers (target < ${TARGET_100K_MB} MB: ${totalMb < TARGET_100K_MB ? 'met' : 'NOT met'})`);
    }
    const distributed = all.filter((f) => f.n > INLINE_LIMIT);
    const events = new Set(distributed.map((f) => f.result.parentEvents));
    const inline = all.find((f) => f.n <= INLINE_LIMIT);
    console.log(`   parent events independent of n past ${INLINE_LIMIT}: ${events.size === 1 ? 'yes' : `NO (${[...events].join(', ')})`}${inline ? ` (inline baseline: ${inline.result.parentEvents} events for ${inline.n} items)` : ''}`);
    const first = distributed[0];
    const last = distributed[distributed.length - 1];
    if (first && last && last !== first) {
      const ratio = last.seconds / last.n / (first.seconds / first.n);
      console.log(`   time per item at ${last.n.toLocaleString('en')} ÷ at ${first.n.toLocaleString('en')} (same run): ${fmt(ratio, 2)}× (1.00 = linear)`);
    }
    const counted = writeCountedWorkflow();
    try {
      const figures = await runOnce(counted, 100_000);
      console.log(`   parallel: size.n with n = 100,000 (chunks of 1,000 per child execution): wall ${fmt(figures.seconds)} s, ${fmt(figures.nodeMb, 0)} MB node, parent events ${figures.result.parentEvents}`);
      rmSync(figures.result.runDir, { recursive: true, force: true });
    } finally {
      rmSync(counted, { recursive: true, force: true });
    }
    console.log(`   load average after: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/scale.ts [n …]` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  await run(sizes.length > 0 ? sizes : SIZES);
}

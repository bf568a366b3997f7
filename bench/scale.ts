/**
 * Large fan-outs under `ork run`: an automatic `foreach` (docs/scale.md) over 40 items (inline Map, the
 * baseline) and 1,000, 10,000 and 100,000 items (Distributed Map) of a no-op Python task, then a downstream task that receives every output and counts
 * them. Compiled with the project's compiler and run by `runLocally` (the engine behind `ork run`), where
 * each item runs as a child execution of the Distributed Map (lib/local/distributed-map-runner.ts).
 *
 * For each n: wall time, peak memory, workers started and the number of events in the parent execution's
 * history. 100,000 items run twice: on a quiet machine, and with a CPU burner (a busy loop in a process of
 * its own) taking one core. Targets: 100,000 instances in under 30 s and 1 GB, both times, and a parent
 * history whose size does not depend on n.
 *
 * Memory: the largest proportional set size (Pss, /proc/<pid>/smaps_rollup) of this process and all its
 * descendants (workers, their reapers) together, sampled every second during the run (Linux only; absent
 * elsewhere). Pss counts the pages that processes share (the workers' interpreter and libraries) once, not
 * once per process as summed resident sizes would. `node maxRSS` (process.resourceUsage(), this process's
 * peak since it started) is printed beside it.
 *
 * Run alone with `npx tsx bench/scale.ts [n …]`, or with the others through `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalRunResult } from '../lib/local/run-workflow.js';
import { treePssKb } from './support/process-tree.js';
import { LIST_TASK, NOOP_TASK } from './support/python-tasks.js';
import { checkNoopInstances, compileBenchWorkflow, runBenchWorkflow } from './support/run-workflow.js';
import { writeWorkflowFolder } from './support/workflow-folder.js';

/** 40 runs inline (the baseline of the parent's history); past 40 the machine takes the Distributed Map. */
const SIZES = [40, 1_000, 10_000, 100_000];
const INLINE_LIMIT = 40;
const TARGET_100K_SECONDS = 30;
const TARGET_100K_MB = 1024;
/**
 * Reading smaps_rollup walks every page table: sampled every 250 ms it took a tenth of a core from the run it
 * measured. The peak is reached once the workers run, and lasts: a second catches it.
 */
const PSS_SAMPLE_MS = 1000;

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
  return writeWorkflowFolder('ork-bench-scale-counted-', {
    'workflow.yaml': COUNTED_WORKFLOW,
    'tasks/size.py': SIZE,
    'tasks/index.py': INDEX,
    'tasks/count.py': COUNT,
  });
}

function writeWorkflow(): string {
  return writeWorkflowFolder('ork-bench-scale-', {
    'workflow.yaml': WORKFLOW,
    'tasks/make.py': LIST_TASK,
    'tasks/noop.py': NOOP_TASK,
    'tasks/count.py': COUNT,
  });
}

interface Figures {
  readonly n: number;
  readonly seconds: number;
  readonly result: LocalRunResult;
  readonly nodeMb: number;
  /** Largest Pss of this process and its descendants together (the burner left out). */
  readonly pssMb: number | undefined;
}

/** A process that keeps one core busy until it is stopped. */
function startBurner(): { readonly pid: number; stop(): void } {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return { pid: child.pid ?? -1, stop: () => child.kill('SIGKILL') };
}

async function runOnce(dir: string, n: number, exclude: ReadonlySet<number> = new Set()): Promise<Figures> {
  const workflow = compileBenchWorkflow(dir);
  let pssKb = treePssKb(process.pid, exclude);
  const sampler = setInterval(() => {
    const now = treePssKb(process.pid, exclude);
    if (now !== undefined) pssKb = Math.max(pssKb ?? 0, now);
  }, PSS_SAMPLE_MS);
  const started = performance.now();
  try {
    const result = await runBenchWorkflow(workflow, n);
    const seconds = (performance.now() - started) / 1000;
    checkNoopInstances(result, n);
    if ((result.outputs.count as { count?: number } | undefined)?.count !== n)
      throw new Error(`the downstream task counted ${JSON.stringify(result.outputs.count)}, not ${n}`);
    return { n, seconds, result, nodeMb: process.resourceUsage().maxRSS / 1024, pssMb: pssKb === undefined ? undefined : pssKb / 1024 };
  } finally {
    clearInterval(sampler);
  }
}

const fmt = (value: number, digits = 1): string => value.toFixed(digits);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

export async function run(sizes: readonly number[] = SIZES, options: { readonly counted?: boolean } = {}): Promise<void> {
  const dir = writeWorkflow();
  try {
    console.log(`   ${availableParallelism()} cores, load average ${load()} (1, 5, 15 min)`);
    console.log('   automatic foreach of a no-op Python task (inline up to 40 items, distributed above), then a task that counts the outputs:');
    const all: Figures[] = [];
    const line = (figures: Figures, label = ''): string => {
      const memory = figures.pssMb === undefined ? 'Pss not measurable here' : `Pss ${fmt(figures.pssMb, 0)} MB node + workers`;
      const started = figures.result.workersStarted ?? figures.result.workers;
      return (
        `     ${figures.n.toLocaleString('en').padStart(7)} ` +
        `items${figures.n <= INLINE_LIMIT ? ' (inline)' : '         '}${label}  ` +
        `${fmt((figures.seconds * 1000) / figures.n, 2).padStart(6)} ms/item  wall ` +
        `${fmt(figures.seconds).padStart(6)} s   ${memory} (node maxRSS ${fmt(figures.nodeMb, 0)} ` +
        `MB), workers ${started} started, ${figures.result.workers} at once   parent events ` +
        `${figures.result.parentEvents}`
      );
    };
    const verdict = (figures: Figures, label: string): string => {
      const seconds = `${fmt(figures.seconds)} s (target < ${TARGET_100K_SECONDS} s: ${figures.seconds < TARGET_100K_SECONDS ? 'met' : 'NOT met'})`;
      const memory =
        figures.pssMb === undefined
          ? 'memory not measurable here'
          : `${fmt(figures.pssMb, 0)} MB Pss node + workers (target < ${TARGET_100K_MB} MB: ${figures.pssMb < TARGET_100K_MB ? 'met' : 'NOT met'})`;
      return `   100,000 items, ${label}: ${seconds}, ${memory}, ${figures.result.workersStarted ?? figures.result.workers} workers started`;
    };
    for (const n of sizes) {
      const figures = await runOnce(dir, n);
      all.push(figures);
      console.log(line(figures));
      // Each run's record (attempts, payloads, result files) is large at 100,000: not kept.
      rmSync(figures.result.runDir, { recursive: true, force: true });
    }
    const largest = all.find((f) => f.n === 100_000);
    if (largest) {
      // The same run with one core taken by a busy loop: the pool must not take a busy CPU for a reason to grow.
      const burner = startBurner();
      let busy: Figures;
      try {
        busy = await runOnce(dir, 100_000, new Set([burner.pid]));
      } finally {
        burner.stop();
      }
      console.log(line(busy, ' (one core busy)'));
      rmSync(busy.result.runDir, { recursive: true, force: true });
      console.log(verdict(largest, 'quiet machine'));
      console.log(verdict(busy, 'one core busy'));
    }
    const distributed = all.filter((f) => f.n > INLINE_LIMIT);
    const events = new Set(distributed.map((f) => f.result.parentEvents));
    const inline = all.find((f) => f.n <= INLINE_LIMIT);
    console.log(
      `   parent events independent of n past ${INLINE_LIMIT}: ${events.size === 1 ? 'yes' : `NO (${[...events].join(', ')})`}` +
        `${inline ? ` (inline baseline: ${inline.result.parentEvents} events for ${inline.n} items)` : ''}`,
    );
    const first = distributed[0];
    const last = distributed[distributed.length - 1];
    if (first && last && last !== first) {
      const ratio = last.seconds / last.n / (first.seconds / first.n);
      console.log(`   time per item at ${last.n.toLocaleString('en')} ÷ at ${first.n.toLocaleString('en')} (same run): ${fmt(ratio, 2)}× (1.00 = linear)`);
    }
    const counted = options.counted === false ? undefined : writeCountedWorkflow();
    if (counted) {
      try {
        const figures = await runOnce(counted, 100_000);
        console.log(
          `   parallel: size.n with n = 100,000 (chunks of 1,000 per child execution): wall ` +
            `${fmt(figures.seconds)} s, ${fmt(figures.nodeMb, 0)} MB node, parent events ` +
            `${figures.result.parentEvents}`,
        );
        rmSync(figures.result.runDir, { recursive: true, force: true });
      } finally {
        rmSync(counted, { recursive: true, force: true });
      }
    }
    console.log(`   load average after: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/scale.ts [n …]` runs it alone; bench/run.ts imports it and calls run().
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--foreach-only`: without the run-time count (`parallel: size.n`) at the end.
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  await run(sizes.length > 0 ? sizes : SIZES, { counted: !process.argv.includes('--foreach-only') });
}

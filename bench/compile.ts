/**
 * Compile speed: in-process compiles of generated workflows of 10, 100 and 1,000 tasks, and the wall time of
 * `ork validate` on an example (process start to exit), beside `node -e 0` as the baseline of that machine.
 *
 * Run alone with `npx tsx bench/compile.ts`, or with the others through `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { compile, permissiveHost, type CompileResult } from '../compiler/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Targets printed beside the figures. */
const TARGET_COMPILE_1000_MS = 250;
const TARGET_VALIDATE_MS = 500;

/** mulberry32: a small seeded generator, so every run compiles the same workflows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type TaskDocument = Record<string, unknown>;

/**
 * A workflow of `size` tasks built from the patterns users write, in blocks: chains of steps, a discover →
 * foreach process → aggregate pipeline (sometimes items × workers), diamonds (one task, 2–4 independent
 * tasks, a join), and static or run-time-counted parallel workers with a merge. Each block starts after one
 * or two exits of recent blocks (fan-in; some of these make the graph non-series-parallel, so the planner's
 * heuristic runs too) or, now and then, starts a new root. With `crossLinks: false` each block follows the
 * latest one only, so the graph is series-parallel.
 */
export function generateWorkflow(size: number, seed = 1, options: { readonly crossLinks?: boolean } = {}): string {
  const crossLinks = options.crossLinks ?? true;
  const rand = random(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const tasks: Record<string, TaskDocument> = {};
  let count = 0;
  /** Tasks that end a block and return one output (usable as a fan-out source). */
  const exits: string[] = [];

  const add = (name: string, doc: TaskDocument): boolean => {
    if (count >= size) return false;
    tasks[name] = { file: `tasks/${name}.py`, ...doc };
    count++;
    return true;
  };
  const entry = (): string[] => {
    if (exits.length === 0 || rand() < 0.08) return [];
    // Without cross links a block follows the latest block only: the graph stays series-parallel.
    if (!crossLinks) return [exits[exits.length - 1] as string];
    const recent = exits.slice(-6);
    const first = recent[int(0, recent.length - 1)] as string;
    const second = rand() < 0.35 ? (recent[int(0, recent.length - 1)] as string) : first;
    return [...new Set([first, second])];
  };

  for (let block = 0; count < size; block++) {
    const b = `b${block}`;
    const after = entry();
    const roll = rand();
    if (roll < 0.35) {
      const length = int(2, 6);
      let previous = after;
      for (let i = 0; i < length; i++) {
        const name = `${b}_step${i}`;
        if (!add(name, { ...(previous.length ? { depends_on: previous } : {}), ...(rand() < 0.2 ? { retries: 2, retry_delay: '5s' } : {}) })) break;
        previous = [name];
        if (i === length - 1) exits.push(name);
      }
    } else if (roll < 0.6) {
      const discover = `${b}_discover`;
      if (!add(discover, after.length ? { depends_on: after } : {})) break;
      const workers = rand() < 0.3 ? { parallel: int(2, 4) } : {};
      if (!add(`${b}_process`, { foreach: `${discover}.files`, concurrency: int(4, 32), timeout: '5m', ...workers })) break;
      if (!add(`${b}_aggregate`, { depends_on: [`${b}_process`], memory: '2GB' })) break;
      exits.push(`${b}_aggregate`);
    } else if (roll < 0.8) {
      const head = `${b}_head`;
      if (!add(head, after.length ? { depends_on: after } : {})) break;
      const width = int(2, 4);
      const branches: string[] = [];
      for (let i = 0; i < width; i++) {
        const name = `${b}_branch${i}`;
        if (!add(name, { depends_on: [head], ...(rand() < 0.15 ? { executor: 'container', cpu: 1 } : {}) })) break;
        branches.push(name);
      }
      if (!add(`${b}_join`, { depends_on: branches })) break;
      exits.push(`${b}_join`);
    } else {
      const shard = `${b}_shard`;
      const dynamic = rand() < 0.5;
      if (dynamic) {
        if (!add(`${b}_plan`, after.length ? { depends_on: after } : {})) break;
        if (!add(shard, { parallel: `${b}_plan.shards`, concurrency: 10 })) break;
      } else if (!add(shard, { ...(after.length ? { depends_on: after } : {}), parallel: int(2, 16) })) break;
      if (!add(`${b}_merge`, { depends_on: [shard] })) break;
      exits.push(`${b}_merge`);
    }
  }
  return stringify({ name: `bench-${size}`, params: { date: '2026-01-01' }, defaults: { executor: 'python', retries: 1 }, tasks });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Wall time, and CPU time of this process (less skewed than wall time when other work shares the cores). */
function compileOnce(source: string, size: number): { ms: number; cpuMs: number; result: CompileResult } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = compile({ file: `/bench/w${size}/workflow.yaml`, source, host: permissiveHost(`/bench/w${size}`) });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

function countStates(machine: { States: Record<string, unknown> }): number {
  let total = 0;
  for (const state of Object.values(machine.States) as {
    Branches?: { States: Record<string, unknown> }[];
    ItemProcessor?: { States: Record<string, unknown> };
  }[]) {
    total++;
    for (const branch of state.Branches ?? []) total += countStates(branch);
    if (state.ItemProcessor) total += countStates(state.ItemProcessor);
  }
  return total;
}

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0);
}

function benchCompile(): void {
  console.log('in-process compile (parse → validate → graph → plan → emit): median wall time of the timed runs after warm-up');
  const cases = [
    { size: 10, warmup: 20, runs: 51, crossLinks: true },
    { size: 100, warmup: 10, runs: 21, crossLinks: true },
    { size: 1000, warmup: 3, runs: 9, crossLinks: true },
    { size: 1000, warmup: 3, runs: 9, crossLinks: false },
  ];
  for (const { size, warmup, runs, crossLinks } of cases) {
    const source = generateWorkflow(size, 1, { crossLinks });
    const label = `${String(size).padStart(5)} tasks${crossLinks ? '' : ', series-parallel'}:`.padEnd(30);
    let last: CompileResult | undefined;
    for (let i = 0; i < warmup; i++) last = compileOnce(source, size).result;
    if (!last?.ok || !last.definition) {
      const errors = last?.diagnostics.filter((d) => d.severity === 'error') ?? [];
      console.log(`  ${label} does not compile (${errors.length} errors; first: ${errors[0]?.message ?? 'none'})`);
      continue;
    }
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      const timed = compileOnce(source, size);
      times.push(timed.ms);
      cpuTimes.push(timed.cpuMs);
    }
    const definition = JSON.stringify(last.definition);
    const target = size === 1000 ? `   target < ${TARGET_COMPILE_1000_MS} ms: ${median(times) < TARGET_COMPILE_1000_MS ? 'met' : 'MISSED'}` : '';
    console.log(
      `  ${label} ${fmt(median(times)).padStart(7)} ms/compile (min ${fmt(Math.min(...times))}, ` +
        `max ${fmt(Math.max(...times))}, n=${runs}; CPU ${fmt(median(cpuTimes))} ms)` +
        `  [${(source.length / 1024).toFixed(0)} KiB yaml → ${countStates(last.definition)} ` +
        `states, ${(definition.length / 1024).toFixed(0)} KiB ASL, ` +
        `${last.plan?.addedWaits.length ?? 0} added waits]${target}`,
    );
  }
}

interface Timed {
  readonly ms: number;
  readonly status: number | null;
  readonly stderr: string;
}

function timeProcess(args: readonly string[]): Timed {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { ms: performance.now() - started, status: child.status, stderr: child.stderr ?? '' };
}

function benchValidate(): void {
  const runs = 7;
  console.log('`ork validate` wall time, process start to exit (median of runs after one warm-up)');
  timeProcess(['-e', '0']);
  const baseline: Timed[] = [];
  for (let i = 0; i < runs; i++) baseline.push(timeProcess(['-e', '0']));
  const base = median(baseline.map((t) => t.ms));
  console.log(`  ${'node -e 0 (baseline):'.padEnd(58)} ${fmt(base).padStart(7)} ms`);

  const cli = 'bin/ork.js';
  const example = 'examples/foreach-aggregate';
  if (!existsSync(`${ROOT}${cli}`)) {
    console.log(`  ork validate ${example}: not measured: ${cli} does not exist yet`);
    return;
  }
  if (!existsSync(`${ROOT}${example}/workflow.yaml`)) {
    console.log(`  ork validate ${example}: not measured: ${example}/workflow.yaml does not exist yet`);
    return;
  }
  const args = [cli, 'validate', example];
  const first = timeProcess(args);
  if (first.status !== 0) {
    const why = first.stderr.trim().split('\n').slice(0, 3).join(' | ');
    console.log(`  ork validate ${example}: exits with ${first.status ?? 'a signal'}, so not timed${why ? `: ${why}` : ''}`);
    return;
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timeProcess(args).ms);
  const ms = median(times);
  console.log(
    `  ${`node ${args.join(' ')}:`.padEnd(58)} ${fmt(ms).padStart(7)} ms  ` +
      `(${(ms / base).toFixed(1)}× node -e 0, +${fmt(ms - base)} ms; min ${fmt(Math.min(...times))}, max ${fmt(Math.max(...times))})` +
      `   target < ${TARGET_VALIDATE_MS} ms: ${ms < TARGET_VALIDATE_MS ? 'met' : 'MISSED'}`,
  );
}

export async function run(): Promise<void> {
  // Other work on the machine skews every figure: print how busy it was.
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  benchCompile();
  benchValidate();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

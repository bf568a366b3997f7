/**
 * Python task throughput: no-op invocations per second through one warm `python3 -m ork.worker` (the local
 * worker's JSON-lines protocol on fd 3, docs/worker-protocol.md), pipelined and in lock-step, against the
 * baseline of one process per invocation (`python3 -c` that imports ork and runs one invocation), measured in
 * the same run.
 *
 * Run alone with `npx tsx bench/python-worker.ts`, or with the others through `npm run bench`.
 * `ORK_PYTHON` picks the interpreter (default python3), as it does for `ork run`. Both sides run the
 * interpreter's real path (`sys.executable`), so a launcher in between (a pyenv shim is a shell script) does
 * not slow the baseline down.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Environment } from '../lambdas/contract/contract.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK = join(ROOT, 'lambdas', 'python');
let PYTHON = process.env.ORK_PYTHON ?? 'python3';

/** Targets printed beside the figures. */
const TARGET_PER_SECOND = 5_000;
const TARGET_RATIO = 100;

const PIPELINED_INVOCATIONS = 20_000;
const PIPELINE_WINDOW = 256;
const LOCKSTEP_INVOCATIONS = 5_000;
const ROUNDS = 3;
const SPAWNS = 30;

const NOOP_TASK = 'from ork import task\n\n\n@task\ndef main():\n    return {}\n';

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly error?: { readonly type: string; readonly message: string };
  readonly ms: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const rate = (count: number, ms: number): number => (count * 1000) / ms;
const fmtRate = (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en-US')}/s`;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/** One worker process; replies are matched to requests by id. */
class Worker {
  private readonly child: ChildProcess;
  /** The protocol channel, fd 3 (docs/worker-protocol.md). */
  private readonly channel: Duplex;
  private buffer = '';
  private stderr = '';
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  readonly ready: Promise<void>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(PYTHON, ['-m', 'ork.worker'], { cwd: SDK, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    this.channel = this.child.stdio[3] as Duplex;
    let started = false;
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.channel.setEncoding('utf8');
    this.channel.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (!started) {
          started = true;
          markReady();
          continue;
        }
        const reply = JSON.parse(line) as Reply;
        const resolve = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        resolve?.(reply);
      }
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4096);
    });
    this.child.on('error', (error) => failReady(error));
    this.child.on('exit', (code) => failReady(new Error(`worker exited with ${code}: ${this.stderr.trim()}`)));
  }

  /** Sends a request line made by `line(id)`; the promise resolves with its reply. */
  send(line: (id: number) => string): Promise<Reply> {
    const id = ++this.nextId;
    return new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.channel.write(line(id));
    });
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.channel.end();
    await exited;
  }
}

function requestLine(file: string, workflowDir: string): (id: number) => string {
  const payload = { ork: 1, workflow: 'bench', task: 'noop', execution_id: 'bench', attempt: 0, params: {}, inputs: {}, parallel_index: 0, parallel_count: 1 };
  const rest = JSON.stringify({ file, workflow_dir: workflowDir, payload }).slice(1);
  return (id) => `{"id":${id},${rest}\n`;
}

function check(reply: Reply): void {
  if (!reply.ok) throw new Error(`the no-op task failed: ${reply.error?.type}: ${reply.error?.message}`);
}

/** `count` invocations with at most `window` in flight; returns wall ms and the worker-side ms of each. */
async function pipelined(worker: Worker, line: (id: number) => string, count: number, window: number): Promise<{ ms: number; inside: number[] }> {
  const inside: number[] = [];
  let sent = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (sent < count) {
      sent++;
      const reply = await worker.send(line);
      check(reply);
      inside.push(reply.ms);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, lane));
  return { ms: performance.now() - started, inside };
}

/** One spawned process per invocation: `python3 -c` importing ork and invoking the task once. */
function spawnOnce(code: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(PYTHON, ['-c', code, ...args], { cwd: SDK, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`python3 -c exited with ${result.status}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return ms;
}

const ONE_INVOCATION = [
  'import json, sys',
  'from ork.payload_store import DirectoryStore, References',
  'from ork.runtime import invoke',
  'from ork.sink import ListSink',
  "payload = {'ork': 1, 'workflow': 'bench', 'task': 'noop', 'execution_id': 'bench', " +
    "'attempt': 0, 'params': {}, 'inputs': {}, 'parallel_index': 0, 'parallel_count': 1}",
  'out = invoke(payload, sys.argv[1], sys.argv[2], references=References(DirectoryStore(sys.argv[3])), log_sink=ListSink(), metric_sink=ListSink())',
  'print(json.dumps(out))',
].join('\n');

export async function run(): Promise<void> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  const version = spawnSync(
    PYTHON,
    ['-c', 'import platform, sys, pydantic; print(sys.executable); print(platform.python_version(), "pydantic", pydantic.VERSION)'],
    {
      encoding: 'utf8',
    },
  );
  if (version.status !== 0) {
    console.log(`  not measured: ${PYTHON} with pydantic is not available (${version.stderr.trim().split('\n').pop() ?? 'no output'})`);
    return;
  }
  const [executable, about] = version.stdout.trim().split('\n');
  if (executable) PYTHON = executable;
  console.log(`python ${about} (${PYTHON})`);

  const directory = mkdtempSync(join(tmpdir(), 'ork-bench-worker-'));
  try {
    mkdirSync(join(directory, 'tasks'));
    const file = join(directory, 'tasks', 'noop.py');
    writeFileSync(file, NOOP_TASK);
    const env = { ...process.env, PYTHONPATH: [SDK, process.env.PYTHONPATH].filter(Boolean).join(':'), [Environment.payloadDir]: join(directory, 'payloads') };
    const line = requestLine(file, directory);

    // --- one warm worker -------------------------------------------------------------------------------
    const worker = new Worker(env);
    let pipelinedRate = 0;
    let lockstepRate = 0;
    try {
      const startedAt = performance.now();
      await worker.ready;
      const startMs = performance.now() - startedAt;
      check(await worker.send(line)); // imports the task file
      await pipelined(worker, line, 2_000, PIPELINE_WINDOW); // warm-up

      const pipeRounds: number[] = [];
      let inside: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const result = await pipelined(worker, line, PIPELINED_INVOCATIONS, PIPELINE_WINDOW);
        pipeRounds.push(rate(PIPELINED_INVOCATIONS, result.ms));
        inside = result.inside;
      }
      const stepRounds: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const result = await pipelined(worker, line, LOCKSTEP_INVOCATIONS, 1);
        stepRounds.push(rate(LOCKSTEP_INVOCATIONS, result.ms));
      }
      pipelinedRate = median(pipeRounds);
      lockstepRate = median(stepRounds);
      console.log(`one worker (python3 -m ork.worker), no-op task; median of ${ROUNDS} rounds:`);
      console.log(`  worker start to ready line:                      ${startMs.toFixed(0).padStart(7)} ms`);
      console.log(
        `  pipelined (${PIPELINED_INVOCATIONS.toLocaleString('en-US')} invocations, ${PIPELINE_WINDOW} in flight):      ${fmtRate(pipelinedRate).padStart(9)}` +
          `   (rounds ${pipeRounds.map(fmtRate).join(', ')})   target >= ${fmtRate(TARGET_PER_SECOND)}: ${verdict(pipelinedRate >= TARGET_PER_SECOND)}`,
      );
      console.log(
        `  lock-step (${LOCKSTEP_INVOCATIONS.toLocaleString('en-US')} invocations, 1 in flight):          ${fmtRate(lockstepRate).padStart(9)}` +
          `   (rounds ${stepRounds.map(fmtRate).join(', ')})`,
      );
      console.log(`  time inside the worker per invocation (reply "ms"): median ${median(inside).toFixed(3)} ms`);
    } finally {
      await worker.close();
    }

    // --- one process per invocation --------------------------------------------------------------------
    const bare = Array.from({ length: 10 }, () => spawnOnce('pass', [], env));
    spawnOnce(ONE_INVOCATION, [file, directory, join(directory, 'payloads')], env); // warm the file cache
    const spawned = Array.from({ length: SPAWNS }, () => spawnOnce(ONE_INVOCATION, [file, directory, join(directory, 'payloads')], env));
    const spawnMs = median(spawned);
    const spawnRate = rate(1, spawnMs);
    console.log(`one process per invocation (python3 -c: import ork, invoke once), ${SPAWNS} runs:`);
    console.log(
      `  median ${spawnMs.toFixed(1)} ms per invocation = ${fmtRate(spawnRate)}   (min ` +
        `${Math.min(...spawned).toFixed(1)}, max ${Math.max(...spawned).toFixed(1)} ms;` +
        ` bare \`python3 -c pass\` ${median(bare).toFixed(1)} ms)`,
    );

    const ratio = pipelinedRate / spawnRate;
    console.log('ratio, warm worker to process per invocation:');
    console.log(`  pipelined: ${ratio.toFixed(0)}×   target >= ${TARGET_RATIO}×: ${verdict(ratio >= TARGET_RATIO)}`);
    console.log(`  lock-step: ${(lockstepRate / spawnRate).toFixed(0)}×`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

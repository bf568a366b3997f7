import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CallNotStartedError, ProtocolWorker, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol-worker.js';
import { processTree, treeResidentBytes } from './process-memory.js';
import { reaped } from './worker-reaper.js';

/**
 * The local cap on workers (`--max-workers`), a local adaptation: Lambda starts every instance of a fan-out
 * at once, this machine runs about this many Python or Node workers before memory and start-up CPU make it
 * unresponsive (4 per core, at least 8, at most 64: 8 on 2 cores).
 */
export function defaultMaxWorkers(cores = availableParallelism()): number {
  return Math.min(64, Math.max(8, 4 * cores));
}

/** How long a worker stays idle before it retires (one is kept). */
export const IDLE_RETIRE_MS = 10_000;

/** A call running this long on a worker none of whose processes is runnable is blocked (sleep, I/O). */
const BLOCKED_AFTER_MS = 100;

/**
 * How often the memory of workers running a call with a memory limit is read. A Lambda sandbox's cgroup stops
 * a function the moment it passes its memory; here an allocation is seen within this time.
 */
export const MEMORY_SAMPLE_MS = 50;

/**
 * Requests of a task whose invocations take less than this (inside the worker, on average) may be queued on
 * a busy worker rather than wait for a free one: a worker that finds its next request waiting skips a sleep
 * and a wake-up, which on this kind of machine cost more than a no-op task itself (100,000 no-op instances
 * used a quarter less CPU). Slower tasks never are: one queued behind a long call would wait for it while
 * another worker may be free.
 */
export const QUEUE_BELOW_MS = 5;
/** Requests queued on one worker behind the one it runs. */
export const QUEUE_DEPTH = 3;
/**
 * A fast task that blocks less often than this per invocation on average (a sleep, I/O: the reply's `waits`)
 * computes: its requests go to at most as many workers at once as there are cores, and queue there. More
 * workers would only take turns on the same cores, each turn a context switch and cold caches (100,000 no-op
 * instances: 15 % less CPU on 2 workers than on 8). (Its time would not tell: a task waiting for a busy CPU
 * takes longer without blocking.)
 */
export const COMPUTING_WAITS_BELOW = 0.5;
/** Weight of the latest invocation in a task's running average duration. */
const DURATION_WEIGHT = 0.2;

/** How long the reaper lets a worker exit on SIGTERM before it kills it. */
const STOP_GRACE_MS = 1000;

export interface WorkerPoolOptions extends WorkerOptions {
  /** The most workers at once. @default defaultMaxWorkers() */
  readonly maxWorkers?: number;
  /** How long a worker may stay idle before it retires; the last one stays. @default IDLE_RETIRE_MS */
  readonly idleRetireMs?: number;
  /**
   * The Python interpreter that runs each worker's reaper (worker-reaper.ts): what a task leaves running
   * dies with its worker, and workers die with `ork`. Without it workers are started directly.
   */
  readonly reaper?: string;
}

/** How one call is timed. */
export interface CallOptions {
  /** Kills the worker and rejects with `onTimeout()` when the task has not returned by then. */
  readonly timeoutMs?: number | undefined;
  readonly onTimeout?: () => Error;
  /** The call is sent to a worker: the attempt starts. */
  readonly onStart?: () => void;
  /** The call has ended (replied, failed or timed out), before its worker takes another. */
  readonly onEnd?: () => void;
  /**
   * The most memory the worker's processes may hold while the call runs, as a Lambda sandbox's memory size:
   * above it the worker is killed and the call rejects with `onOutOfMemory(used MB)`. Watched where /proc is.
   */
  readonly memoryMb?: number | undefined;
  readonly onOutOfMemory?: (usedMb: number) => Error;
}

interface Waiter {
  /** The task file of the request that waits. */
  readonly file: string;
  /** Sends the request to `worker`, at once (so that the worker's load counts it). */
  readonly assign: (worker: ProtocolWorker) => void;
  readonly reject: (error: Error) => void;
}

interface Call {
  /** The task file the call runs (what reserve() counts by). */
  readonly file: string;
  readonly since: number;
  /** The memory limit being watched, and how to stop the call when it is passed. */
  readonly memory?: { readonly bytes: number; readonly exceeded: (usedBytes: number) => void };
}

/**
 * Warm workers shared by every task of a run, as a warm Lambda container serves many events.
 *
 * - A fan-out reserves its width when it begins (reserve()): the workers it lacks are started together, up
 *   to `maxWorkers`, so its instances start together as on Lambda, not as the pool ramps up.
 * - Beyond that, the pool grows only for blocked workers: when instances wait and every worker is busy, it
 *   starts one more per worker whose call has run a while with none of its processes runnable (sleeping on
 *   I/O, a timer, a child): more workers then run more at once; and one per core no busy worker uses.
 *   Workers busy on the CPU, or waiting for it, are no reason to grow: more of them would only share the
 *   same cores (a busy CPU made the old pool double again and again, 64 workers for 100,000 no-ops).
 * - A worker idle for `idleRetireMs` retires (the last one stays), and what its tasks left running dies
 *   with it (the reaper).
 * - Requests of a fast task (QUEUE_BELOW_MS) may queue on a busy worker running a fast task, up to
 *   QUEUE_DEPTH behind it, rather than wait for a free one. Each starts (onStart, its timeout) when the worker
 *   reaches it; one the worker never reaches (it crashed, timed out) goes to another worker.
 */
export class WorkerPool {
  private readonly idle: { worker: ProtocolWorker; since: number }[] = [];
  /** Every worker process, starting ones included, so that close() stops those too. */
  private readonly all = new Set<ProtocolWorker>();
  private readonly busy = new Map<ProtocolWorker, Call>();
  private readonly waiting: Waiter[] = [];
  private starting = 0;
  private closed = false;
  private growTimer: NodeJS.Timeout | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private retireTimer: NodeJS.Timeout | undefined;
  readonly maxWorkers: number;
  private readonly idleRetireMs: number;
  private readonly cores = availableParallelism();
  /**
   * Each task file's running average time inside the worker (ms) and times it blocked; absent until one has
   * ended. (waits undefined: the worker does not say.)
   */
  private readonly profiles = new Map<string, { ms: number; waits: number | undefined }>();
  /** Largest number of workers alive at once, for the run summary. */
  peak = 0;
  /** Workers started so far. */
  started = 0;
  /** Requests sent to a worker busy with another (queued behind it, QUEUE_BELOW_MS). */
  queuedCalls = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.maxWorkers = options.maxWorkers ?? defaultMaxWorkers();
    this.idleRetireMs = options.idleRetireMs ?? IDLE_RETIRE_MS;
  }

  get size(): number {
    return this.all.size;
  }

  /** Process ids of the workers (their reapers, when reaped). */
  get pids(): number[] {
    return [...this.all].map((w) => w.pid).filter((pid): pid is number => pid !== undefined);
  }

  /**
   * A fan-out of the task in `file` begins, `width` instances at once (its concurrency, else its instance
   * count): starts the workers it lacks now, together, up to `maxWorkers`. Workers busy with other tasks
   * are not counted as its own, but those running `freeing` (its upstream, which ends before it begins) are.
   */
  reserve(file: string, width: number, freeing?: string): void {
    if (this.closed || !(width > 0)) return;
    let others = 0;
    for (const call of this.busy.values()) if (call.file !== file && call.file !== freeing) others++;
    const wanted = Math.min(this.maxWorkers, others + Math.floor(width)) - this.all.size;
    for (let i = 0; i < wanted; i++) this.start();
  }

  /** Hands the request for `file` to a free worker, else queues it on a busy one, else makes it wait. */
  private dispatch(waiter: Waiter): void {
    if (this.closed) {
      waiter.reject(new Error('worker pool is closed'));
      return;
    }
    if (this.computes(waiter.file) && this.computingWorkers() >= this.cores) {
      // The cores are taken by this kind of work already: queue on one of those workers, or wait for one.
      if (!this.queueOnBusy(waiter)) this.waiting.push(waiter);
      return;
    }
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      // A worker can die while idle (killed from outside): it is dropped, not handed out.
      if (entry.worker.alive) {
        waiter.assign(entry.worker);
        return;
      }
      this.all.delete(entry.worker);
    }
    if (this.queueOnBusy(waiter)) return;
    this.waiting.push(waiter);
    // No worker at all, none on the way: nothing to wait for.
    if (this.all.size === 0) this.start();
    else this.scheduleGrowth();
  }

  /** Whether the task in `file` is fast enough for its requests to queue on a busy worker. */
  private fast(file: string): boolean {
    const profile = this.profiles.get(file);
    return profile !== undefined && profile.ms < QUEUE_BELOW_MS;
  }

  /** Whether the task in `file` is fast and spends its time computing (COMPUTING_WAITS_BELOW). */
  private computes(file: string): boolean {
    const waits = this.profiles.get(file)?.waits;
    return this.fast(file) && waits !== undefined && waits < COMPUTING_WAITS_BELOW;
  }

  private computingWorkers(): number {
    let computing = 0;
    for (const call of this.busy.values()) if (this.computes(call.file)) computing++;
    return computing;
  }

  /**
   * Queues the request on a busy worker, if one may take it: the least loaded one running a fast task with
   * room in its queue. None while requests wait for a free worker: those are served first, as their workers
   * free up.
   */
  private queueOnBusy(waiter: Waiter): boolean {
    if (this.waiting.length > 0 || !this.fast(waiter.file)) return false;
    let best: ProtocolWorker | undefined;
    for (const [worker, call] of this.busy) {
      if (worker.load > QUEUE_DEPTH || !worker.queueable || !this.fast(call.file)) continue;
      if (!best || worker.load < best.load) best = worker;
    }
    if (!best) return false;
    this.queuedCalls++;
    waiter.assign(best);
    return true;
  }

  /** `reply` undefined: the call ended without one (a crash, a timeout), which says it is not fast. */
  private learn(file: string, reply: WorkerReply | undefined, ranMs: number): void {
    const before = this.profiles.get(file);
    if (reply === undefined || typeof reply.ms !== 'number') {
      this.profiles.set(file, { ms: Math.max(QUEUE_BELOW_MS, ranMs, before?.ms ?? 0), waits: undefined });
      return;
    }
    const waits = typeof reply.waits === 'number' ? reply.waits : undefined;
    const average = (was: number | undefined, now: number): number => (was === undefined ? now : was + DURATION_WEIGHT * (now - was));
    // Workers measure `waits` on a sample of invocations: a reply without it leaves the average as it was.
    this.profiles.set(file, { ms: average(before?.ms, reply.ms), waits: waits === undefined ? before?.waits : average(before?.waits, waits) });
  }

  /** While instances wait, looks every BLOCKED_AFTER_MS for blocked workers to grow by. */
  private scheduleGrowth(): void {
    if (this.growTimer || this.closed) return;
    this.growTimer = setTimeout(() => {
      // setImmediate: decided after the replies already in the pipes are read, which may serve the waiting
      // instances, since a timer that fires late (a busy event loop) runs before pending I/O.
      setImmediate(() => {
        this.growTimer = undefined;
        this.grow();
        if (this.waiting.length > 0) this.scheduleGrowth();
      });
    }, BLOCKED_AFTER_MS);
  }

  private grow(): void {
    const short = this.waiting.length - this.starting;
    const room = this.maxWorkers - this.all.size;
    if (this.closed || short <= 0 || room <= 0) return;
    const now = performance.now();
    let blocked = 0;
    for (const [worker, call] of this.busy) {
      if (now - call.since >= BLOCKED_AFTER_MS && worker.pid !== undefined && isBlocked(worker.pid)) blocked++;
    }
    // One more per blocked worker, and per core that no busy worker uses (nor one starting: a start-up
    // takes a core too).
    const spareCores = Math.max(0, this.cores - (this.busy.size - blocked) - this.starting);
    for (let i = Math.min(short, room, blocked + spareCores); i > 0; i--) this.start();
  }

  private start(): void {
    if (this.closed || this.all.size >= this.maxWorkers) return;
    this.starting++;
    this.started++;
    const command = this.options.reaper ? reaped(this.options.reaper, STOP_GRACE_MS, this.options.command, this.options.args) : this.options;
    const fresh = new ProtocolWorker({ ...this.options, command: command.command, args: command.args });
    this.all.add(fresh);
    this.peak = Math.max(this.peak, this.all.size);
    fresh.ready.then(
      () => {
        this.starting--;
        if (this.closed) return;
        this.release(fresh);
      },
      (error: Error) => {
        this.starting--;
        this.all.delete(fresh);
        // The request that would have had it fails with why (e.g. python not found); the next may try again.
        this.waiting.shift()?.reject(error);
        if (this.waiting.length > 0 && this.all.size === 0) this.start();
      },
    );
  }

  /**
   * A call on `worker` has ended (or the worker has just started): it takes waiting requests, the first
   * whatever its task when it is free, then fast ones while its queue has room; a free worker left over goes
   * idle.
   */
  private release(worker: ProtocolWorker): void {
    if (!worker.alive) {
      this.busy.delete(worker);
      this.all.delete(worker);
      // A replacement for a worker that died (a timeout, a crash), if instances wait for it.
      if (this.waiting.length > this.starting) this.start();
      return;
    }
    if (worker.load === 0) this.busy.delete(worker);
    for (let next = this.waiting[0]; next; next = this.waiting[0]) {
      if (worker.load > 0) {
        // Loaded, it runs only fast tasks (queued ones are): more fast ones may queue behind them.
        if (worker.load > QUEUE_DEPTH || !worker.queueable || !this.fast(next.file)) break;
      } else if (this.computes(next.file) && this.computingWorkers() >= this.cores) {
        // Free, but the cores are taken by this kind of work: it waits for one of those workers.
        break;
      }
      this.waiting.shift();
      if (worker.load > 0) this.queuedCalls++;
      next.assign(worker);
    }
    if (worker.load > 0) return;
    this.idle.push({ worker, since: performance.now() });
    this.scheduleRetirement();
  }

  private scheduleRetirement(): void {
    if (this.retireTimer || this.closed) return;
    const oldest = this.idle.reduce((min, e) => Math.min(min, e.since), Infinity);
    const delay = Math.max(0, oldest + this.idleRetireMs - performance.now());
    this.retireTimer = setTimeout(() => {
      this.retireTimer = undefined;
      this.retire();
    }, delay);
    // Retirement never keeps a run (or a test) alive.
    this.retireTimer.unref();
  }

  /** Stops the workers idle for idleRetireMs, keeping one worker. */
  private retire(): void {
    if (this.closed) return;
    const now = performance.now();
    for (let i = 0; i < this.idle.length && this.all.size > 1;) {
      const entry = this.idle[i] as { worker: ProtocolWorker; since: number };
      if (now - entry.since < this.idleRetireMs) {
        i++;
        continue;
      }
      this.idle.splice(i, 1);
      this.all.delete(entry.worker);
      void this.stop(entry.worker, false);
    }
    if (this.idle.length > 0 && this.all.size > 1) this.scheduleRetirement();
  }

  /**
   * Stops a worker and (with the reaper) everything its tasks left running: `now` kills it at once (a task
   * past its timeout), otherwise SIGTERM first.
   */
  private async stop(worker: ProtocolWorker, now: boolean): Promise<void> {
    if (!this.options.reaper) return worker.kill(now ? 0 : STOP_GRACE_MS);
    if (now && worker.pid !== undefined) {
      try {
        process.kill(worker.pid, 'SIGUSR1');
      } catch {
        // already gone
      }
    }
    // The reaper stops the worker and its descendants, then exits; SIGKILL only if it has not by then.
    return worker.kill(STOP_GRACE_MS + 5000);
  }

  /**
   * Runs one invocation on a free worker (or queued on a busy one, see QUEUE_BELOW_MS). With `timeoutMs`, a
   * worker that has not answered by then is killed (its task cannot be interrupted otherwise) and the call
   * rejects with `onTimeout()`. `onStart` is called when the invocation starts on its worker; `onEnd` when it
   * has ended, before its worker starts the next one (which would otherwise be seen to start before this one
   * ended).
   */
  run(request: WorkerRequest, options: CallOptions = {}): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve, reject) => {
      const waiter: Waiter = {
        file: request.file,
        assign: (worker) =>
          this.callOn(worker, request, options).then(resolve, (error: unknown) => {
            // Queued on a worker that went before it reached this request: the request never ran.
            if (error instanceof CallNotStartedError) this.dispatch(waiter);
            else reject(error instanceof Error ? error : new Error(String(error)));
          }),
        reject,
      };
      this.dispatch(waiter);
    });
  }

  /** Sends the request to `worker` now (its load counts it at once); settles when the invocation has ended. */
  private callOn(worker: ProtocolWorker, request: WorkerRequest, options: CallOptions): Promise<WorkerReply> {
    const { timeoutMs, onTimeout, onStart, onEnd, memoryMb, onOutOfMemory } = options;
    let timer: NodeJS.Timeout | undefined;
    let answered = false;
    /** Stops the call: its worker is killed (its task cannot be interrupted otherwise). */
    const stopWith = (error: Error): void => {
      if (answered) return;
      answered = true;
      // What the attempt wrote before it is killed goes on the error: the run records it.
      const output = worker.outputSoFar();
      if (output) Object.assign(error, { output });
      worker.failCall(error);
      void this.stop(worker, true);
    };
    const memory =
      memoryMb !== undefined && memoryMb > 0
        ? {
            bytes: memoryMb * 1024 * 1024,
            exceeded: (used: number) => stopWith(onOutOfMemory ? onOutOfMemory(Math.round(used / (1024 * 1024))) : new Error('out of memory')),
          }
        : undefined;
    let since = 0;
    return worker.call(request, {
      onStart: () => {
        // The attempt starts now, on its worker: the wait for one (a worker starting, under load seconds) is not its.
        since = performance.now();
        this.busy.set(worker, { file: request.file, since, ...(memory ? { memory } : {}) });
        if (memory) this.watchMemory();
        onStart?.();
        // The timeout covers the task, not the reading of its reply (docs/worker-protocol.md); nor does the memory watch.
        if (timeoutMs !== undefined) timer = setTimeout(() => stopWith(onTimeout ? onTimeout() : new Error('timed out')), timeoutMs);
      },
      onAnswer: () => {
        clearTimeout(timer);
        answered = true;
      },
      onEnd: (reply) => {
        answered = true;
        if (timer) clearTimeout(timer);
        this.learn(request.file, reply, performance.now() - since);
        onEnd?.();
        this.release(worker);
      },
    });
  }

  /** While calls with a memory limit run, reads their workers' memory every MEMORY_SAMPLE_MS. */
  private watchMemory(): void {
    if (this.memoryTimer || this.closed) return;
    this.memoryTimer = setInterval(() => {
      let watching = false;
      const now = performance.now();
      for (const [worker, call] of this.busy) {
        if (!call.memory || worker.pid === undefined) continue;
        watching = true;
        // A call is read from its first full interval on: most calls end sooner, and reading /proc for each
        // of them cost a tenth of the engine's time in a 100,000-item fan-out.
        if (now - call.since < MEMORY_SAMPLE_MS) continue;
        // Under a reaper, the worker and what it started are the reaper's descendants; the reaper is not the task's.
        const used = treeResidentBytes(worker.pid, this.options.reaper !== undefined);
        if (used !== undefined && used > call.memory.bytes) call.memory.exceeded(used);
      }
      if (!watching) {
        clearInterval(this.memoryTimer);
        this.memoryTimer = undefined;
      }
    }, MEMORY_SAMPLE_MS);
    this.memoryTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.growTimer) clearTimeout(this.growTimer);
    if (this.retireTimer) clearTimeout(this.retireTimer);
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    for (let waiter = this.waiting.shift(); waiter; waiter = this.waiting.shift()) waiter.reject(new Error('worker pool is closed'));
    await Promise.all([...this.all].map((w) => this.stop(w, false)));
    this.all.clear();
    this.idle.length = 0;
    this.busy.clear();
  }
}

/**
 * Whether none of the processes of the tree under `pid` is running or runnable (state R): the worker waits
 * on something else than the CPU. Where /proc cannot tell, a call that has run a while counts as blocked.
 */
function isBlocked(pid: number): boolean {
  for (const next of processTree(pid)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${next}/stat`, 'utf8');
    } catch {
      if (next === pid) return true;
      continue;
    }
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'R') return false;
  }
  return true;
}

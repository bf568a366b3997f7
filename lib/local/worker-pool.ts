import { ProtocolWorker, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol-worker.js';

export interface WorkerPoolOptions extends WorkerOptions {
  /** A safety cap; the interpreter's MaxConcurrency is what bounds a fan-out. @default 256 */
  readonly maxWorkers?: number;
  /**
   * How long a request waits for a busy worker before the pool starts another for it. @default the time
   * the last worker took to start, at most 100 ms
   */
  readonly growAfterMs?: number;
}

/**
 * On a loaded machine a worker can take seconds to start; waiting that long before growing would run a
 * fan-out of tasks that sleep half a second nearly one at a time.
 */
const GROW_AFTER_MAX_MS = 100;

interface Waiter {
  readonly resolve: (worker: ProtocolWorker) => void;
  readonly reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  /** Has waited `growAfterMs` without a worker: one is started for it when the pool may grow. */
  overdue: boolean;
}

/**
 * Warm Python workers shared by every task of a run. A request that finds every worker busy waits a
 * little (`growAfterMs`) before the pool starts a worker for it, so a fan-out whose tasks wait on I/O really
 * runs `concurrency` instances at once, whatever the number of cores, while instances that take a few ms
 * are served by the workers there are: a worker costs a Python start-up and imports, a few hundred ms of
 * CPU, and growing at once started 16 workers for a fan-out of no-ops at concurrency 16, which then ran
 * slower than on one. The pool at most doubles per start-up round (no more workers starting than are
 * ready), so a slow first call (a task file's imports) costs one extra worker, not one per waiting request.
 */
export class WorkerPool {
  private readonly idle: ProtocolWorker[] = [];
  /** Every worker process, starting ones included, so that close() stops those too. */
  private readonly all = new Set<ProtocolWorker>();
  private readonly waiting: Waiter[] = [];
  private starting = 0;
  private closed = false;
  private readonly maxWorkers: number;
  private readonly growAfterMs: number | undefined;
  /** How long the last worker took from spawn to ready. */
  private startupMs = GROW_AFTER_MAX_MS;
  /** Largest number of workers alive at once, for the run summary. */
  peak = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.maxWorkers = options.maxWorkers ?? 256;
    this.growAfterMs = options.growAfterMs;
  }

  get size(): number {
    return this.all.size;
  }

  private acquire(): Promise<ProtocolWorker> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    let worker = this.idle.pop();
    // A worker can die while idle (killed from outside): it is dropped, not handed out.
    while (worker && !worker.alive) {
      this.all.delete(worker);
      worker = this.idle.pop();
    }
    if (worker) return Promise.resolve(worker);
    return new Promise<ProtocolWorker>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, overdue: false };
      this.waiting.push(waiter);
      if (this.all.size === 0) {
        // No worker at all, none on the way: nothing to wait for.
        waiter.overdue = true;
        this.grow();
        return;
      }
      const delay = this.growAfterMs ?? Math.min(this.startupMs, GROW_AFTER_MAX_MS);
      // setImmediate: decided after the replies already in the pipes are read, which may serve this
      // request, since a timer that fires late (a busy event loop) runs before pending I/O.
      waiter.timer = setTimeout(() => {
        waiter.timer = undefined;
        setImmediate(() => {
          waiter.overdue = true;
          this.grow();
        });
      }, delay);
    });
  }

  /** Starts workers for the overdue requests: no more starting than are ready (at least one). */
  private grow(): void {
    const overdue = this.waiting.reduce((n, w) => n + (w.overdue ? 1 : 0), 0);
    while (!this.closed && this.starting < overdue && this.starting < Math.max(1, this.all.size - this.starting) && this.all.size < this.maxWorkers) {
      this.start();
    }
  }

  private start(): void {
    this.starting++;
    const spawnedAt = performance.now();
    const fresh = new ProtocolWorker(this.options);
    this.all.add(fresh);
    this.peak = Math.max(this.peak, this.all.size);
    fresh.ready.then(
      () => {
        this.starting--;
        this.startupMs = performance.now() - spawnedAt;
        if (this.closed) return;
        this.release(fresh);
        // One more ready worker: as many more may start now.
        this.grow();
      },
      (error: Error) => {
        this.starting--;
        this.all.delete(fresh);
        // The request that would have had it fails with why (e.g. python not found); the next may try again.
        this.take()?.reject(error);
        this.grow();
      },
    );
  }

  private take(): Waiter | undefined {
    const waiter = this.waiting.shift();
    if (waiter?.timer) clearTimeout(waiter.timer);
    return waiter;
  }

  private release(worker: ProtocolWorker): void {
    if (!worker.alive) {
      this.all.delete(worker);
      // A replacement, if requests are waiting: they have waited already.
      for (const waiter of this.waiting) waiter.overdue = true;
      this.grow();
      return;
    }
    const next = this.take();
    if (next) next.resolve(worker);
    else this.idle.push(worker);
  }

  /**
   * Runs one invocation on a free worker. With `timeoutMs`, a worker that has not answered by then is
   * killed (its task cannot be interrupted otherwise) and the call rejects with `onTimeout()`.
   */
  async run(request: WorkerRequest, timeoutMs?: number, onTimeout?: () => Error): Promise<WorkerReply> {
    const worker = await this.acquire();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The timeout covers the task, not the reading of its reply (docs/worker-protocol.md).
      const call = worker.call(request, () => clearTimeout(timer));
      if (timeoutMs === undefined) return await call;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void worker.kill(0);
          reject(onTimeout ? onTimeout() : new Error('timed out'));
        }, timeoutMs);
      });
      return await Promise.race([call, timeout]);
    } finally {
      if (timer) clearTimeout(timer);
      this.release(worker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (let waiter = this.take(); waiter; waiter = this.take()) waiter.reject(new Error('worker pool is closed'));
    await Promise.all([...this.all].map((w) => w.kill()));
    this.all.clear();
    this.idle.length = 0;
  }
}

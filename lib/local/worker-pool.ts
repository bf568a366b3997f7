import { PythonWorker, type WorkerOptions, type WorkerReply, type WorkerRequest } from './python-worker.js';

export interface WorkerPoolOptions extends WorkerOptions {
  /** A safety cap; the interpreter's MaxConcurrency is what bounds a fan-out. @default 256 */
  readonly maxWorkers?: number;
}

/**
 * Warm Python workers shared by every task of a run. It grows when every worker is busy, so a fan-out
 * whose tasks wait on I/O really runs `concurrency` instances at once, whatever the number of cores.
 */
export class WorkerPool {
  private readonly idle: PythonWorker[] = [];
  private readonly all = new Set<PythonWorker>();
  private readonly waiting: ((worker: PythonWorker) => void)[] = [];
  private starting = 0;
  private closed = false;
  private readonly maxWorkers: number;
  /** Largest number of workers alive at once, for the run summary. */
  peak = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.maxWorkers = options.maxWorkers ?? 256;
  }

  get size(): number {
    return this.all.size;
  }

  private async acquire(): Promise<PythonWorker> {
    if (this.closed) throw new Error('worker pool is closed');
    const worker = this.idle.pop();
    if (worker) return worker;
    if (this.all.size + this.starting < this.maxWorkers) {
      this.starting++;
      const fresh = new PythonWorker(this.options);
      try {
        await fresh.ready;
      } finally {
        this.starting--;
      }
      this.all.add(fresh);
      this.peak = Math.max(this.peak, this.all.size);
      return fresh;
    }
    return new Promise<PythonWorker>((resolve) => this.waiting.push(resolve));
  }

  private release(worker: PythonWorker): void {
    if (!worker.alive) {
      this.all.delete(worker);
      // A replacement is started on demand by the next acquire.
      const next = this.waiting.shift();
      if (next) void this.acquire().then(next);
      return;
    }
    const next = this.waiting.shift();
    if (next) next(worker);
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
      const call = worker.call(request);
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
    await Promise.all([...this.all].map((w) => w.kill()));
    this.all.clear();
    this.idle.length = 0;
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface WorkerRequest {
  readonly file: string;
  readonly workflow_dir: string;
  readonly payload: unknown;
  readonly env?: Readonly<Record<string, string>>;
}

export interface WorkerFailure {
  readonly type: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly traceback: string;
}

export interface WorkerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly output?: unknown;
  /** Payload fields the task's input is built from (null: all of them); sent with a successful reply. */
  readonly reads?: readonly string[] | null;
  readonly error?: WorkerFailure;
  readonly logs: Record<string, unknown>[];
  readonly metrics: Record<string, unknown>[];
  readonly stdout?: string;
  /** What the task wrote to stderr while it ran. */
  stderr?: string;
  readonly ms: number;
}

export interface WorkerOptions {
  /** The program and arguments that start one worker speaking the JSON-lines protocol. */
  readonly command: string;
  readonly args: readonly string[];
  /** For messages: `python worker`, `node worker`. */
  readonly label: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A worker process died or misbehaved: the instance it was running fails with this. */
export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Ork.WorkerCrashed';
  }
}

/**
 * One worker process (`python -m ork.worker`, or the Node worker): imports each task file once and runs
 * one invocation at a time, as a warm Lambda container does. Requests and replies are JSON lines
 * (protocol in lambdas/python/ork/worker.py).
 */
export class ProtocolWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly label: string;
  private buffer = '';
  private stderr = '';
  private nextId = 1;
  private pending: { id: number; resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;
  private exited = false;
  /** kill() was called: the process is on its way out and takes no more calls. */
  private stopping = false;
  readonly ready: Promise<void>;

  constructor(options: WorkerOptions) {
    this.label = options.label;
    this.child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    let started = false;
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
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
        this.onReply(line);
      }
    });
    this.child.stderr.on('data', (chunk: string) => {
      // Keep a bounded tail: enough to explain a crash, never unbounded memory.
      this.stderr = (this.stderr + chunk).slice(-64 * 1024);
    });
    this.child.on('error', (error) => {
      this.exited = true;
      failReady(new WorkerCrashedError(`cannot start ${options.command}: ${error.message}`));
      this.pending?.reject(new WorkerCrashedError(`worker failed: ${error.message}`));
      this.pending = undefined;
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const why = `${options.label} exited (${signal ?? `code ${code}`})${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-5).join(' | ')}` : ''}`;
      failReady(new WorkerCrashedError(why));
      this.pending?.reject(new WorkerCrashedError(why));
      this.pending = undefined;
    });
    this.child.stdin.on('error', () => {
      // EPIPE after the process died; the exit handler reports it.
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  private onReply(line: string): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    try {
      const reply = JSON.parse(line) as WorkerReply;
      if (this.stderr) {
        reply.stderr = this.stderr;
        this.stderr = '';
      }
      pending.resolve(reply);
    } catch {
      pending.reject(new WorkerCrashedError(`worker sent a line that is not JSON: ${line.slice(0, 200)}`));
    }
  }

  call(request: WorkerRequest): Promise<WorkerReply> {
    if (!this.alive) return Promise.reject(new WorkerCrashedError(`${this.label} is not running`));
    if (this.pending) return Promise.reject(new Error('worker is busy'));
    const id = this.nextId++;
    this.stderr = '';
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.child.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
    });
  }

  /** Stops the process: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async kill(graceMs = 1000): Promise<void> {
    if (this.exited) return;
    // Not alive from now on: the pool, which releases a worker as soon as its call times out, must not
    // hand this one to the next request before its exit is seen.
    this.stopping = true;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

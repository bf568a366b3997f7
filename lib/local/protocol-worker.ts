import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WORKER_CHANNEL_FD } from '../../lambdas/contract/contract.js';

/** One secret of a request: its value, or where to give one (the task fails with Ork.SecretNotFound if it reads it). */
export type WorkerSecret = { readonly value: string } | { readonly missing: string };

export interface WorkerRequest {
  readonly file: string;
  readonly workflow_dir: string;
  readonly payload: unknown;
  readonly env?: Readonly<Record<string, string>>;
  /** The invoked task's declared secrets (local-secrets.ts), for this request only: never recorded. */
  readonly secrets?: Readonly<Record<string, WorkerSecret>>;
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
  /**
   * What the invocation wrote to stdout and stderr, its child processes included (the worker's fds 1 and 2):
   * read by the host from the worker's output file, not sent by the worker.
   */
  stdout?: string;
  readonly ms: number;
  /** How many times the invocation blocked (voluntary context switches), where the worker says. */
  readonly waits?: number;
  /**
   * How long the output file was when the worker replied (its stdout and stderr flushed): the end of this
   * invocation's output. The next queued invocation may print before the host reads the reply.
   */
  readonly out?: number;
}

export interface WorkerOptions {
  /** The program and arguments that start one worker speaking the protocol (docs/worker-protocol.md). */
  readonly command: string;
  readonly args: readonly string[];
  /** For messages: `python worker`, `node worker`. */
  readonly label: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A worker process died or misbehaved: the instance it was running fails with this. */
export class WorkerCrashedError extends Error {
  /** What the invocation had written to stdout and stderr when the worker died (docs/worker-protocol.md). */
  output?: string;

  constructor(message: string, output?: string) {
    super(message);
    this.name = 'Ork.WorkerCrashed';
    if (output) this.output = output;
  }
}

/** Past this size, the output file is emptied once an invocation's output has been read. */
const OUTPUT_FILE_RESET_BYTES = 4 * 1024 * 1024;
/** How much of the output a crash message quotes (its last lines). */
const CRASH_TAIL_BYTES = 64 * 1024;

/** What the caller of one invocation is told, in order, synchronously as it happens. */
export interface CallHooks {
  /** The invocation starts: the request is the worker's own now (it was sent earlier, if queued). */
  readonly onStart?: () => void;
  /** The first bytes of its reply have arrived: the task has returned, what is left is reading the reply. */
  readonly onAnswer?: () => void;
  /**
   * The invocation has ended (replied, failed, or its worker died or was stopped), before the next queued
   * invocation starts. Called only for an invocation that started.
   */
  readonly onEnd?: (reply?: WorkerReply) => void;
}

/**
 * The worker went before it reached this request: the request never ran, and another worker may take it.
 * (A request queued behind one that crashed, timed out or broke the protocol.)
 */
export class CallNotStartedError extends Error {
  constructor(label: string) {
    super(`${label} stopped before it reached this request`);
    this.name = 'Ork.CallNotStarted';
  }
}

interface Pending {
  readonly id: number;
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
  readonly hooks: CallHooks;
  /** onStart has been called. */
  started: boolean;
  /** The first bytes of the reply have arrived. */
  answered: boolean;
}

function begin(pending: Pending): void {
  if (pending.started) return;
  pending.started = true;
  pending.hooks.onStart?.();
}

/**
 * One worker process (`python -m ork.worker`, or the Node worker): imports each task file once and runs
 * one invocation at a time, as a warm Lambda container does. It speaks the protocol of
 * docs/worker-protocol.md: stdin is /dev/null; stdout and stderr are one output file that this side reads
 * after each reply, attributing it to that invocation; requests and replies are JSON lines on fd 3, which
 * nothing a task prints can reach; every reply must carry the id of the request in progress.
 */
export class ProtocolWorker {
  private readonly child: ChildProcess;
  private readonly channel: Duplex;
  private readonly label: string;
  /** The output file (fds 1 and 2 of the worker), open for reading here; closed once the worker is gone. */
  private output: number | undefined;
  /** Where the output not yet handed to an invocation begins. */
  private outputFrom = 0;
  /** Pieces of the line being received (no newline yet): kept apart, joined once, so reading is linear. */
  private partial: Buffer[] = [];
  private nextId = 1;
  private started = false;
  /** The invocation in progress. */
  private current: Pending | undefined;
  /** Requests sent to the worker behind the one in progress, in the order it will run them. */
  private readonly queued: Pending[] = [];
  private exited = false;
  /** kill() was called: the process is on its way out and takes no more calls. */
  private stopping = false;
  readonly ready: Promise<void>;
  private failReady!: (error: Error) => void;

  constructor(options: WorkerOptions) {
    this.label = options.label;
    // One file for stdout and stderr, as one log stream on Lambda; unlinked at once, so that nothing is left
    // behind whatever happens to `ork`. O_APPEND: the worker and every process it starts write at the end.
    const outputPath = path.join(tmpdir(), `ork-worker-${process.pid}-${randomBytes(6).toString('hex')}.out`);
    const output = openSync(outputPath, 'a+');
    unlinkSync(outputPath);
    this.output = output;
    try {
      this.child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', output, output, 'pipe'] });
    } catch (error) {
      closeSync(output);
      throw error;
    }
    this.channel = this.child.stdio[WORKER_CHANNEL_FD] as Duplex;
    let markReady!: () => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      this.failReady = reject;
    });
    const onLine = (line: string): void => {
      if (this.started) {
        this.onReply(line);
        return;
      }
      const ready = parseObject(line);
      if (ready?.ready !== true) {
        this.broken(`sent ${quote(line)} instead of its ready message`);
        return;
      }
      this.started = true;
      // What the worker wrote while starting is no invocation's output.
      this.outputFrom = this.outputSize();
      markReady();
    };
    this.channel.on('data', (chunk: Buffer) => {
      if (this.current && !this.current.answered) {
        this.current.answered = true;
        this.current.hooks.onAnswer?.();
      }
      let start = 0;
      for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, newline);
        const line = this.partial.length === 0 ? piece.toString('utf8') : Buffer.concat([...this.partial, piece]).toString('utf8');
        this.partial = [];
        start = newline + 1;
        onLine(line);
      }
      if (start < chunk.length) this.partial.push(chunk.subarray(start));
    });
    this.channel.on('error', () => {
      // EPIPE/ECONNRESET after the process died; the exit handler reports it.
    });
    this.child.on('error', (error) => {
      this.exited = true;
      this.failReady(new WorkerCrashedError(`cannot start ${options.command}: ${error.message}`));
      this.endAll(new WorkerCrashedError(`worker failed: ${error.message}`));
      this.closeOutput();
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const printed = this.takeOutput();
      this.closeOutput();
      const tail = printed.slice(-CRASH_TAIL_BYTES).trim();
      const why = `${options.label} exited (${signal ?? `code ${code}`})${tail ? `: ${tail.split('\n').slice(-5).join(' | ')}` : ''}`;
      this.failReady(new WorkerCrashedError(why, printed));
      this.endAll(new WorkerCrashedError(why, printed));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  /** Invocations sent and not ended: the one in progress and those queued behind it. */
  get load(): number {
    return (this.current ? 1 : 0) + this.queued.length;
  }

  /**
   * Whether another request may be queued behind those it has: it is alive, and its output file is small
   * enough to be emptied soon (it is emptied only between invocations, when none is queued).
   */
  get queueable(): boolean {
    return this.alive && this.outputFrom <= OUTPUT_FILE_RESET_BYTES;
  }

  private outputSize(): number {
    return this.output === undefined ? 0 : fstatSync(this.output).size;
  }

  /** What was written to the output file since the last call, read once (linear in its size). */
  /**
   * What the invocation in progress has written to stdout and stderr so far, read once: a task past its
   * timeout is killed, and this is what it leaves for the run record.
   */
  outputSoFar(): string {
    return this.takeOutput();
  }

  /**
   * `end`: where the invocation's output ends, as the worker saw the file when it replied; the next queued
   * invocation may be printing already. Without it, the file's size now.
   */
  private takeOutput(end = this.outputSize()): string {
    if (this.output === undefined) return '';
    const length = end - this.outputFrom;
    if (length <= 0) return '';
    const bytes = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = readSync(this.output, bytes, read, length - read, this.outputFrom + read);
      if (n === 0) break;
      read += n;
    }
    this.outputFrom += read;
    if (this.outputFrom > OUTPUT_FILE_RESET_BYTES && !this.exited && this.load === 0) {
      // Between invocations, none queued (an offset a queued one will report would be off): the worker's
      // writes go on at the new end (O_APPEND). What a process left running by an earlier task writes between
      // the read above and this is lost.
      ftruncateSync(this.output, 0);
      this.outputFrom = 0;
    }
    return bytes.subarray(0, read).toString('utf8');
  }

  private closeOutput(): void {
    if (this.output === undefined) return;
    closeSync(this.output);
    this.output = undefined;
  }

  /** The worker broke the protocol: it cannot be trusted with another call. */
  private broken(what: string): void {
    const error = new WorkerCrashedError(`${this.label} broke the worker protocol (docs/worker-protocol.md): it ${what}`);
    this.stopping = true;
    this.endAll(error);
    this.failReady(error);
    void this.kill(0);
  }

  /**
   * The worker is going: what is queued never ran (CallNotStartedError, for another worker), the invocation
   * in progress fails with `error`.
   */
  private endAll(error: Error): void {
    for (let next = this.queued.shift(); next; next = this.queued.shift()) next.reject(new CallNotStartedError(this.label));
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.hooks.onEnd?.();
    current.reject(error);
  }

  private onReply(line: string): void {
    const pending = this.current;
    if (!pending) {
      this.broken(`sent ${quote(line)} with no request in progress`);
      return;
    }
    const reply = parseObject(line);
    if (!reply) {
      this.broken(`sent a line that is not a JSON object: ${quote(line)}`);
      return;
    }
    if (reply.id !== pending.id) {
      this.broken(`answered request ${JSON.stringify(reply.id)} while request ${pending.id} was in progress`);
      return;
    }
    if (
      typeof reply.ok !== 'boolean' ||
      (reply.logs !== undefined && !Array.isArray(reply.logs)) ||
      (reply.metrics !== undefined && !Array.isArray(reply.metrics))
    ) {
      this.broken(`sent a reply without a boolean ok and lists of logs and metrics: ${quote(line)}`);
      return;
    }
    // The next request in line is the worker's from now on: it may be printing already, past `out`.
    this.current = this.queued.shift();
    const printed = this.takeOutput(typeof reply.out === 'number' && reply.out >= this.outputFrom ? reply.out : undefined);
    const done: WorkerReply = {
      ...(reply as unknown as WorkerReply),
      logs: (reply.logs as WorkerReply['logs'] | undefined) ?? [],
      metrics: (reply.metrics as WorkerReply['metrics'] | undefined) ?? [],
      ...(printed ? { stdout: printed } : {}),
    };
    // Ended before the next starts: records and counts of running instances see them in that order.
    pending.hooks.onEnd?.(done);
    pending.resolve(done);
    // (A request sent from onEnd to a worker that was free has started already.)
    if (this.current) begin(this.current);
  }

  /**
   * Runs one invocation: at once if the worker is free, else after those sent before it (the worker answers
   * requests one at a time, in order), which saves the worker a sleep and a wake-up per request. `hooks` say
   * when it starts, is answered and ends; a request that the worker never reached rejects with
   * CallNotStartedError.
   */
  call(request: WorkerRequest, hooks: CallHooks = {}): Promise<WorkerReply> {
    if (!this.alive) return Promise.reject(new WorkerCrashedError(`${this.label} is not running`));
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const pending: Pending = { id, resolve, reject, hooks, started: false, answered: false };
      this.channel.write(`${JSON.stringify({ id, ...request })}\n`);
      if (this.current) {
        this.queued.push(pending);
        return;
      }
      this.current = pending;
      begin(pending);
    });
  }

  /**
   * Fails the call in progress with `error`, unless its reply has begun: the caller stops the task (a timeout,
   * too much memory) by killing this worker, which takes no more calls from now on; the requests queued behind
   * it reject with CallNotStartedError.
   */
  failCall(error: Error): void {
    if (!this.current || this.current.answered) return;
    this.stopping = true;
    this.endAll(error);
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

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function quote(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}

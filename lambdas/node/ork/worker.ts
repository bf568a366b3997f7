/**
 * Local worker of `executor: node` tasks: the protocol of `python -m ork.worker`, written down in
 * docs/worker-protocol.md. Started by `ork run` through tsx, so task files may be TypeScript.
 * One invocation at a time: environment variables are per invocation and process-wide.
 *
 * Requests and replies travel on fd 3, a channel of their own: the processes a task starts do not inherit it
 * (libuv passes a child only the descriptors it is given). Task code keeps the real stdout and stderr
 * (fds 1 and 2, a file the engine reads after each reply, as CloudWatch reads a function's output), and so
 * do its child processes. Writes to a file are synchronous in Node: all of them are there before the reply.
 */
import { fstatSync } from 'node:fs';
import { register } from 'node:module';
import { Socket } from 'node:net';
import { createInterface } from 'node:readline';

import { WAITS_SAMPLE_EVERY, WAITS_SAMPLED_FIRST, WORKER_CHANNEL_FD } from '../../contract/contract.js';
import { describeFailure, OrkError, ProtocolError } from './errors.js';
import { loadTask } from './load-task.js';
import { References, storeFromEnvironment } from './payload-store.js';
import { inputFields, invoke } from './runtime.js';
import { setLocalSecrets, type LocalSecret } from './secrets.js';
import { jsonLine, StreamSink } from './sink.js';

interface Request {
  id?: unknown;
  file?: unknown;
  payload?: unknown;
  env?: unknown;
  secrets?: unknown;
}

/**
 * The request's `secrets` (the invoked task's, from `ork run`'s file and environment): each name to
 * `{value}` or `{missing: hint}`. Absent: the task has none locally.
 */
function localSecrets(entries: unknown): Map<string, LocalSecret> | undefined {
  if (entries === undefined) return undefined;
  const valid = (entry: unknown): entry is LocalSecret =>
    entry !== null &&
    typeof entry === 'object' &&
    (typeof (entry as { value?: unknown }).value === 'string' || typeof (entry as { missing?: unknown }).missing === 'string');
  if (entries === null || typeof entries !== 'object' || !Object.values(entries).every(valid)) {
    throw ProtocolError('request secrets must be an object of {value} or {missing} objects');
  }
  return new Map(Object.entries(entries as Record<string, LocalSecret>));
}

/** The protocol channel (docs/worker-protocol.md). */
const PROTOCOL_FD = WORKER_CHANNEL_FD;

function openChannel(): Socket {
  try {
    return new Socket({ fd: PROTOCOL_FD, readable: true, writable: true });
  } catch (error) {
    process.stderr.write(
      `ork node worker: no protocol channel on fd 3; the worker is started by \`ork run\` (docs/worker-protocol.md): ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  }
}

const channel = openChannel();
channel.on('error', () => {
  // The engine is gone (EPIPE): the parent watch below ends the worker.
});

function send(reply: Record<string, unknown>): void {
  channel.write(`${jsonLine(reply)}\n`);
}

/**
 * A stray failure of task code (a promise rejected with no handler, an error thrown in a timer callback)
 * would end the process by default, and the instance failed with `Ork.WorkerCrashed` and the last lines of
 * a stack. Like the Lambda runtime (which fails the invocation with `Runtime.UnhandledPromiseRejection`), it
 * fails the invocation in progress with that error instead; like the Python worker, the worker lives on.
 * Outside an invocation (a timer firing after its task returned), it is written to stderr.
 */
let failInvocation: ((error: unknown) => void) | undefined;
function strayFailure(error: unknown): void {
  if (failInvocation) failInvocation(error);
  else process.stderr.write(`${describeFailure(error).traceback}\n`);
}
process.on('uncaughtException', strayFailure);
process.on('unhandledRejection', (reason) => {
  const described = describeFailure(reason);
  strayFailure(new OrkError('Runtime.UnhandledPromiseRejection', `${described.type}: ${described.message}`, { cause: reason }));
});

/**
 * How long the output file (fds 1 and 2; Node writes files synchronously) is once the reply's output is written:
 * where this invocation's output ends. The engine may have queued the next request, which can print before
 * the reply is read.
 */
function outputEnd(): number | undefined {
  try {
    const status = fstatSync(1);
    return status.isFile() ? status.size : undefined;
  } catch {
    return undefined;
  }
}

/**
 * getrusage is one of the dearest calls of an invocation, so `waits` is measured on a task's first
 * invocations and then on one in WAITS_SAMPLE_EVERY (both from the contract, as the Python worker does): the
 * engine averages it anyway.
 */
const invocations = new Map<unknown, number>();

function sampleWaits(file: unknown): boolean {
  const count = invocations.get(file) ?? 0;
  invocations.set(file, count + 1);
  return count < WAITS_SAMPLED_FIRST || count % WAITS_SAMPLE_EVERY === 0;
}

async function handle(request: Request, references: References): Promise<Record<string, unknown>> {
  const started = performance.now();
  const waitsBefore = sampleWaits(request.file) ? process.resourceUsage().voluntaryContextSwitches : undefined;
  // ctx.log lines and metric records (EMF) go to stdout as they are written, as on Lambda: what an attempt
  // logged before it crashed or timed out is in the output the engine keeps (docs/worker-protocol.md).
  const sink = new StreamSink();
  const reply: Record<string, unknown> = { id: request.id ?? null };
  const previous = new Map<string, string | undefined>();
  if (request.env !== undefined && (request.env === null || typeof request.env !== 'object')) {
    return { ...reply, ok: false, error: { type: 'Ork.ProtocolError', message: 'env must be an object', retryable: false, traceback: '' }, ms: 0 };
  }
  for (const [key, value] of Object.entries((request.env ?? {}) as Record<string, unknown>)) {
    previous.set(key, process.env[key]);
    if (value === null) delete process.env[key];
    else process.env[key] = String(value);
  }
  try {
    // Not retryable, as in the Python worker: the same request would fail the same way.
    if (typeof request.file !== 'string' || !request.file) throw ProtocolError("request has no 'file': the path of the task file to run");
    const task = await loadTask(request.file);
    setLocalSecrets(localSecrets(request.secrets));
    const stray = new Promise<never>((_, reject) => (failInvocation = reject));
    reply.output = await Promise.race([invoke(request.payload, task, { references, logSink: sink, metricSink: sink }), stray]);
    reply.ok = true;
    reply.reads = inputFields(task);
  } catch (error) {
    reply.ok = false;
    reply.error = describeFailure(error);
  } finally {
    failInvocation = undefined;
    setLocalSecrets(undefined);
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  reply.ms = Math.round((performance.now() - started) * 1000) / 1000;
  // How many times the process blocked (a timer, I/O; its helper threads' too, which only makes a task look
  // like one that waits): the engine tells a task that computes from one that waits by it (docs/worker-protocol.md).
  if (waitsBefore !== undefined) reply.waits = process.resourceUsage().voluntaryContextSwitches - waitsBefore;
  return reply;
}

async function main(): Promise<void> {
  // Before any task file is imported: `ork/task` and `.ts` task files resolve wherever the workflow lies.
  // This file is lambdas/node/ork/worker.ts in a checkout, dist/lambdas/node/ork/worker.js in an install.
  const compiled = !import.meta.url.endsWith('.ts');
  const orkPackageJson = new URL(compiled ? '../../../../package.json' : '../../../package.json', import.meta.url).href;
  register(compiled ? './worker-hooks.js' : './worker-hooks.ts', { parentURL: import.meta.url, data: { orkPackageJson } });
  const references = new References(storeFromEnvironment());
  send({ ready: true, pid: process.pid, node: process.version });
  // A worker whose engine died must not live on.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
  const lines = createInterface({ input: channel, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new Error('a request is a JSON object');
    } catch (error) {
      send({
        id: null,
        ok: false,
        error: {
          type: 'Ork.ProtocolError',
          message: `bad request line: ${error instanceof Error ? error.message : String(error)}`,
          retryable: false,
          traceback: '',
        },
      });
      continue;
    }
    const reply = await handle(request, references);
    const end = outputEnd();
    if (end !== undefined) reply.out = end;
    send(reply);
  }
}

await main();

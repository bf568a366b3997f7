import path from 'node:path';
import type { TaskManifest, TaskManifestEntry } from '../../compiler/index.js';
import { Environment } from '../../lambdas/contract/contract.js';
import { stateNamesOf } from './distributed-map.js';
import { instanceKey, instanceLabel, instanceOf } from './instance-key.js';
import { AttemptFailure } from './attempt-failure.js';
import { recordAttemptOutput } from './attempt-output.js';
import type { AttemptRecord, RunObserver } from './run-events.js';
import type { LocalSecrets } from './local-secrets.js';
import { dataLimitFailure } from './state-data-limit.js';
import type { WorkerSecret } from './protocol-worker.js';
import type { WorkerPool } from './worker-pool.js';

/** A task instance's failure as the interpreter sees it: `name` is what Retry and Catch match. */
export class TaskFailure extends Error {
  constructor(
    name: string,
    message: string,
    readonly traceback?: string,
  ) {
    super(message);
    this.name = name;
  }
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface TaskHandlerOptions {
  readonly manifest: TaskManifest;
  readonly workflowDir: string;
  /** Workers for python and container tasks. */
  readonly pool: WorkerPool;
  /** Workers for node tasks; absent when the workflow has none. */
  readonly nodePool?: WorkerPool;
  readonly observer: RunObserver;
  /** Outputs of instances that succeeded in an earlier run (--resume), by instance key. */
  readonly reuse?: ReadonlyMap<string, unknown>;
  /**
   * Aborted when the run ends (an instance failed it, or Ctrl-C): an attempt that fails from then on was
   * stopped, and is `cancelled`; no attempt starts any more.
   */
  readonly stopped?: AbortSignal;
  /** The values of the tasks' `secrets:` (local-secrets.ts); without it a task that declares some reads none. */
  readonly secrets?: LocalSecrets;
}

/** What a handler throws for an instance the interpreter hands it after the run has ended. */
export class RunStoppedError extends Error {
  constructor() {
    super('the run has ended: the instance was not started');
    this.name = 'Ork.Cancelled';
  }
}

interface EcsParameters {
  Overrides?: { ContainerOverrides?: { Environment?: { Name?: string; Value?: string }[] }[] };
}

/** A container task's payload travels in its environment, as ECS would hand it to the container. */
function containerPayload(input: unknown): unknown {
  const environment = (input as EcsParameters).Overrides?.ContainerOverrides?.[0]?.Environment ?? [];
  const raw = environment.find((e) => e.Name === Environment.payload)?.Value;
  if (raw === undefined) throw new TaskFailure('Ork.InvalidPayload', `container task started without ${Environment.payload}`);
  return JSON.parse(raw) as unknown;
}

/**
 * One handler per Task state: runs the instance on a warm worker (Python for python and container tasks,
 * Node for node tasks). Attempts are counted here
 * because the interpreter's context object has no `$$.State.RetryCount`.
 */
export function createTaskHandlers(options: TaskHandlerOptions): Record<string, TaskHandler> {
  const attempts = new Map<string, number>();
  const handlers: Record<string, TaskHandler> = {};
  for (const task of options.manifest.tasks) {
    // A task that runs in several Map kinds has one Task state per kind (docs/scale.md); one handler serves all.
    const handler = handlerFor(task, options, attempts);
    for (const name of stateNamesOf(task)) handlers[name] = handler;
  }
  return handlers;
}

function handlerFor(task: TaskManifestEntry, options: TaskHandlerOptions, attempts: Map<string, number>): TaskHandler {
  const file = path.resolve(options.workflowDir, task.file);
  const fansOutInParallel = task.fanOut?.parallel !== undefined;
  const timeoutMs = task.timeoutSeconds === undefined ? undefined : task.timeoutSeconds * 1000;
  // Which payload fields the task reads, once a worker has said (null: all). Every instance of a fan-out
  // receives its upstream's whole output; not sending the outputs the task ignores keeps a large
  // foreach from writing its item list to the workers once per instance.
  let reads: ReadonlySet<string> | null | undefined;
  // What the worker gets besides the payload: the task's env, and for a task with `secrets:` the names it may
  // read (ORK_SECRETS, as the deployed function's environment has them) and their values, for each request.
  const declared = task.secrets ?? [];
  const env = declared.length > 0 ? { ...task.env, [Environment.secrets]: JSON.stringify(declared.map((secret) => secret.name)) } : task.env;
  return async (input) => {
    // When a Map fails, the interpreter aborts its iterations but its queue (p-limit) goes on starting the
    // ones that were waiting for a slot: 1 failure at concurrency 6 handed 6 more instances here while the
    // 5 stopped ones still ran (peakRunning 11), all then failed by the closing pool. The run's failure
    // settles within the same round of promise jobs; one macrotask later it is known, and those are not
    // started at all (never-started: --resume runs them).
    if (options.stopped) {
      if (!options.stopped.aborted) await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.stopped.aborted) throw new RunStoppedError();
    }
    // A shallow copy: only `attempt` is set here, and a deep clone of every instance's payload (which holds
    // its upstream's whole output) was a large share of a big fan-out's time.
    const payload = { ...((task.executor === 'container' ? containerPayload(input) : input) as Record<string, unknown>) };
    const id = instanceOf(payload, fansOutInParallel);
    const key = instanceKey(id);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    payload.attempt = attempt - 1;
    const record: AttemptRecord = { id, key, label: instanceLabel(id), attempt, startedAt: Date.now(), status: 'running', input: payload };
    options.observer.attemptStarted?.(record);

    if (attempt === 1 && options.reuse?.has(key)) {
      record.status = 'reused';
      record.output = options.reuse.get(key);
      record.endedAt = Date.now();
      options.observer.attemptEnded?.(record);
      return record.output;
    }

    try {
      const sent = reads ? withInputsRead(payload, reads) : payload;
      const pool = task.executor === 'node' ? options.nodePool : options.pool;
      if (!pool) throw new TaskFailure('Ork.UnsupportedExecutor', `task '${task.name}': no worker for executor '${task.executor}'`);
      const reply = await pool.run(
        {
          file,
          workflow_dir: options.workflowDir,
          payload: sent,
          env,
          // Read for each attempt, not kept by the handler: a value exists only in the request that needs it.
          ...(declared.length > 0 ? { secrets: options.secrets?.forTask(task) ?? missingSecrets(declared) } : {}),
        },
        {
          timeoutMs,
          onTimeout: () => new TaskFailure('States.Timeout', `task '${task.name}' (${record.label}) ran past its timeout of ${task.timeoutSeconds} s`),
          // The attempt's time is its time on a worker, as its timeout is (a Lambda invocation's duration does not
          // count the wait for an environment either).
          onStart: () => (record.startedAt = Date.now()),
          onEnd: () => (record.endedAt = Date.now()),
          memoryMb: task.memoryMb,
          onOutOfMemory: (usedMb) => outOfMemory(task, record.label, usedMb),
        },
      );
      // Records a worker still sends in its reply (the workers write them to stdout now, as on Lambda).
      for (const line of reply.logs) {
        options.observer.log?.({
          task: task.name,
          instance: record.label,
          level: String(line.level ?? 'info'),
          message: String(line.message ?? ''),
          record: line,
        });
      }
      for (const metric of reply.metrics) options.observer.metric?.({ task: task.name, instance: record.label, record: metric });
      recordAttemptOutput(reply.stdout, task.name, record.label, options.observer);
      if (reply.ok) {
        if (reply.reads !== undefined) reads = reply.reads === null ? null : new Set(reply.reads);
        // A result above Step Functions' 256 KiB that the runtime did not store: the state fails, as on AWS.
        const tooLarge = dataLimitFailure(stateNamesOf(task).join("' or '"), reply.output, `the output of task '${task.name}' instance ${record.label}`);
        if (tooLarge) {
          record.status = 'failed';
          record.error = { type: tooLarge.name, message: tooLarge.message };
          throw tooLarge;
        }
        record.status = 'succeeded';
        record.output = reply.output;
        return reply.output;
      }
      const error = reply.error ?? { type: 'Ork.WorkerError', message: 'worker reply without error details', retryable: true, traceback: '' };
      record.status = 'failed';
      record.error = { type: error.type, message: error.message, traceback: error.traceback };
      throw new TaskFailure(error.type, error.message, error.traceback);
    } catch (error) {
      // What a crashed or timed-out attempt wrote (its prints, ctx.log lines and metrics) before it died.
      if (error !== null && typeof error === 'object' && 'output' in error && typeof error.output === 'string')
        recordAttemptOutput(error.output, task.name, record.label, options.observer);
      if (record.status === 'running' || options.stopped?.aborted) {
        // Failing once the run has ended (a worker stopped, the pool closed): stopped, not failed.
        record.status = options.stopped?.aborted ? 'cancelled' : 'failed';
        const failure = error instanceof Error ? error : new Error(String(error));
        record.error ??= { type: failure.name, message: failure.message };
      }
      // The attempt travels with the error (failedAttemptOf), through the interpreter, to whoever reports it.
      throw error instanceof Error ? new AttemptFailure(record, error) : error;
    } finally {
      record.endedAt ??= Date.now();
      options.observer.attemptEnded?.(record);
    }
  };
}

/**
 * What AWS reports when a task's processes pass its `memory:`. Lambda stops the function and the invocation
 * fails with Runtime.OutOfMemory; ECS stops the container (OutOfMemoryError), which then sends no heartbeat,
 * and Step Functions fails the state with States.HeartbeatTimeout (locally at once, not after HeartbeatSeconds).
 */
function outOfMemory(task: TaskManifestEntry, label: string, usedMb: number): TaskFailure {
  const used = `task '${task.name}' (${label}) ran out of memory: its processes used ${usedMb} MB, more than its memory: ${task.memoryMb} MB`;
  if (task.executor === 'container') {
    return new TaskFailure(
      'States.HeartbeatTimeout',
      `${used}. ECS stops such a container (OutOfMemoryError: Container killed due to memory usage) and the state fails when its heartbeats stop`,
    );
  }
  return new TaskFailure(
    'Runtime.OutOfMemory',
    `${used}. Lambda stops such a function (Runtime exited with error: signal: killed); give the task more memory: or make it use less`,
  );
}

/** No values at all (a caller that gave no LocalSecrets): each secret a task reads is Ork.SecretNotFound. */
function missingSecrets(declared: readonly { readonly name: string }[]): Record<string, WorkerSecret> {
  return Object.fromEntries(declared.map(({ name }) => [name, { missing: 'this run was given no secret values (ork run reads .ork/secrets.json)' }]));
}

/** The payload with only the upstream outputs (`inputs`) the task reads. */
function withInputsRead(payload: Record<string, unknown>, reads: ReadonlySet<string>): Record<string, unknown> {
  const inputs = payload.inputs;
  if (inputs === null || typeof inputs !== 'object') return payload;
  return { ...payload, inputs: Object.fromEntries(Object.entries(inputs).filter(([name]) => reads.has(name))) };
}

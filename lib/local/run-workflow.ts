import './promise-polyfill.js';
import path from 'node:path';
import type { StateMachineDefinition, TaskManifest } from '../../compiler/index.js';
import { Placeholders } from '../../compiler/index.js';
import { nodeWorkerArgs, pythonSdkPath } from '../package-root.js';
import { findFanOutMaps, fanOutSize } from './fan-out-sizes.js';
import { createDistributedMapHandlers, MapRunFailure } from './distributed-map-runner.js';
import { inlineToleratedFailures } from './inline-tolerated-failures.js';
import { adaptForLocal } from './local-adaptation.js';
import { withMovedParameters } from './task-parameters-in-handler.js';
import type { AttemptRecord, RunObserver, ToleratedFailure } from './run-events.js';
import { RunRecorder, createRunDirectory, currentOwner, type RunError, type RunStatus, type RunSummary } from './run-recorder.js';
import { RunStats, type TaskSummary } from './run-stats.js';
import { taskStatus, type RunEnd } from './task-state.js';
import { StateDataWatch } from './state-data-limit.js';
import { withResumedPayloadDirs } from './payload-read-dirs.js';
import { Environment } from '../../lambdas/contract/contract.js';
import { substitutePlaceholders } from './substitute-placeholders.js';
import { AttemptFailure, failedAttemptOf } from './attempt-failure.js';
import { LocalSecrets, withoutSecretValues } from './local-secrets.js';
import { createTaskHandlers, TaskFailure } from './task-handlers.js';
import { WorkerPool } from './worker-pool.js';
import { findExecutable } from './worker-reaper.js';
import { workerReservations } from './worker-reservations.js';
import { resolveVersionManagerShim } from './version-manager-shim.js';

export interface LocalRunOptions {
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
  readonly workflowDir: string;
  readonly input: unknown;
  readonly runsDir: string;
  readonly observers?: readonly RunObserver[];
  /** Outputs to reuse and the run they come from (--resume). */
  readonly resume?: { readonly runId: string; readonly outputs: ReadonlyMap<string, unknown> };
  readonly python?: string;
  readonly maxWorkers?: number;
  /** Aborts the run (Ctrl-C): running instances are stopped and the run ends ABORTED. */
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The values of the tasks' `secrets:` (`ork run --secrets FILE`); default: the workflow's .ork/secrets.json
   * and ORK_SECRET_<NAME> in `env`, read when a task declares secrets (local-secrets.ts).
   */
  readonly secrets?: LocalSecrets;
}

export interface LocalRunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly status: Exclude<RunStatus, 'RUNNING' | 'DIED'>;
  readonly outputs: Record<string, unknown>;
  readonly tasks: Record<string, TaskSummary>;
  readonly error?: RunError;
  /** Most workers alive at once (Python and Node pools added). */
  readonly workers: number;
  /** Workers started during the run (Python and Node pools added). */
  readonly workersStarted: number;
  /**
   * Events in the parent execution's history (the interpreter's, inline Map iterations included; a
   * Distributed Map's children run as executions of their own, as on AWS).
   */
  readonly parentEvents: number;
  /** Failures that Distributed Maps tolerated (ToleratedFailureCount / Percentage). */
  readonly toleratedFailures: readonly ToleratedFailure[];
  /** The on_failure handler's own failure; `error` stays the one it handled. */
  readonly onFailureError?: RunError;
}

const LOCAL_ACCOUNT = '000000000000';

/**
 * The payload bucket's placeholder (Placeholders.payloadBucket): Distributed Maps write their results there.
 * Locally the bucket is the run's payload directory, the store the workers use (ORK_PAYLOAD_DIR).
 */
const PAYLOAD_BUCKET_PLACEHOLDER = 'OrkPayloadBucket';

/** Placeholder values for the local interpreter: Lambda ARNs it will hand to our handlers, the payload directory. */
function localSubstitutions(manifest: TaskManifest, payloadDir: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const task of manifest.tasks) {
    for (const name of task.placeholders) values[name] = `local-${name}`;
    values[Placeholders.function(task.name)] = `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:ork-local-${task.name}`;
  }
  values[PAYLOAD_BUCKET_PLACEHOLDER] = payloadDir;
  return values;
}

interface InterpreterEvent {
  type: string;
  state?: { name: string; input?: unknown; output?: unknown };
  error?: string;
  cause?: unknown;
  /** StateFailed: the state's error name and cause. */
  Error?: string;
  Cause?: unknown;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** Runs a compiled workflow on this machine: the same definition that is deployed, with local runners. */
export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { StateMachine, ExecutionAbortedError } = await import('aws-local-stepfunctions');
  // Before the run exists: a secrets file that cannot be read stops it from starting (LocalSecretsError).
  const secrets = options.manifest.tasks.some((task) => (task.secrets ?? []).length > 0)
    ? (options.secrets ?? LocalSecrets.load({ workflowDir: options.workflowDir, env: options.env ?? process.env }))
    : undefined;
  const { runId, runDir } = createRunDirectory(options.runsDir);
  const summary: RunSummary = {
    runId,
    workflow: options.manifest.workflow,
    workflowDir: options.workflowDir,
    status: 'RUNNING',
    owner: currentOwner(),
    startedAt: new Date().toISOString(),
    input: options.input,
    ...(options.resume ? { resumedFrom: options.resume.runId } : {}),
  };
  const recorder = new RunRecorder(runDir, summary);
  const payloadDir = path.join(runDir, 'payloads');
  const substituted = substitutePlaceholders(options.definition, localSubstitutions(options.manifest, payloadDir));
  const { definition: local, distributedMaps } = adaptForLocal(substituted);
  recorder.writeJson('definition.json', options.definition);
  recorder.writeJson('local-definition.json', local);
  recorder.writeJson('manifest.json', options.manifest);

  const stats = new RunStats(options.manifest.tasks.map((t) => t.name));
  const toleratedFailures: ToleratedFailure[] = [];
  const observers: RunObserver[] = [stats, recorder, { failureTolerated: (f) => toleratedFailures.push(f) }, ...(options.observers ?? [])];
  const observer: RunObserver = {
    attemptStarted: (a) => observers.forEach((o) => o.attemptStarted?.(a)),
    attemptEnded: (a) => observers.forEach((o) => o.attemptEnded?.(a)),
    log: (l) => observers.forEach((o) => o.log?.(l)),
    metric: (m) => observers.forEach((o) => o.metric?.(m)),
    fanOutSized: (t, n) => observers.forEach((o) => o.fanOutSized?.(t, n)),
    failureTolerated: (f) => observers.forEach((o) => o.failureTolerated?.(f)),
    taskSkipped: (t) => observers.forEach((o) => o.taskSkipped?.(t)),
  };

  // The payload folders of the runs --resume reuses outputs from: their references are honoured too.
  // Workers get their task's secrets in each request, not every ORK_SECRET_<NAME> in their environment.
  const given = withoutSecretValues(withResumedPayloadDirs(options.env ?? process.env, options.runsDir, options.resume?.runId));
  const interpreter = await resolveVersionManagerShim(options.python ?? given.ORK_PYTHON ?? 'python3', given, options.workflowDir);
  const python = interpreter.command;
  // As the shim's `exec` would run it: the interpreter's bin folder first on PATH (its pip, its scripts).
  const env = interpreter.binDir ? { ...given, PATH: [interpreter.binDir, given.PATH].filter(Boolean).join(path.delimiter) } : given;
  const pool = new WorkerPool({
    command: python,
    args: ['-m', 'ork.worker'],
    label: 'python worker',
    cwd: options.workflowDir,
    env: {
      ...env,
      PYTHONPATH: [pythonSdkPath(), env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      PYTHONUNBUFFERED: '1',
      [Environment.payloadDir]: payloadDir,
    },
    // Each worker under a reaper (worker-reaper.ts): nothing a task starts outlives its worker or `ork`.
    reaper: python,
    ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
  });
  // Node workers run the task files through tsx (TypeScript), resolved from Ork's own packages.
  const nodePool = options.manifest.tasks.some((t) => t.executor === 'node')
    ? new WorkerPool({
        command: process.execPath,
        args: nodeWorkerArgs(),
        label: 'node worker',
        cwd: options.workflowDir,
        env: { ...env, [Environment.payloadDir]: payloadDir },
        // The reaper is Python: node workers go without it where there is none.
        ...reaperFor(python, env),
        ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
      })
    : undefined;
  // A fan-out's workers start together, when its upstream starts or it begins (worker-reservations.ts).
  observers.push(workerReservations(options.manifest, options.workflowDir, (task) => (task.executor === 'node' ? nodePool : pool)));
  // Aborted when the run ends or is aborted: stops Distributed Maps' children (they are not the interpreter's
  // own), and the task instances still running then are cancelled, not failed.
  const children = new AbortController();
  const taskHandlers = createTaskHandlers({
    manifest: options.manifest,
    workflowDir: options.workflowDir,
    pool,
    ...(nodePool ? { nodePool } : {}),
    observer,
    ...(options.resume ? { reuse: options.resume.outputs } : {}),
    stopped: children.signal,
    ...(secrets ? { secrets } : {}),
  });

  const context = {
    Execution: {
      Id: `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:execution:${options.manifest.workflow}:${runId}`,
      Name: runId,
      StartTime: summary.startedAt,
      Input: options.input,
    },
    StateMachine: { Id: `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:${options.manifest.workflow}`, Name: options.manifest.workflow },
    // The interpreter keeps no per-state context; attempts are counted by the task handlers instead.
    State: { RetryCount: 0 },
    Task: { Token: 'local' },
  };
  const handlers = withMovedParameters(substituted, taskHandlers);
  Object.assign(
    handlers,
    createDistributedMapHandlers({
      maps: distributedMaps,
      handlers,
      StateMachine,
      manifest: options.manifest,
      parentContext: context,
      observer,
      signal: children.signal,
    }),
  );

  const fanOutMaps = findFanOutMaps(options.manifest);
  // Entering a task's skip state is what skips it (compiler/emit/skip-guard.ts).
  const skipStates = new Map(options.manifest.tasks.flatMap((t) => (t.skipState !== undefined ? [[t.skipState, t.name] as const] : [])));
  const handler = options.manifest.tasks.find((t) => t.role === 'on_failure');
  const handlerStates = new Set(handler?.stateNames ?? []);
  // The handler's last failure as its state saw it, and whether the machine caught it (it then failed for good).
  let handlerFailed: { error: string; message: string } | undefined;
  let handlerCaught = false;
  const outputs: Record<string, unknown> = {};
  let parentEvents = 0;
  const machine = new StateMachine(local as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: context as never,
  });
  const abort = (): void => {
    children.abort();
    execution.abort();
  };
  options.signal?.addEventListener('abort', abort, { once: true });

  // A state whose output is above Step Functions' 256 KiB fails the run with States.DataLimitExceeded, as on AWS.
  const stateData = new StateDataWatch();
  const consumeEvents = (async () => {
    for await (const raw of execution.eventLogs as AsyncIterable<InterpreterEvent>) {
      parentEvents++;
      recorder.event(raw);
      if (stateData.check(raw)) abort();
      if (raw.type === 'StateEntered' && raw.state) {
        const skipped = skipStates.get(raw.state.name);
        if (skipped !== undefined) observer.taskSkipped?.(skipped);
        const map = fanOutMaps.get(raw.state.name);
        if (map) {
          const size = fanOutSize(map, raw.state.input);
          if (size !== undefined) observer.fanOutSized?.(map.task, size);
        }
      } else if (raw.type === 'StateExited' && raw.state) {
        const results = (raw.state.output as { results?: unknown } | undefined)?.results;
        if (results && typeof results === 'object' && !Array.isArray(results)) Object.assign(outputs, results);
      } else if (raw.type === 'StateFailed' && raw.state && handlerStates.has(raw.state.name)) {
        handlerFailed = { error: raw.Error ?? 'States.Runtime', message: describeCause(raw.Cause) };
      } else if (raw.type === 'StateCaught' && raw.state && handlerStates.has(raw.state.name)) {
        handlerCaught = true;
      }
    }
  })();

  let status: LocalRunResult['status'];
  let error: RunError | undefined;
  try {
    const result = await execution.result;
    if (result && typeof result === 'object' && !Array.isArray(result)) Object.assign(outputs, result);
    status = 'SUCCEEDED';
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError || options.signal?.aborted) {
      status = 'ABORTED';
      error = { error: 'Ork.Aborted', message: 'the run was aborted' };
    } else {
      status = 'FAILED';
      error = failureOf(thrown, stats, recorder, handler?.name);
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    children.abort();
    await Promise.all([pool.close(), nodePool?.close()]);
  }
  await Promise.race([consumeEvents, new Promise((resolve) => setTimeout(resolve, 1000))]);
  if (stateData.failure && !options.signal?.aborted) {
    status = 'FAILED';
    error = { error: stateData.failure.name, message: stateData.failure.message };
  }

  if (status === 'SUCCEEDED') toleratedFailures.push(...inlineToleratedFailures(outputs));
  // In task order, then instance order, however the failures interleaved.
  const taskOrder = new Map(options.manifest.tasks.map((t, i) => [t.name, i]));
  const indexes = (instance: string): number[] => (instance.match(/\d+/g) ?? []).map(Number);
  toleratedFailures.sort((a, b) => (taskOrder.get(a.task) ?? 0) - (taskOrder.get(b.task) ?? 0) || compareNumbers(indexes(a.instance), indexes(b.instance)));
  const onFailureError = handler ? handlerFailure(handler.name, stats, recorder, handlerCaught ? handlerFailed : undefined) : undefined;
  const failedTask = failedTaskOf(error);
  const tasks = withStatuses(stats, options.manifest, { succeeded: status === 'SUCCEEDED', ...(failedTask !== undefined ? { failedTask } : {}) });
  summary.status = status;
  summary.endedAt = new Date().toISOString();
  summary.outputs = outputs;
  summary.tasks = tasks;
  const workers = pool.peak + (nodePool?.peak ?? 0);
  summary.workers = workers;
  summary.parentEvents = parentEvents;
  if (toleratedFailures.length > 0) summary.toleratedFailures = toleratedFailures;
  if (error) summary.error = error;
  if (onFailureError) summary.onFailureError = onFailureError;
  await recorder.close();
  const workersStarted = pool.started + (nodePool?.started ?? 0);
  return {
    runId,
    runDir,
    status,
    outputs,
    tasks,
    workers,
    workersStarted,
    parentEvents,
    toleratedFailures,
    ...(error ? { error } : {}),
    ...(onFailureError ? { onFailureError } : {}),
  };
}

/** Each task's counts with its status, now that the run has ended. */
function withStatuses(stats: RunStats, manifest: TaskManifest, end: RunEnd): Record<string, TaskSummary> {
  const tasks = stats.summary();
  for (const entry of manifest.tasks) {
    const counts = stats.tasks.get(entry.name);
    const summary = tasks[entry.name];
    if (!counts || !summary) continue;
    const kind = { fansOut: entry.fanOut !== undefined, tolerates: entry.fanOut?.tolerateFailures !== undefined, handler: entry.role === 'on_failure' };
    tasks[entry.name] = { ...summary, status: taskStatus(counts, kind, end, entry.name) };
  }
  return tasks;
}

/**
 * The task a failed run's error names: the failed instance's, or the fan-out whose inline tolerance was
 * exceeded, which its Fail state names only in its cause (compiler/emit/tolerated-failures.ts).
 */
function failedTaskOf(error: RunError | undefined): string | undefined {
  if (!error) return undefined;
  return error.task ?? /^task '(\w+)': more instances failed than tolerate_failures/.exec(error.message)?.[1];
}

/**
 * The on_failure handler's own failure: its instance's last attempt, else (a failure of its state rather
 * than of its code) the error its state failed with once the machine caught it.
 */
function handlerFailure(task: string, stats: RunStats, recorder: RunRecorder, state: { error: string; message: string } | undefined): RunError | undefined {
  const failed = stats.failureOf(task);
  if (failed?.error) {
    return {
      error: failed.error.type,
      message: failed.error.message,
      task,
      instance: failed.label,
      log: recorder.logPath(task),
    };
  }
  return state ? { ...state, task } : undefined;
}

/** The reaper's interpreter for the node workers: `python` if it can be found. */
function reaperFor(python: string, env: NodeJS.ProcessEnv): { reaper?: string } {
  const found = findExecutable(python, env);
  return found ? { reaper: found } : {};
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/**
 * What failed the run, naming task, instance, error and where the instance's log is: the instance whose
 * failure the interpreter reports (the error thrown by its handler), else the first instance whose last
 * attempt failed. `cause` is that instance's own error, also when a Distributed Map failed the run with AWS's
 * error name (States.ExceedToleratedFailureThreshold).
 */
function failureOf(thrown: unknown, stats: RunStats, recorder: RunRecorder, handler?: string): RunError {
  const cause = thrown instanceof Error && thrown.cause !== undefined ? thrown.cause : thrown;
  const described = (failed: AttemptRecord, error: { type: string; message: string }): string =>
    `task '${failed.id.task}' instance ${failed.label}${itemText(failed.input)} failed${failed.attempt > 1 ? ` after ${failed.attempt} attempts` : ''}: ${error.type}: ${error.message}`;
  const causeOf = (failed: AttemptRecord, error: { type: string; message: string }): NonNullable<RunError['cause']> => ({
    task: failed.id.task,
    instance: failed.label,
    error: error.type,
    message: error.message,
    ...(failed.attempt > 1 ? { attempts: failed.attempt } : {}),
  });
  // A Distributed Map whose failed children exceeded what it tolerates: name the child that tipped it.
  if (cause instanceof MapRunFailure && cause.attempt?.error) {
    const failed = cause.attempt;
    const error = cause.attempt.error;
    return {
      error: cause.name,
      message: `${described(failed, error)} (${cause.message.split(';')[0]})`,
      task: failed.id.task,
      instance: failed.label,
      log: recorder.logPath(failed.id.task),
      cause: causeOf(failed, error),
    };
  }
  const reported = failedAttemptOf(cause);
  const failed = reported?.status === 'failed' ? reported : stats.firstFailure(handler);
  const name = cause instanceof Error ? cause.name : 'States.Runtime';
  const original = cause instanceof AttemptFailure ? cause.cause : cause;
  if (failed?.error && (original instanceof TaskFailure || name === failed.error.type)) {
    return {
      error: failed.error.type,
      message: described(failed, failed.error),
      task: failed.id.task,
      instance: failed.label,
      log: recorder.logPath(failed.id.task),
      cause: causeOf(failed, failed.error),
    };
  }
  // A Fail state of the compiled machine (a fan-out that cannot start) carries its own Cause.
  const message = cause instanceof Error ? cause.message : describeCause(cause);
  return { error: name, message };
}

function itemText(input: unknown): string {
  const item = (input as { item?: unknown } | undefined)?.item;
  if (item === undefined) return '';
  const text = JSON.stringify(item);
  return ` (item ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

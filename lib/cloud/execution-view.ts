import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { TaskStats } from '../local/run-stats.js';
import type { DeployedWorkflow } from './workflow-shape.js';

const ATTEMPT_STARTED = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const ATTEMPT_FAILED = new Set([
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
]);

export interface ExecutionFailure {
  readonly task?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** DescribeMapRun's itemCounts, the few that the view shows (timed out and aborted count as failed). */
export interface MapRunCounts {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * Event id → the state entered at the head of its chain. Every history event points at the event before
 * it (previousEventId), so each is attributed to its state inside Parallel branches and Map iterations alike.
 */
function owningStates(history: readonly HistoryEvent[]): Map<number, string> {
  const owner = new Map<number, string>();
  for (const event of history) {
    const name = stateName(event);
    const chainOwner = event.type?.endsWith('StateEntered') && name ? name : owner.get(event.previousEventId ?? 0);
    if (chainOwner) owner.set(event.id ?? 0, chainOwner);
  }
  return owner;
}

function attributeMapRuns(history: readonly HistoryEvent[], owner: ReadonlyMap<number, string>, shape: DeployedWorkflow): Map<string, string> {
  const mapOwner = new Map<string, string>();
  for (const task of shape.tasks) for (const map of task.distributedMaps) mapOwner.set(map, task.name);
  const runs = new Map<string, string>();
  for (const event of history) {
    const arn = event.mapRunStartedEventDetails?.mapRunArn;
    const state = owner.get(event.id ?? 0);
    const task = state ? mapOwner.get(state) : undefined;
    if (event.type === 'MapRunStarted' && arn && task) runs.set(arn, task);
  }
  return runs;
}

/** The Map Runs an execution started, by ARN, with the task whose fan-out each is. */
export function mapRunsOf(history: readonly HistoryEvent[], shape: DeployedWorkflow): Map<string, string> {
  return attributeMapRuns(history, owningStates(history), shape);
}

export interface ExecutionView {
  readonly tasks: ReadonlyMap<string, TaskStats>;
  readonly failure?: ExecutionFailure;
  /** The on_failure handler's own failure; `failure` stays the one it handled. */
  readonly onFailureError?: ExecutionFailure;
}

function stateName(event: HistoryEvent): string | undefined {
  return event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
}

/**
 * Per-task instance counts from an execution's history, the same view `ork run` shows: each event is
 * attributed to the state that owns its chain (owningStates).
 */
export function executionView(
  history: readonly HistoryEvent[],
  shape: DeployedWorkflow,
  finished: boolean,
  mapRuns: ReadonlyMap<string, MapRunCounts> = new Map(),
): ExecutionView {
  const taskOfState = new Map(shape.tasks.flatMap((t) => t.stateNames.map((state) => [state, t.name] as const)));
  // Entering a task's skip state (a PassStateEntered) is what skips it.
  const skippedBy = new Map(shape.tasks.flatMap((t) => (t.skipState !== undefined ? [[t.skipState, t.name] as const] : [])));
  const handler = shape.tasks.find((t) => t.role === 'on_failure')?.name;
  const mapOwner = new Map<string, string>();
  for (const task of shape.tasks) for (const map of task.mapStates) mapOwner.set(map, task.name);
  const distributed = new Set(shape.tasks.flatMap((t) => t.distributedMaps));
  const stats = new Map<string, TaskStats>(shape.tasks.map((t) => [t.name, { instances: 0, succeeded: 0, failed: 0, retried: 0, running: 0, peakRunning: 0 }]));

  const owner = owningStates(history);
  interface Instance {
    task: string;
    attempts: number;
    lastFailed: boolean;
    exited: boolean;
    /** Its last attempt's failure, while it is the last attempt. */
    lastFailure?: ExecutionFailure;
  }
  const instances = new Map<number, Instance>(); // TaskStateEntered id → instance
  const instanceOf = new Map<number, number>(); // event id → entered id
  let failure: ExecutionFailure | undefined;

  for (const event of history) {
    const id = event.id ?? 0;
    const previous = event.previousEventId ?? 0;
    const name = stateName(event);
    const entered = event.type === 'TaskStateEntered' ? id : instanceOf.get(previous);
    if (entered !== undefined) instanceOf.set(id, entered);
    const time = event.timestamp ? new Date(event.timestamp).getTime() : undefined;

    const skipped = event.type?.endsWith('StateEntered') && name ? skippedBy.get(name) : undefined;
    if (skipped !== undefined) {
      const s = stats.get(skipped);
      if (s) s.skipped = true;
    } else if (event.type === 'TaskStateEntered' && name) {
      const task = taskOfState.get(name);
      if (task) {
        instances.set(id, { task, attempts: 0, lastFailed: false, exited: false });
        const s = stats.get(task);
        if (s) {
          s.instances++;
          if (time !== undefined) s.firstStart = Math.min(s.firstStart ?? time, time);
        }
      }
    } else if (event.type === 'MapStateStarted') {
      const mapName = owner.get(previous);
      // A Distributed Map's size comes from its Map Run (below), not from here.
      if (mapName && distributed.has(mapName)) continue;
      const task = mapName ? mapOwner.get(mapName) : undefined;
      const s = task ? stats.get(task) : undefined;
      if (s) s.expected = (s.expected ?? 0) + (event.mapStateStartedEventDetails?.length ?? 0);
    } else if (entered !== undefined) {
      const instance = instances.get(entered);
      if (!instance) continue;
      const s = stats.get(instance.task);
      if (ATTEMPT_STARTED.has(event.type ?? '')) {
        instance.attempts++;
        instance.lastFailed = false;
        delete instance.lastFailure;
        if (instance.attempts > 1 && s) s.retried++;
      } else if (ATTEMPT_FAILED.has(event.type ?? '')) {
        instance.lastFailed = true;
        const details =
          event.lambdaFunctionFailedEventDetails ??
          event.taskFailedEventDetails ??
          event.lambdaFunctionTimedOutEventDetails ??
          event.taskTimedOutEventDetails ??
          event.lambdaFunctionStartFailedEventDetails ??
          event.taskStartFailedEventDetails ??
          event.taskSubmitFailedEventDetails;
        instance.lastFailure = {
          task: instance.task,
          ...(details?.error ? { error: details.error } : {}),
          ...(details?.cause ? { cause: details.cause } : {}),
        };
        // The handler's failure never replaces the one it handled: the execution fails with that.
        if (instance.task !== handler) failure = instance.lastFailure;
      } else if (event.type === 'TaskStateExited') {
        instance.exited = true;
        if (s) {
          // A caught failure (on_failure's Catch, an inline tolerated instance) leaves its state too: failed.
          if (instance.lastFailed) s.failed++;
          else s.succeeded++;
          if (time !== undefined) s.lastEnd = Math.max(s.lastEnd ?? time, time);
        }
      }
    }
    if (event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut' || event.type === 'ExecutionAborted') {
      const details = event.executionFailedEventDetails ?? event.executionTimedOutEventDetails ?? event.executionAbortedEventDetails;
      failure = {
        ...(failure?.task ? { task: failure.task } : {}),
        ...(details?.error ? { error: details.error } : failure?.error ? { error: failure.error } : {}),
        ...(details?.cause ? { cause: details.cause } : failure?.cause ? { cause: failure.cause } : {}),
      };
    }
  }

  const onFailureError = [...instances.values()].find((i) => i.task === handler && i.lastFailed)?.lastFailure;
  for (const instance of instances.values()) {
    if (instance.exited) continue;
    const s = stats.get(instance.task);
    if (!s) continue;
    if (finished || instance.lastFailed) s.failed++;
    else s.running++;
  }
  // A Distributed Map's children run outside this history: its Map Run's item counts stand in for them.
  const runs = attributeMapRuns(history, owner, shape);
  for (const [arn, counts] of mapRuns) {
    const task = runs.get(arn);
    const s = task ? stats.get(task) : undefined;
    if (!s) continue;
    s.expected = (s.expected ?? 0) + counts.total;
    s.instances += counts.total - counts.pending;
    s.succeeded += counts.succeeded;
    s.failed += counts.failed;
    s.running += counts.running;
  }
  for (const s of stats.values()) s.peakRunning = Math.max(s.peakRunning, s.running);
  return { tasks: stats, ...(failure ? { failure } : {}), ...(onFailureError ? { onFailureError } : {}) };
}

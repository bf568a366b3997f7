import type { TaskStats } from './run-stats.js';

/**
 * What a task's instances amount to once the run has ended (`ork run --json`, run.json, `ork show`):
 * `tolerated` is a fan-out whose failed instances its tolerate_failures allowed; `skipped`, a task whose
 * skip state was entered (its `when:` was false, or a required upstream was skipped) or the on_failure
 * handler of a run that did not fail; `cancelled`, a task the run's end stopped or never started.
 */
export type TaskStatus = 'succeeded' | 'tolerated' | 'failed' | 'cancelled' | 'skipped';

/** A task's state while the run goes on, then its status. */
export type TaskState = 'pending' | 'running' | TaskStatus;

/** What the status of a task depends on besides its counts. */
export interface TaskKind {
  readonly fansOut: boolean;
  /** Its fan-out tolerates failed instances (tolerate_failures). */
  readonly tolerates?: boolean;
  /** The workflow's on_failure handler: it runs only when the workflow failed. */
  readonly handler?: boolean;
}

/** How the run ended, as far as task statuses go. */
export interface RunEnd {
  readonly succeeded: boolean;
  /** The task the run's error names (a fan-out past its tolerate_failures: failed, not tolerated). */
  readonly failedTask?: string;
}

/**
 * A task's state from its counts: done when every expected instance succeeded. A fan-out with
 * tolerate_failures whose instances all ended, some failed, is `tolerated`: whether the threshold held is
 * the run's verdict, printed at its end. Once the run has `ended`, a task with instances left unfinished
 * (stopped, or never started because another failed the run) is `failed` if one of its own failed, else
 * `cancelled` if any was stopped. A task whose skip state was entered is `skipped` at once.
 */
export function taskState(stats: TaskStats, fansOut: boolean, tolerates = false, ended = false): TaskState {
  if (stats.skipped && stats.instances === 0) return 'skipped';
  const expected = fansOut ? stats.expected : 1;
  const cancelled = stats.cancelled ?? 0;
  if (expected !== undefined && stats.succeeded >= expected && stats.running === 0) return 'succeeded';
  if (stats.failed > 0 && stats.running === 0 && (ended || expected === undefined || stats.succeeded + stats.failed + cancelled >= expected)) {
    // Every instance ended, some failed: within the threshold or not is the run's verdict.
    return tolerates && (expected === undefined || stats.succeeded + stats.failed >= expected) ? 'tolerated' : 'failed';
  }
  if (cancelled > 0 && stats.running === 0 && (ended || expected === undefined || stats.succeeded + cancelled >= expected)) return 'cancelled';
  if (stats.instances > 0 || (fansOut && stats.expected !== undefined)) return ended ? 'cancelled' : 'running';
  return 'pending';
}

/**
 * A task's status once the run has ended. A task that never started is `cancelled` when the run did not
 * succeed (it failed or was aborted first); in a run that succeeded it is the on_failure handler, which had
 * nothing to handle (`skipped`), or a fan-out with nothing to run (`succeeded`).
 */
export function taskStatus(stats: TaskStats, kind: TaskKind, end: RunEnd, name?: string): TaskStatus {
  const state = taskState(stats, kind.fansOut, kind.tolerates, true);
  if (state === 'tolerated' && !end.succeeded && name !== undefined && end.failedTask === name) return 'failed';
  if (state !== 'pending' && state !== 'running') return state;
  if (!end.succeeded) return 'cancelled';
  return kind.handler ? 'skipped' : 'succeeded';
}

import { MetricTotals, type MetricSummary } from './attempt-output.js';
import type { AttemptRecord, MetricLine, RunObserver, ToleratedFailure } from './run-events.js';
import type { TaskStatus } from './task-state.js';

/** Instances an attempt runs: a Distributed Map batch runs several. */
const weight = (attempt: AttemptRecord): number => attempt.id.batch ?? 1;

export interface TaskStats {
  /** Distinct instances started. */
  instances: number;
  succeeded: number;
  failed: number;
  /** Instances stopped because the run ended (another instance failed, or Ctrl-C): not failures. */
  cancelled?: number;
  /** Attempts after the first. */
  retried: number;
  running: number;
  /** Instances the fan-out will run, once known. */
  expected?: number;
  firstStart?: number;
  lastEnd?: number;
  /** Most instances of this task seen running at once. */
  peakRunning: number;
  /** Its skip state was entered: its `when:` was false, or a required upstream was skipped. */
  skipped?: boolean;
}

export interface TaskSummary {
  readonly instances: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Instances stopped because the run ended (another instance failed, or Ctrl-C). Absent in runs recorded before it was counted. */
  readonly cancelled: number;
  readonly retried: number;
  readonly seconds: number;
  readonly peakRunning: number;
  /** What its instances recorded with `ctx.metrics.record`, per metric name and unit; absent when none. */
  readonly metrics?: readonly MetricSummary[];
  /** Once the run has ended (task-state.ts); absent in runs recorded before it was kept. */
  readonly status?: TaskStatus;
}

/** Counts instances per task as the run goes: what progress displays and `--json` report. */
export class RunStats implements RunObserver {
  readonly tasks = new Map<string, TaskStats>();
  private readonly finalStatus = new Map<string, AttemptRecord['status']>();
  /** Failed attempts of instances that have not succeeded since, by instance key, in failure order. */
  private readonly failures = new Map<string, AttemptRecord>();
  private readonly metricTotals = new MetricTotals();

  constructor(taskNames: readonly string[]) {
    for (const name of taskNames) this.tasks.set(name, { instances: 0, succeeded: 0, failed: 0, retried: 0, running: 0, peakRunning: 0 });
  }

  private stats(task: string): TaskStats {
    let stats = this.tasks.get(task);
    if (!stats) {
      stats = { instances: 0, succeeded: 0, failed: 0, retried: 0, running: 0, peakRunning: 0 };
      this.tasks.set(task, stats);
    }
    return stats;
  }

  attemptStarted(attempt: AttemptRecord): void {
    const stats = this.stats(attempt.id.task);
    const n = weight(attempt);
    if (attempt.attempt === 1) stats.instances += n;
    else stats.retried += n;
    const previous = this.finalStatus.get(attempt.key);
    if (previous === 'failed') stats.failed -= n;
    else if (previous === 'cancelled') stats.cancelled = (stats.cancelled ?? 0) - n;
    stats.running++;
    stats.peakRunning = Math.max(stats.peakRunning, stats.running);
    stats.firstStart ??= attempt.startedAt;
  }

  attemptEnded(attempt: AttemptRecord): void {
    const stats = this.stats(attempt.id.task);
    stats.running--;
    stats.lastEnd = Math.max(stats.lastEnd ?? 0, attempt.endedAt ?? Date.now());
    this.finalStatus.set(attempt.key, attempt.status);
    this.failures.delete(attempt.key);
    if (attempt.status === 'failed') {
      stats.failed += weight(attempt);
      this.failures.set(attempt.key, attempt);
    } else if (attempt.status === 'cancelled') {
      stats.cancelled = (stats.cancelled ?? 0) + weight(attempt);
    } else {
      stats.succeeded += weight(attempt);
    }
  }

  /**
   * The first failure of an instance whose last attempt failed (and was not tolerated): what failed the run.
   * Instances the run stopped afterwards end `cancelled`, so they are not candidates. `except`: a task whose
   * failures are not the run's (the on_failure handler's never replaces the error it handled).
   */
  firstFailure(except?: string): AttemptRecord | undefined {
    for (const failure of this.failures.values()) if (failure.id.task !== except) return failure;
    return undefined;
  }

  /** The first failure of one task's instances whose last attempt failed. */
  failureOf(task: string): AttemptRecord | undefined {
    for (const failure of this.failures.values()) if (failure.id.task === task) return failure;
    return undefined;
  }

  taskSkipped(task: string): void {
    this.stats(task).skipped = true;
  }

  /** A tolerated failure did not fail the run: it is no longer a candidate for what did. */
  failureTolerated(failure: ToleratedFailure): void {
    if (failure.key !== undefined) this.failures.delete(failure.key);
  }

  metric(line: MetricLine): void {
    this.metricTotals.add(line.task, line.record);
  }

  fanOutSized(task: string, instances: number): void {
    const stats = this.stats(task);
    stats.expected = (stats.expected ?? 0) + instances;
  }

  summary(): Record<string, TaskSummary> {
    const result: Record<string, TaskSummary> = {};
    for (const [name, s] of this.tasks) {
      const metrics = this.metricTotals.of(name);
      result[name] = {
        instances: s.instances,
        succeeded: s.succeeded,
        failed: s.failed,
        cancelled: s.cancelled ?? 0,
        retried: s.retried,
        seconds: s.firstStart === undefined ? 0 : Math.round(((s.lastEnd ?? Date.now()) - s.firstStart) / 10) / 100,
        peakRunning: s.peakRunning,
        ...(metrics ? { metrics } : {}),
      };
    }
    return result;
  }
}

import type { InstanceId } from './instance-key.js';

/** What happens to one attempt of one instance. */
export interface AttemptRecord {
  readonly id: InstanceId;
  readonly key: string;
  readonly label: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** When it was handed to the runner; set again when it starts on a worker (a wait for one is not its time). */
  startedAt: number;
  endedAt?: number;
  /**
   * `cancelled`: stopped because the run ended (another instance failed it, or Ctrl-C) before the attempt
   * could finish; not a failure of its own, and what --resume runs again.
   */
  status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'reused';
  input: unknown;
  output?: unknown;
  error?: { type: string; message: string; traceback?: string };
}

export interface LogLine {
  readonly task: string;
  readonly instance: string;
  readonly level: string;
  readonly message: string;
  readonly record: Record<string, unknown>;
}

/**
 * A metric an attempt recorded (`ctx.metrics.record`): the Embedded Metric Format record as CloudWatch would
 * receive it, with the `_aws` metadata, the dimensions and the values.
 */
export interface MetricLine {
  readonly task: string;
  readonly instance: string;
  readonly record: Record<string, unknown>;
}

/** An instance (or batch) whose failure a Distributed Map tolerated (ToleratedFailureCount / Percentage). */
export interface ToleratedFailure {
  readonly task: string;
  readonly instance: string;
  readonly error: string;
  readonly message: string;
  /** The instance key, when the failure came from a task attempt. */
  readonly key?: string;
}

/** Receives what the engine does, for progress displays and the run record. */
export interface RunObserver {
  attemptStarted?(attempt: AttemptRecord): void;
  attemptEnded?(attempt: AttemptRecord): void;
  log?(line: LogLine): void;
  metric?(line: MetricLine): void;
  /** A fan-out learned its instance count. */
  fanOutSized?(task: string, instances: number): void;
  /** A fan-out that succeeded tolerated this failure. */
  failureTolerated?(failure: ToleratedFailure): void;
  /** The task's skip state was entered: it will not run, and its result is null. */
  taskSkipped?(task: string): void;
}

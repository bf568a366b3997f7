import type { AttemptRecord } from './run-events.js';

/** What aws-local-stepfunctions reads on a thrown error to leave it to no retrier or no catcher. */
interface InterpreterFlags {
  readonly isRetryable?: boolean;
  readonly isCatchable?: boolean;
}

/**
 * An error a task handler threw, carrying the attempt it ended, so that what later sees the error (the run's
 * failure report, a Distributed Map's runner) names task and instance from the error itself.
 *
 * It stands in for the error it wraps (its cause) before the interpreter: Retry and Catch match `name`, the
 * Catch's Cause is `message`, and `isRetryable` / `isCatchable` are read from it; all are the wrapped
 * error's. So, as TaskFailure's, its name is the failure's ASL error name, not the class's.
 */
export class AttemptFailure extends Error {
  constructor(
    readonly attempt: AttemptRecord,
    override readonly cause: Error,
  ) {
    super(cause.message, { cause });
    this.name = cause.name;
  }

  get isRetryable(): boolean | undefined {
    return (this.cause as InterpreterFlags).isRetryable;
  }

  get isCatchable(): boolean | undefined {
    return (this.cause as InterpreterFlags).isCatchable;
  }
}

/** The attempt that failed with `error`, when a task handler threw it. */
export function failedAttemptOf(error: unknown): AttemptRecord | undefined {
  return error instanceof AttemptFailure ? error.attempt : undefined;
}

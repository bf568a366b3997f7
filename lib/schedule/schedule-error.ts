/**
 * What is wrong with a schedule or a time, as data: `code` says which kind of problem it is, so the backfill
 * command maps every code to exit 2 (the command line or the workflow's schedule is at fault) without parsing
 * messages.
 */
export type ScheduleErrorCode =
  /** The expression is not a cron(...), rate(...) or at(...) EventBridge Scheduler accepts. */
  | 'InvalidExpression'
  /** The time zone is not an IANA name this Node.js knows. */
  | 'InvalidTimeZone'
  /** The interval holds more times than the limit: refused before they fill memory. */
  | 'TooManyTimes'
  /** A --from/--to text that is not one of the accepted forms. */
  | 'InvalidTime';

/** A schedule or time problem, in one line (`message`), with what to write instead (`hint`). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';

  constructor(
    readonly code: ScheduleErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

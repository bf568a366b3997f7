import type { Writable } from 'node:stream';
import { formatSeconds } from '../progress/task-status.js';

/** What became of one scheduled time of a backfill. */
export interface BackfillOutcome {
  /** As the run received it in `params.scheduled_time`. */
  readonly scheduledTime: string;
  /**
   * The execution's or run's end (SUCCEEDED, FAILED, TIMED_OUT, ABORTED), or NOT_STARTED when nothing ran for
   * this time (an execution of its name exists with another input, AWS refused the start, Ctrl-C came first).
   */
  readonly status: string;
  /** AWS: the execution of this time, started now or found from an earlier backfill (`existing`). */
  readonly executionArn?: string;
  readonly executionName?: string;
  readonly existing?: boolean;
  /** --local: the recorded run (`ork show RUN_ID`). */
  readonly runId?: string;
  /** Why it did not succeed: an ASL error name (or ExecutionAlreadyExists, a CloudError code) and one line. */
  readonly error?: { readonly error: string; readonly message?: string };
  readonly milliseconds?: number;
  /** What to run next about this time when it did not succeed. */
  readonly next?: string;
}

/** Where and how progress lines are written. */
export interface BackfillPrinter {
  readonly stream: Writable;
  readonly color: boolean;
}

const STATUS_COLOR: Record<string, string> = { SUCCEEDED: '32', started: '36', running: '36', NOT_STARTED: '33' };

function paint(printer: BackfillPrinter, status: string, text: string): string {
  return printer.color ? `\u001b[${STATUS_COLOR[status] ?? '31'}m${text}\u001b[0m` : text;
}

/** One progress line: a status column, the time, what it is about. */
export function progressLine(printer: BackfillPrinter, status: string, scheduledTime: string, detail: string): void {
  printer.stream.write(`${paint(printer, status, status.padEnd(11))} ${scheduledTime}${detail ? `  ${detail}` : ''}\n`);
}

/** The progress line of a time that has ended (or never started). */
export function endLine(printer: BackfillPrinter, outcome: BackfillOutcome): void {
  const what = [
    outcome.executionName ?? (outcome.runId ? `run ${outcome.runId}` : ''),
    outcome.existing ? '(existing execution)' : '',
    outcome.milliseconds !== undefined ? `in ${formatSeconds(outcome.milliseconds)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const error = outcome.error ? `${outcome.error.error}${outcome.error.message ? `: ${outcome.error.message}` : ''}` : '';
  progressLine(printer, outcome.status, outcome.scheduledTime, [what, error].filter(Boolean).join('  '));
}

export function succeeded(outcome: BackfillOutcome): boolean {
  return outcome.status === 'SUCCEEDED';
}

/** The closing lines: how many succeeded and failed, then each failed time with its error and what to run next. */
export function printSummary(printer: BackfillPrinter, outcomes: readonly BackfillOutcome[], redriveHint: boolean): void {
  const failed = outcomes.filter((o) => !succeeded(o));
  const counts = `${outcomes.length - failed.length} succeeded, ${failed.length} failed`;
  const of = `of ${outcomes.length} time${outcomes.length === 1 ? '' : 's'}`;
  printer.stream.write(`${paint(printer, failed.length === 0 ? 'SUCCEEDED' : 'FAILED', counts)} ${of}\n`);
  if (failed.length === 0) return;
  printer.stream.write('failed:\n');
  for (const outcome of failed) {
    const error = outcome.error ? `${outcome.error.error}${outcome.error.message ? `: ${outcome.error.message}` : ''}` : '';
    printer.stream.write(`  ${outcome.scheduledTime}  ${outcome.status}${error ? `  ${error}` : ''}\n`);
    if (outcome.next) printer.stream.write(`    ${outcome.next}\n`);
  }
  if (redriveHint) printer.stream.write('  hint: ork redrive EXECUTION_ARN runs a failed execution again from where it failed\n');
}

/** An error's first line, at most 300 characters: a progress line stays one line. */
export function firstLine(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const line = text.split('\n')[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

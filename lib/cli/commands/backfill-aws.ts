import { CloudError } from '../../cloud/cloud-error.js';
import type { ExecutionEnd } from '../../cloud/execution-end.js';
import type { StepFunctions } from '../../cloud/step-functions.js';
import { runBounded } from '../run-bounded.js';
import { endLine, firstLine, progressLine, type BackfillOutcome, type BackfillPrinter } from './backfill-report.js';

/** One scheduled time to start: its text (params.scheduled_time) and the execution input. */
export interface BackfillTime {
  readonly scheduledTime: string;
  readonly input: Record<string, unknown>;
}

export interface AwsBackfillOptions {
  readonly sfn: Pick<StepFunctions, 'start' | 'describe'>;
  readonly stateMachineArn: string;
  readonly times: readonly BackfillTime[];
  readonly concurrency: number;
  readonly pollMs: number;
  readonly printer: BackfillPrinter;
}

/** Statuses an execution has not ended in. */
const OPEN = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * The execution name of a scheduled time: `backfill-20260101T060000Z`. Execution names may not hold `:`
 * (StartExecution's name constraints), so the time is written in ISO 8601's basic format.
 */
export function backfillExecutionName(scheduledTime: string): string {
  return `backfill-${scheduledTime.replace(/[-:]/g, '')}`;
}

/**
 * Starts each time's execution on AWS under its own name, at most `concurrency` in flight (started and not
 * ended), and follows each to its end. A time whose execution exists from an earlier backfill with the same
 * input is that execution: followed, not started again.
 */
export async function backfillOnAws(options: AwsBackfillOptions): Promise<BackfillOutcome[]> {
  const { startNamedExecution } = await import('../../cloud/start-named-execution.js');
  const { waitForExecutionEnd } = await import('../../cloud/execution-end.js');
  const { sfn, stateMachineArn, printer } = options;

  return runBounded(options.times, options.concurrency, async ({ scheduledTime, input }) => {
    const executionName = backfillExecutionName(scheduledTime);
    let executionArn: string;
    let existing: boolean;
    try {
      const start = await startNamedExecution(sfn, stateMachineArn, executionName, input);
      executionArn = start.executionArn;
      if (start.outcome === 'conflict') {
        const outcome: BackfillOutcome = {
          scheduledTime,
          status: 'NOT_STARTED',
          executionArn,
          executionName,
          error: {
            error: 'ExecutionAlreadyExists',
            message:
              `an execution named ${executionName} exists with another input (${abbreviated(start.existingInput)}), ` +
              'so this time cannot start under its name',
          },
          next: `ork status ${executionArn}`,
        };
        endLine(printer, outcome);
        return outcome;
      }
      existing = start.outcome === 'existing';
      if (start.outcome === 'started') progressLine(printer, 'started', scheduledTime, executionName);
      else if (OPEN.has(start.status)) progressLine(printer, 'running', scheduledTime, `${executionName} (existing execution)`);
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      const outcome: BackfillOutcome = { scheduledTime, status: 'NOT_STARTED', executionName, error: { error: error.code, message: error.message } };
      endLine(printer, outcome);
      return outcome;
    }
    let end: ExecutionEnd;
    try {
      end = await waitForExecutionEnd(sfn, executionArn, { intervalMs: options.pollMs });
    } catch (error) {
      if (!(error instanceof CloudError)) throw error;
      const outcome: BackfillOutcome = {
        scheduledTime,
        status: 'UNKNOWN',
        executionArn,
        executionName,
        ...(existing ? { existing } : {}),
        error: { error: error.code, message: `cannot follow the execution: ${error.message}` },
        next: `ork status ${executionArn}`,
      };
      endLine(printer, outcome);
      return outcome;
    }
    const outcome: BackfillOutcome = {
      scheduledTime,
      status: end.status,
      executionArn,
      executionName,
      ...(existing ? { existing } : {}),
      ...(end.startDate && end.stopDate ? { milliseconds: end.stopDate.getTime() - end.startDate.getTime() } : {}),
      ...(end.status !== 'SUCCEEDED' ? { error: { error: end.error ?? end.status, ...causeOf(end) } } : {}),
      ...(end.status !== 'SUCCEEDED' ? { next: `ork redrive ${executionArn}` } : {}),
    };
    endLine(printer, outcome);
    return outcome;
  });
}

/** A Lambda failure's cause is JSON with errorMessage: its message, not the stack. */
function causeOf(end: ExecutionEnd): { message?: string } {
  if (!end.cause) return {};
  try {
    const parsed = JSON.parse(end.cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return { message: firstLine(parsed.errorMessage)! };
  } catch {
    // a plain-text cause
  }
  return { message: firstLine(end.cause)! };
}

function abbreviated(value: unknown): string {
  const text = JSON.stringify(value) ?? 'no input';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

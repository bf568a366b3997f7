import type { StepFunctions } from './step-functions.js';

/** How an execution ended, from DescribeExecution alone (no history: enough for a status and a reason). */
export interface ExecutionEnd {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
}

/** An execution that has not ended: running, or redriven and about to run again. */
const OPEN = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * Polls DescribeExecution every `intervalMs` until the execution has ended. Cheaper than watchExecution,
 * which reads the whole history each poll: for many executions at once, where only the outcome is shown.
 */
export async function waitForExecutionEnd(
  sfn: Pick<StepFunctions, 'describe'>,
  executionArn: string,
  options: { readonly intervalMs?: number } = {},
): Promise<ExecutionEnd> {
  const intervalMs = options.intervalMs ?? 2000;
  for (;;) {
    const description = await sfn.describe(executionArn);
    const status = description.status ?? 'UNKNOWN';
    if (!OPEN.has(status)) {
      return {
        status,
        ...(description.error ? { error: description.error } : {}),
        ...(description.cause ? { cause: description.cause } : {}),
        ...(description.startDate ? { startDate: description.startDate } : {}),
        ...(description.stopDate ? { stopDate: description.stopDate } : {}),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

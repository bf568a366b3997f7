import type { ExecutionSnapshot } from '../../cloud/watch-execution.js';
import type { DeployedWorkflow } from '../../cloud/workflow-shape.js';
import { taskStatus } from '../../local/task-state.js';
import { ExitCode } from '../cli-error.js';
import { handlerFailureLine } from '../handler-failure.js';
import type { Io } from '../terminal.js';

export function exitCodeOf(status: string): number {
  return status === 'SUCCEEDED' ? ExitCode.ok : status === 'RUNNING' ? ExitCode.ok : ExitCode.workflowFailed;
}

/**
 * The end of `ork start --wait` and `ork status`: status, outputs or the failure, as text or JSON. Once the
 * execution has ended each task has its status, as `ork run --json` gives it.
 */
export function printOutcome(io: Io, executionArn: string, result: ExecutionSnapshot, json: boolean, shape: DeployedWorkflow): void {
  const ended = result.status !== 'RUNNING' && result.status !== 'PENDING_REDRIVE';
  const kinds = new Map(shape.tasks.map((t) => [t.name, t]));
  const tasks: Record<string, unknown> = {};
  for (const [name, s] of result.view.tasks) {
    const task = kinds.get(name);
    const status =
      ended && task
        ? taskStatus(
            s,
            { fansOut: task.fanOut !== undefined, tolerates: typeof task.fanOut === 'object', handler: task.role === 'on_failure' },
            { succeeded: result.status === 'SUCCEEDED', ...(result.view.failure?.task ? { failedTask: result.view.failure.task } : {}) },
            name,
          )
        : undefined;
    tasks[name] = {
      instances: s.instances,
      succeeded: s.succeeded,
      failed: s.failed,
      retried: s.retried,
      running: s.running,
      ...(s.expected !== undefined ? { expected: s.expected } : {}),
      ...(status ? { status } : {}),
    };
  }
  const handlerError = result.view.onFailureError;
  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          status: result.status,
          executionArn,
          outputs: result.output,
          tasks,
          ...(result.error ? { error: { error: result.error, cause: result.cause, task: result.view.failure?.task } } : {}),
          ...(handlerError ? { onFailureError: { error: handlerError.error, cause: handlerError.cause, task: handlerError.task } } : {}),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const seconds = result.startDate ? (((result.stopDate ?? new Date()).getTime() - result.startDate.getTime()) / 1000).toFixed(1) : '?';
  io.stdout.write(`${result.status} after ${seconds}s\n`);
  if (result.error)
    io.stdout.write(
      `  ${result.view.failure?.task ? `task '${result.view.failure.task}': ` : ''}${result.error}${result.cause ? `: ${summariseCause(result.cause)}` : ''}\n`,
    );
  if (handlerError)
    io.stdout.write(
      `  ${handlerFailureLine(handlerError.error ?? 'States.TaskFailed', handlerError.cause ? summariseCause(handlerError.cause) : undefined)}\n`,
    );
}

/** A Lambda failure's cause is JSON with errorMessage; show the message, not the whole stack. */
function summariseCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // a plain-text cause
  }
  return cause.length > 500 ? `${cause.slice(0, 497)}...` : cause;
}

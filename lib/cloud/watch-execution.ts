import type { Writable } from 'node:stream';
import { RunProgress } from '../cli/progress/run-progress.js';
import { executionView, mapRunsOf, type ExecutionView, type MapRunCounts } from './execution-view.js';
import type { StepFunctions } from './step-functions.js';
import type { DeployedWorkflow } from './workflow-shape.js';

export interface ExecutionSnapshot {
  readonly status: string;
  readonly view: ExecutionView;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
}

export async function snapshot(sfn: StepFunctions, executionArn: string, shape: DeployedWorkflow): Promise<ExecutionSnapshot> {
  const description = await sfn.describe(executionArn);
  const status = description.status ?? 'UNKNOWN';
  const history = await sfn.history(executionArn);
  const mapRuns = new Map<string, MapRunCounts>();
  for (const arn of mapRunsOf(history, shape).keys()) mapRuns.set(arn, await sfn.mapRunCounts(arn));
  const view = executionView(history, shape, status !== 'RUNNING' && status !== 'PENDING_REDRIVE', mapRuns);
  let output: unknown;
  if (description.output) {
    try {
      output = JSON.parse(description.output);
    } catch {
      output = description.output;
    }
  }
  return {
    status,
    view,
    ...(output !== undefined ? { output } : {}),
    ...(description.error ?? view.failure?.error ? { error: description.error ?? view.failure?.error } : {}),
    ...(description.cause ?? view.failure?.cause ? { cause: description.cause ?? view.failure?.cause } : {}),
    ...(description.startDate ? { startDate: description.startDate } : {}),
    ...(description.stopDate ? { stopDate: description.stopDate } : {}),
  };
}

export interface RenderOptions {
  readonly stream: Writable & { isTTY?: boolean; columns?: number };
  readonly color: boolean;
  readonly live: boolean;
}

/**
 * Follows an execution until it ends, showing the same per-task view as `ork run`; polls every `intervalMs`.
 * `initial` is a snapshot the caller has just taken (it need not be read again).
 */
export async function watchExecution(sfn: StepFunctions, executionArn: string, shape: DeployedWorkflow, options: RenderOptions, intervalMs = 2000, initial?: ExecutionSnapshot): Promise<ExecutionSnapshot> {
  let current = initial ?? (await snapshot(sfn, executionArn, shape));
  let counts = current.view;
  const progress = new RunProgress(shape, { get tasks() { return counts.tasks; } }, options);
  progress.start();
  try {
    while (current.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      current = await snapshot(sfn, executionArn, shape);
      counts = current.view;
      progress.attemptEnded();
    }
  } finally {
    progress.stop();
  }
  return current;
}

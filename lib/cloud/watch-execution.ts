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

/** The calls a snapshot makes: a StepFunctions, or a fake of it in tests. */
export type ExecutionReader = Pick<StepFunctions, 'describe' | 'history' | 'mapRunCounts'>;

export async function snapshot(sfn: ExecutionReader, executionArn: string, shape: DeployedWorkflow): Promise<ExecutionSnapshot> {
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
    ...((description.error ?? view.failure?.error) ? { error: description.error ?? view.failure?.error } : {}),
    ...((description.cause ?? view.failure?.cause) ? { cause: description.cause ?? view.failure?.cause } : {}),
    ...(description.startDate ? { startDate: description.startDate } : {}),
    ...(description.stopDate ? { stopDate: description.stopDate } : {}),
  };
}

/**
 * What a watch tells as it goes. lib/cloud knows no terminal: the CLI draws these (lib/cli/progress), a
 * test records them.
 */
export interface WatchObserver {
  /** The watch begins from this snapshot. */
  started?(snapshot: ExecutionSnapshot): void;
  /** A poll has read the execution again. */
  polled?(snapshot: ExecutionSnapshot): void;
  /** The watch is over: the execution ended, or a poll failed (its error is then thrown). */
  stopped?(): void;
}

export interface WatchOptions {
  /** How long between polls (default 2 s). */
  readonly intervalMs?: number;
  readonly observer?: WatchObserver;
  /** A snapshot the caller has just taken: it is not read again. */
  readonly initial?: ExecutionSnapshot;
}

/** Follows an execution until it ends, polling every `intervalMs`; returns its last snapshot. */
export async function watchExecution(
  sfn: ExecutionReader,
  executionArn: string,
  shape: DeployedWorkflow,
  options: WatchOptions = {},
): Promise<ExecutionSnapshot> {
  const { observer, intervalMs = 2000 } = options;
  let current = options.initial ?? (await snapshot(sfn, executionArn, shape));
  observer?.started?.(current);
  try {
    while (current.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      current = await snapshot(sfn, executionArn, shape);
      observer?.polled?.(current);
    }
  } finally {
    observer?.stopped?.();
  }
  return current;
}

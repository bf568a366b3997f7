import type { ExecutionSnapshot, WatchObserver } from '../../cloud/watch-execution.js';
import type { DeployedWorkflow } from '../../cloud/workflow-shape.js';
import { RunProgress, type ProgressOptions } from './run-progress.js';

/**
 * The progress view of `ork run`, drawn for an execution on AWS as `ork start --wait` and `ork status --watch`
 * follow it: each snapshot the watch reads becomes the counts the view draws.
 */
export function executionProgress(shape: DeployedWorkflow, options: ProgressOptions): WatchObserver {
  let latest: ExecutionSnapshot | undefined;
  const progress = new RunProgress(
    shape,
    {
      get tasks() {
        return latest?.view.tasks ?? new Map();
      },
    },
    options,
  );
  return {
    started(snapshot) {
      latest = snapshot;
      progress.start();
    },
    polled(snapshot) {
      latest = snapshot;
      progress.attemptEnded();
    },
    stopped() {
      // A watch that failed before it started has drawn nothing, and has nothing to close.
      if (!latest) return;
      progress.stop(latest.status === 'RUNNING' || latest.status === 'PENDING_REDRIVE' ? undefined : latest.status);
    },
  };
}

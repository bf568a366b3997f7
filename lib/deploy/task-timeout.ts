import { Duration } from 'aws-cdk-lib';
import { LAMBDA_MAX_TIMEOUT_SECONDS, type TaskManifestEntry } from '../../compiler/index.js';

/** Lambda's ceiling on a function's timeout. */

/** Instances one invocation of the task's function runs (1 without `batch_size:`). */
export function batchSizeOf(task: TaskManifestEntry): number {
  const size = task.fanOut?.batchSize;
  return size !== undefined && size > 1 ? size : 1;
}

/**
 * The timeout of a task's Lambda function: the task's timeout (Lambda's maximum without one). A batched task's
 * invocation runs up to `batch_size` instances one after another, so it gets the task's timeout that many
 * times, capped at Lambda's 15 minutes.
 */
export function functionTimeout(task: TaskManifestEntry): Duration {
  const perInstance = task.timeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS;
  return Duration.seconds(Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, perInstance * batchSizeOf(task)));
}

import type { TaskSpec } from '../model/index.js';
import type { Retrier } from './asl-types.js';

/** Transient Lambda service errors AWS recommends always retrying; they say nothing about the task's code. */
export const LAMBDA_TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
/** ECS refuses RunTask transiently when Fargate capacity is short. */
export const ECS_TRANSIENT_ERRORS = ['ECS.AmazonECSException'];
/**
 * Raised by the task runtime when data does not fit the task's models, holds a payload reference outside the
 * execution's own store (docs/payload.md, "References"), or names a secret that does not exist, that the
 * task's role may not read, or that the task did not declare in `secrets:`: retrying cannot help. A missing
 * secret or a refused read is final until someone changes the account or the workflow (AWS does not list
 * ResourceNotFoundException, ParameterNotFound or AccessDeniedException among the errors to retry).
 */
export const NON_RETRYABLE_ERRORS = [
  'Ork.InputValidationError',
  'Ork.OutputValidationError',
  'Ork.ForeignReference',
  'Ork.SecretNotFound',
  'Ork.SecretAccessDenied',
  'Ork.SecretNotDeclared',
];

export function retriersFor(task: TaskSpec): Retrier[] {
  const transient: Retrier = {
    ErrorEquals: task.executor === 'container' ? [...ECS_TRANSIENT_ERRORS] : [...LAMBDA_TRANSIENT_ERRORS],
    IntervalSeconds: 1,
    MaxAttempts: 5,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  };
  const retriers = [transient];
  const { retry } = task;
  if (retry.retries > 0) {
    retriers.push({ ErrorEquals: [...NON_RETRYABLE_ERRORS], MaxAttempts: 0 });
    retriers.push({
      ErrorEquals: ['States.ALL'],
      IntervalSeconds: retry.delaySeconds,
      MaxAttempts: retry.retries,
      BackoffRate: retry.backoff,
      ...(retry.maxDelaySeconds !== undefined ? { MaxDelaySeconds: retry.maxDelaySeconds } : {}),
      ...(retry.jitter ? { JitterStrategy: 'FULL' as const } : {}),
    });
  }
  return retriers;
}

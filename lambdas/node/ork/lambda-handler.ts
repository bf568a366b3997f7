/**
 * Lambda entry point of `executor: node` tasks. The deploy construct bundles, per task, a small entry that
 * imports the task file and exports `handler = lambdaHandler(task)`; the event is the payload, the return
 * value the output. A failure is thrown, so Step Functions sees its name (`TypeError`,
 * `Ork.InputValidationError` …) for Retry and Catch, after one structured log line with every cause.
 */
import { describeFailure, maskError } from './errors.js';
import { References, storeFromEnvironment } from './payload-store.js';
import { invoke } from './runtime.js';
import { StreamSink } from './sink.js';
import type { OrkTask } from './task.js';

export function lambdaHandler(task: OrkTask): (event: unknown) => Promise<unknown> {
  const sink = new StreamSink();
  let references: References | undefined;
  return async (event) => {
    try {
      references ??= new References(storeFromEnvironment());
      return await invoke(event, task, { references, logSink: sink, metricSink: sink });
    } catch (error) {
      const failure = describeFailure(error);
      const payload = (event ?? {}) as { task?: unknown; execution_id?: unknown };
      sink.emit({
        level: 'error',
        message: `task failed: ${failure.type}: ${failure.message}`,
        error: failure,
        task: payload.task,
        execution_id: payload.execution_id,
      });
      // The Lambda runtime reports `error.name`, which a class `QuotaExceeded extends Error` without its own
      // name leaves at 'Error'; the local worker reports the class name (errorName), as Python does. Same
      // name on both, so `retries:` and Catch match the same errors locally and on AWS.
      if (error instanceof Error && error.name !== failure.type) error.name = failure.type;
      // The runtime reports the message as the cause Step Functions records: a secret value in it is masked.
      maskError(error);
      throw error;
    }
  };
}

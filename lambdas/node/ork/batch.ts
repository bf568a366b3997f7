/**
 * Batches: one invocation runs several instances (a Distributed Map's `batch_size:`, docs/scale.md), as the
 * Python SDK's `ork.batch` does. The instances run one after the other, each as it would alone (its own
 * input, Context, validation and offloading), and the invocation returns their outputs in order. The first
 * failure fails the whole batch, which Step Functions retries as a whole: so the batch's error carries the
 * instance's error *name* (`retries:` and Catch match names) while its message says which instance it was.
 */
import { errorName, OrkError } from './errors.js';
import { elementPayload, type Payload } from './payload.js';

/** The error a failing element ends its batch with: named after the element's error, which is its cause. */
export class BatchElementError extends OrkError {}

export function describeElement(payload: Payload, position: number, count: number): string {
  const where: string[] = [];
  if (payload.itemIndex !== undefined) where.push(`item_index ${payload.itemIndex}`);
  if (payload.parallelCount > 1 || payload.parallelIndex > 0) where.push(`parallel_index ${payload.parallelIndex}`);
  return `batch element ${position + 1} of ${count}${where.length > 0 ? ` (${where.join(', ')})` : ''}`;
}

export function elementFailure(error: unknown, payload: Payload, position: number, count: number): BatchElementError {
  const message = error instanceof Error ? error.message : String(error);
  return new BatchElementError(errorName(error), `${describeElement(payload, position, count)} failed: ${message}`, {
    cause: error,
    retryable: error instanceof OrkError ? error.retryable : true,
  });
}

export async function runBatch(payload: Payload, runOne: (instance: Payload) => Promise<unknown>): Promise<unknown[]> {
  const count = payload.batch?.length ?? 0;
  const outputs: unknown[] = [];
  for (let position = 0; position < count; position++) {
    const element = elementPayload(payload, position);
    try {
      outputs.push(await runOne(element));
    } catch (error) {
      throw elementFailure(error, element, position, count);
    }
  }
  return outputs;
}

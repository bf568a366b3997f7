/**
 * Tolerated failures of an upstream fan-out (`tolerate_failures:`, docs/scale.md). The machine hands a failed
 * instance on as `{"ork_failed": {"error", "cause", "item_index"?, "parallel_index"?}}` in the list of outputs
 * (inline Map), and a Distributed Map lists it among the FAILED records of its results. Either way the task
 * never sees it among its input's outputs: it is taken out and reported through `ctx.failures[<upstream>]`,
 * so a task that aggregates outputs needs no filtering. The same as the Python SDK's `ork.failures`.
 */
import { Markers } from '../../contract/contract.js';
import { isObject, type JsonObject } from './json-object.js';

const FAILED_KEY = Markers.failed;

/**
 * One failed instance: which one (`start` for a failed chunk of indexes, whose instances did not report each
 * their own), and Step Functions' error name and cause.
 */
export interface ToleratedFailure {
  readonly error: string;
  readonly cause: string;
  readonly itemIndex?: number;
  readonly parallelIndex?: number;
  readonly start?: number;
}

function index(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

export function isFailureMarker(value: unknown): value is { [FAILED_KEY]: JsonObject } {
  return isObject(value) && Object.keys(value).length === 1 && isObject(value[FAILED_KEY]);
}

function failureFromMarker(marker: { [FAILED_KEY]: JsonObject }): ToleratedFailure {
  const body = marker[FAILED_KEY];
  const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
  const failure: { -readonly [K in keyof ToleratedFailure]: ToleratedFailure[K] } = { error: text(body.error), cause: text(body.cause) };
  const itemIndex = index(body.item_index);
  const parallelIndex = index(body.parallel_index);
  const start = index(body.start);
  if (itemIndex !== undefined) failure.itemIndex = itemIndex;
  if (parallelIndex !== undefined) failure.parallelIndex = parallelIndex;
  if (start !== undefined) failure.start = start;
  return failure;
}

/** The inline form of a failure, for a child whose per-instance fields are `instance` (its Input). */
export function failureMarker(error: unknown, cause: unknown, instance: JsonObject): { [FAILED_KEY]: JsonObject } {
  const body: JsonObject = {
    error: error === undefined || error === null ? '' : String(error),
    cause: cause === undefined || cause === null ? '' : String(cause),
  };
  for (const name of ['item_index', 'parallel_index', 'start']) if (index(instance[name]) !== undefined) body[name] = instance[name];
  return { [FAILED_KEY]: body };
}

/** A list without its failure markers, and the failures they stood for; anything else as it is. */
export function splitFailures(value: unknown): { kept: unknown; failures: ToleratedFailure[] } {
  if (!Array.isArray(value) || !value.some(isFailureMarker)) return { kept: value, failures: [] };
  return { kept: value.filter((v) => !isFailureMarker(v)), failures: value.filter(isFailureMarker).map(failureFromMarker) };
}

import { PAYLOAD_VERSION } from '../../contract/contract.js';
import type { Failure } from '../../contract/failure-schema.js';
import { payloadInstanceLabel } from '../../contract/instance-label.js';
import { InvalidPayloadError } from './errors.js';
import { isObject, type JsonObject } from './json-object.js';

/**
 * An output field that feeds a `foreach:`: spilled to the payload store when it is a list of more than
 * `above` elements (-1: every list), so that a Distributed Map reads it (docs/scale.md).
 */
export interface FanOutField {
  readonly path: readonly (string | number)[];
  readonly above: number;
}

/**
 * The invocation payload the compiled state machine builds (docs/payload.md; its schema is
 * lambdas/contract/payload-schema.ts, and lambdas/contract/cases/payloads.json holds the cases this parser
 * and the Python SDK's are both tested against).
 */
export interface Payload {
  readonly workflow: string;
  readonly task: string;
  readonly executionId: string;
  readonly attempt: number;
  readonly params: Record<string, unknown>;
  readonly inputs: Record<string, unknown>;
  readonly parallelIndex: number;
  readonly parallelCount: number;
  readonly hasItem: boolean;
  readonly item: unknown;
  readonly itemIndex: number | undefined;
  /** `process`, `process[2]`, `process[item 3]`, `process[item 3, 2]`. */
  readonly instance: string;
  readonly fanOutFields: readonly FanOutField[];
  readonly outputSpillBytes: number | undefined;
  /** The per-instance fields of a batch (a Distributed Map's ItemBatcher); undefined for a single instance. */
  readonly batch: readonly JsonObject[] | undefined;
  /** Output fields a downstream `when:` reads, kept beside the reference when the output is stored. */
  readonly conditionFields: readonly (readonly string[])[];
  /** Only for the `on_failure:` handler: why the workflow failed. */
  readonly failure: Failure | undefined;
  /** The payload as received, which a batch element is merged into. */
  readonly raw: JsonObject;
}

/** A JSON number without a fraction (JavaScript cannot tell `3.0` from `3`, so neither SDK does), else undefined. */
function whole(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** A whole-number field of the payload; absent or null means `fallback`. */
function wholeField<T extends number | undefined>(raw: JsonObject, name: string, fallback: T): number | T {
  const value = raw[name];
  if (value === undefined || value === null) return fallback;
  const number = whole(value);
  if (number === undefined) throw InvalidPayloadError(`payload field ${name} has the wrong type: expected a whole number, got ${JSON.stringify(value)}`);
  return number;
}

/** A string field of the payload; absent or null means `fallback` (undefined: the field is required). */
function textField(raw: JsonObject, name: string, fallback?: string): string {
  const value = raw[name];
  if (value === undefined || value === null) {
    if (fallback === undefined) throw InvalidPayloadError(`payload has no '${name}'`);
    return fallback;
  }
  if (typeof value !== 'string')
    throw InvalidPayloadError(`payload field ${name} has the wrong type: expected a string, got ${JSON.stringify(value).slice(0, 80)}`);
  return value;
}

/** An object field of the payload; absent or null means none. An empty list is still the wrong type. */
function objectField(raw: JsonObject, name: string): JsonObject {
  const value = raw[name];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw InvalidPayloadError(`${name} must be an object, got ${JSON.stringify(value).slice(0, 80)}`);
  return value;
}

function fanOutFields(raw: unknown): FanOutField[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw InvalidPayloadError(`fan_out_fields must be a list, got ${JSON.stringify(raw).slice(0, 80)}`);
  return raw.map((entry: unknown) => {
    const path = isObject(entry) ? entry.path : undefined;
    const above = isObject(entry) ? whole(entry.above) : undefined;
    const step = (p: unknown): p is string | number => typeof p === 'string' || whole(p) !== undefined;
    if (!Array.isArray(path) || path.length === 0 || !path.every(step) || above === undefined) {
      throw InvalidPayloadError(`fan_out_fields entries are {"path": [names], "above": n}, got ${JSON.stringify(entry).slice(0, 120)}`);
    }
    return { path, above };
  });
}

function batch(raw: unknown): JsonObject[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || !raw.every(isObject))
    throw InvalidPayloadError("batch must be a list of objects (each instance's item, item_index, parallel_index)");
  return raw;
}

function conditionFields(raw: unknown): string[][] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw InvalidPayloadError(`condition_fields must be a list of paths, got ${JSON.stringify(raw).slice(0, 80)}`);
  return raw.map((path: unknown) => {
    if (!Array.isArray(path) || path.length === 0 || !path.every((step) => typeof step === 'string')) {
      throw InvalidPayloadError(`condition_fields entries are paths of field names (["meta", "n"]), got ${JSON.stringify(path).slice(0, 120)}`);
    }
    return [...(path as string[])];
  });
}

/**
 * The on_failure handler's `failure`, with the fields the contract names (task and instance: null when
 * absent); the rest of it is ignored, as the payload's own unknown fields are.
 */
function failure(raw: unknown): Failure | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw))
    throw InvalidPayloadError(`failure must be an object {task, instance, error, cause, execution_id}, got ${JSON.stringify(raw).slice(0, 80)}`);
  const name = (field: 'task' | 'instance'): string | null => {
    const value = raw[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string')
      throw InvalidPayloadError(`payload field failure.${field} has the wrong type: expected a string or null, got ${JSON.stringify(value).slice(0, 80)}`);
    return value;
  };
  const text = (field: 'error' | 'cause' | 'execution_id'): string => {
    const value = raw[field];
    if (typeof value !== 'string') {
      const got = value === undefined || value === null ? 'nothing' : JSON.stringify(value).slice(0, 80);
      throw InvalidPayloadError(`payload field failure.${field} has the wrong type: expected a string, got ${got}`);
    }
    return value;
  };
  // In the Python SDK's order, so that a failure with several wrong fields names the same one.
  const task = name('task');
  const instance = name('instance');
  return { task, instance, error: text('error'), cause: text('cause'), execution_id: text('execution_id') };
}

/**
 * The payload `raw` (JSON data), or InvalidPayloadError naming the field that is wrong. Optional fields that
 * are absent or null take their defaults; a field of the wrong type is refused rather than read as something
 * else, as the Python SDK does (lambdas/contract/cases/payloads.json).
 */
export function parsePayload(raw: unknown): Payload {
  if (!isObject(raw)) throw InvalidPayloadError(`payload must be a JSON object, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  if (raw.ork !== PAYLOAD_VERSION) {
    throw InvalidPayloadError(
      `payload version ${JSON.stringify(raw.ork)} is not supported by this runtime (expects ${PAYLOAD_VERSION}); deploy the workflow and its runtime together`,
    );
  }
  // Field by field in the Python SDK's order, so that a payload with several wrong fields names the same one.
  const workflow = textField(raw, 'workflow');
  const task = textField(raw, 'task');
  const executionId = textField(raw, 'execution_id', '');
  const attempt = wholeField(raw, 'attempt', 0);
  const params = objectField(raw, 'params');
  const inputs = objectField(raw, 'inputs');
  const parallelIndex = wholeField(raw, 'parallel_index', 0);
  const parallelCount = wholeField(raw, 'parallel_count', 1);
  const itemIndex = wholeField(raw, 'item_index', undefined);
  return {
    workflow,
    task,
    executionId,
    attempt,
    params,
    inputs,
    parallelIndex,
    parallelCount,
    hasItem: Object.hasOwn(raw, 'item'),
    item: raw.item ?? null,
    itemIndex,
    instance: payloadInstanceLabel(task, itemIndex, parallelIndex, parallelCount),
    fanOutFields: fanOutFields(raw.fan_out_fields),
    outputSpillBytes: wholeField(raw, 'output_spill_bytes', undefined),
    batch: batch(raw.batch),
    conditionFields: conditionFields(raw.condition_fields),
    failure: failure(raw.failure),
    raw,
  };
}

/** The payload of one instance of a batch: the batch's payload merged with its element, whose fields win. */
export function elementPayload(payload: Payload, index: number): Payload {
  const { batch: _batch, ...shared } = payload.raw;
  const { batch: _nested, ...element } = payload.batch?.[index] ?? {};
  return parsePayload({ ...shared, ...element });
}

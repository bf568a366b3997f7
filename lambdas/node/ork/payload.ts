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

/** The invocation payload the compiled state machine builds (docs/payload.md, version 1). */
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
  /** The payload as received, which a batch element is merged into. */
  readonly raw: JsonObject;
}

export const PAYLOAD_VERSION = 1;

function fanOutFields(raw: unknown): FanOutField[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw InvalidPayloadError(`fan_out_fields must be a list, got ${typeof raw}`);
  return raw.map((entry: unknown) => {
    const path = isObject(entry) ? entry.path : undefined;
    const above = isObject(entry) ? entry.above : undefined;
    const step = (p: unknown): p is string | number => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p));
    if (!Array.isArray(path) || path.length === 0 || !path.every(step) || typeof above !== 'number' || !Number.isInteger(above)) {
      throw InvalidPayloadError(`fan_out_fields entries are {"path": [names], "above": n}, got ${JSON.stringify(entry)}`);
    }
    return { path, above };
  });
}

function batch(raw: unknown): JsonObject[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || !raw.every(isObject)) throw InvalidPayloadError('batch must be a list of objects (each instance\'s item, item_index, parallel_index)');
  return raw;
}

function spillBytes(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw InvalidPayloadError(`output_spill_bytes must be a whole number of bytes, got ${JSON.stringify(raw)}`);
  return raw;
}

export function parsePayload(raw: unknown): Payload {
  if (!isObject(raw)) throw InvalidPayloadError(`payload must be a JSON object, got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  if (raw.ork !== PAYLOAD_VERSION) {
    throw InvalidPayloadError(`payload version ${JSON.stringify(raw.ork)} is not supported by this runtime (expects ${PAYLOAD_VERSION}); deploy the workflow and its runtime together`);
  }
  if (typeof raw.workflow !== 'string' || typeof raw.task !== 'string') throw InvalidPayloadError('payload has no workflow or task name');
  const params = raw.params ?? {};
  const inputs = raw.inputs ?? {};
  if (!isObject(params)) throw InvalidPayloadError('params must be an object');
  if (!isObject(inputs)) throw InvalidPayloadError('inputs must be an object');
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  const parallelIndex = number(raw.parallel_index, 0);
  const parallelCount = number(raw.parallel_count, 1);
  const itemIndex = typeof raw.item_index === 'number' ? raw.item_index : undefined;
  const parts: string[] = [];
  if (itemIndex !== undefined) parts.push(`item ${itemIndex}`);
  if (parallelCount > 1 || parallelIndex > 0) parts.push(String(parallelIndex));
  return {
    workflow: raw.workflow,
    task: raw.task,
    executionId: typeof raw.execution_id === 'string' ? raw.execution_id : '',
    attempt: number(raw.attempt, 0),
    params,
    inputs,
    parallelIndex,
    parallelCount,
    hasItem: Object.hasOwn(raw, 'item'),
    item: raw.item ?? null,
    itemIndex,
    instance: parts.length > 0 ? `${raw.task}[${parts.join(', ')}]` : raw.task,
    fanOutFields: fanOutFields(raw.fan_out_fields),
    outputSpillBytes: spillBytes(raw.output_spill_bytes),
    batch: batch(raw.batch),
    raw,
  };
}

/** The payload of one instance of a batch: the batch's payload merged with its element, whose fields win. */
export function elementPayload(payload: Payload, index: number): Payload {
  const { batch: _batch, ...shared } = payload.raw;
  const { batch: _nested, ...element } = payload.batch?.[index] ?? {};
  return parsePayload({ ...shared, ...element });
}

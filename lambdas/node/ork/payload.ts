import { InvalidPayloadError } from './errors.js';

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
}

export const PAYLOAD_VERSION = 1;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
  };
}

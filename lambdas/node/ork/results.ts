/**
 * A Distributed Map's results, read back as the list of outputs an inline Map would have produced (the same
 * as the Python SDK's `ork.results`). The Map's ResultWriter leaves a manifest (`{"ResultFiles":
 * {"SUCCEEDED": [{"Key"}], "FAILED": […]}}`) and result files, each a JSON array of child records whose
 * `Input` and `Output` are JSON strings. The records come in completion order, not item order, so they are
 * sorted by the first of `item_index`, `parallel_index`, `start` in their Input (for a batch, its first
 * item). A child that ran several instances (a batch, a chunk of indexes, the workers of one item:
 * `per_child: "list"`) returned a list, which is flattened. FAILED records become `ork_failed` markers.
 */
import { Markers } from '../../contract/contract.js';
import { PayloadStoreError } from './errors.js';
import { failureMarker } from './failures.js';
import { isObject, type JsonObject } from './json-object.js';

const RESULTS_KEY = Markers.results;
const ORDER_FIELDS = ['item_index', 'parallel_index', 'start'] as const;

export interface ResultsReference {
  readonly [RESULTS_KEY]: { readonly bucket: string; readonly key: string; readonly per_child?: unknown };
}

export type ReadJson = (bucket: string, key: string) => Promise<unknown>;

export function isResultsReference(value: unknown): value is ResultsReference {
  if (!isObject(value) || Object.keys(value).length !== 1) return false;
  const body = value[RESULTS_KEY];
  return isObject(body) && typeof body.bucket === 'string' && typeof body.key === 'string';
}

function decode(text: unknown, what: string): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw PayloadStoreError(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

/** The per-instance fields a child ran with: its batch's items, or its Input itself. */
function instances(childInput: unknown): JsonObject[] {
  if (!isObject(childInput)) return [{}];
  const items = childInput.Items;
  if (Array.isArray(items) && items.length > 0) {
    const objects = items.filter(isObject);
    return objects.length > 0 ? objects : [{}];
  }
  return [childInput];
}

/** No index sorts after the indexed ones, in the order read (Array.prototype.sort is stable). */
function order(instance: JsonObject | undefined): number {
  for (const name of ORDER_FIELDS) {
    const value = instance?.[name];
    if (typeof value === 'number' && Number.isInteger(value)) return value;
  }
  return Number.POSITIVE_INFINITY;
}

async function records(manifest: unknown, status: 'SUCCEEDED' | 'FAILED', bucket: string, readJson: ReadJson, where: string): Promise<JsonObject[]> {
  const resultFiles = isObject(manifest) && isObject(manifest.ResultFiles) ? manifest.ResultFiles[status] : undefined;
  const found: JsonObject[] = [];
  for (const entry of Array.isArray(resultFiles) ? resultFiles : []) {
    const key = isObject(entry) ? entry.Key : undefined;
    if (typeof key !== 'string') throw PayloadStoreError(`result manifest ${where} lists a ${status} file without a Key: ${JSON.stringify(entry)}`);
    const content = await readJson(bucket, key);
    if (!Array.isArray(content)) throw PayloadStoreError(`result file ${key} of ${where} is not a JSON array of child records`);
    found.push(...content.filter(isObject));
  }
  return found;
}

/**
 * The outputs in item order, flattened for `per_child: "list"`, with failure markers in place. `failuresOnly`
 * reads only the FAILED files: for an upstream field the task does not read, whose failures its context still reports.
 */
/**
 * `checkInput` is called with every record's Input before any of them is used (it throws for a record of
 * another execution: payload-store.ts).
 */
export async function readResults(
  reference: ResultsReference,
  readJson: ReadJson,
  options: { failuresOnly?: boolean; checkInput?: (childInput: unknown) => void } = {},
): Promise<unknown[]> {
  const { bucket, key, per_child: perChild } = reference[RESULTS_KEY];
  const where = `${bucket}/${key}`;
  const manifest = await readJson(bucket, key);
  const entries: { order: number; values: unknown[] }[] = [];
  if (!options.failuresOnly) {
    for (const record of await records(manifest, 'SUCCEEDED', bucket, readJson, where)) {
      const childInput = decode(record.Input, `a child's Input in ${where}`);
      options.checkInput?.(childInput);
      const output = decode(record.Output, `a child's Output in ${where}`);
      entries.push({ order: order(instances(childInput)[0]), values: perChild === 'list' && Array.isArray(output) ? output : [output] });
    }
  }
  for (const record of await records(manifest, 'FAILED', bucket, readJson, where)) {
    const childInput = decode(record.Input, `a child's Input in ${where}`);
    options.checkInput?.(childInput);
    const ran = instances(childInput);
    // A failed batch failed every instance in it; each is reported, as an inline Map would have.
    entries.push({ order: order(ran[0]), values: ran.map((instance) => failureMarker(record.Error, record.Cause, instance)) });
  }
  entries.sort((a, b) => (a.order === b.order ? 0 : a.order < b.order ? -1 : 1));
  return entries.flatMap((entry) => entry.values);
}

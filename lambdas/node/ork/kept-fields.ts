/**
 * What a stored output keeps beside its reference for the `when:` conditions downstream (docs/payload.md,
 * References); the same as the Python SDK's `ork.kept_fields`.
 *
 * A condition is a Choice state: it reads `$.results.<task>.<path>` and cannot open a stored output. So the
 * payload of a task whose output fields a condition reads names them (`condition_fields`), and when the
 * output goes to the store, those fields travel beside the reference at their own paths:
 * `{"$ork_ref": url, "bytes": N, "count": 5, "meta": {"n": 1}}`. Only values a condition compares are kept,
 * and only small ones (the point of storing the output is that the state stays small): null, booleans,
 * numbers and strings of at most 1,024 UTF-8 bytes. Anything else is left out, and the condition reads the
 * field as missing. Reading the reference ignores them: it stands for what it points to.
 */
import { Markers } from '../../contract/contract.js';
import { isObject, type JsonObject } from './json-object.js';

export const KEPT_STRING_BYTES = 1024;
/**
 * The reference's size: the output's own top-level field of that name takes its place when a condition reads
 * it (or a field inside it), so that the condition does not read the size instead.
 */
const SIZE_KEY = 'bytes';

/** Sets an own field, also one named `__proto__` (which an assignment would take for the prototype). */
function setOwn(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function keepable(value: unknown): boolean {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return true;
  return typeof value === 'string' && Buffer.byteLength(value) <= KEPT_STRING_BYTES;
}

/** The fields at `paths` of `output` that are kept, each at its path. */
export function keptFields(output: unknown, paths: readonly (readonly string[])[]): JsonObject {
  const kept: JsonObject = {};
  if (!isObject(output)) return kept;
  for (const path of paths) {
    // The reference's own URL cannot be replaced: a condition on such a field reads it as missing.
    if (path.length === 0 || path[0] === Markers.reference) continue;
    let node: unknown = output;
    let found = true;
    for (const step of path) {
      if (!isObject(node) || !Object.hasOwn(node, step)) {
        found = false;
        break;
      }
      node = node[step];
    }
    if (!found || !keepable(node)) continue;
    let target = kept;
    // A shorter path's value is an object here (a kept scalar would have no field to walk into).
    for (const step of path.slice(0, -1)) {
      const next = Object.hasOwn(target, step) ? target[step] : undefined;
      if (isObject(next)) target = next;
      else {
        const created: JsonObject = {};
        setOwn(target, step, created);
        target = created;
      }
    }
    setOwn(target, path[path.length - 1]!, node);
  }
  return kept;
}

/** `{"$ork_ref": url, "bytes": size}` and the kept fields of `output`. */
export function referenceWith(url: string, size: number, output: unknown, paths: readonly (readonly string[])[]): JsonObject {
  const sized = !paths.some((path) => path[0] === SIZE_KEY);
  // Spread, not Object.assign: it copies a kept `__proto__` as a field.
  return { [Markers.reference]: url, ...(sized ? { [SIZE_KEY]: size } : {}), ...keptFields(output, paths) };
}

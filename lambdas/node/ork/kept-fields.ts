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
 *
 * The `ork_items` references of the payload's `fan_out_fields` are kept the same way: a fan-out list is
 * stored on its own when the whole output would be (fan-out.ts), and if the rest of the output is still too
 * large, the machine's Map would otherwise find no list at all.
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

function isItems(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 1 && isObject(value[Markers.items]);
}

function valueAt(output: JsonObject, path: readonly string[]): { found: boolean; value?: unknown } {
  let node: unknown = output;
  for (const step of path) {
    if (!isObject(node) || !Object.hasOwn(node, step)) return { found: false };
    node = node[step];
  }
  return { found: true, value: node };
}

/**
 * The fields at `paths` of `output` that are kept, each at its path; and at `itemsPaths` (the payload's
 * fan_out_fields), the `ork_items` references the runtime stored their lists as, so that the machine's Map
 * still finds its list when the rest of the output is stored too.
 */
export function keptFields(output: unknown, paths: readonly (readonly string[])[], itemsPaths: readonly (readonly string[])[] = []): JsonObject {
  const kept: JsonObject = {};
  if (!isObject(output)) return kept;
  // Fan-out lists last: one replaces whatever a condition path inside it kept, never the other way round
  // (walking into it would change the output's own object).
  const candidates = [...paths.map((path) => [path, keepable] as const), ...itemsPaths.map((path) => [path, isItems] as const)];
  for (const [path, keep] of candidates) {
    // The reference's own URL cannot be replaced: a condition on such a field reads it as missing.
    if (path.length === 0 || path[0] === Markers.reference) continue;
    const { found, value } = valueAt(output, path);
    if (!found || !keep(value)) continue;
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
    setOwn(target, path[path.length - 1]!, value);
  }
  return kept;
}

/** `{"$ork_ref": url, "bytes": size}` and the kept fields of `output`. */
export function referenceWith(
  url: string,
  size: number,
  output: unknown,
  paths: readonly (readonly string[])[],
  itemsPaths: readonly (readonly string[])[] = [],
): JsonObject {
  const sized = ![...paths, ...itemsPaths].some((path) => path[0] === SIZE_KEY);
  // Spread, not Object.assign: it copies a kept `__proto__` as a field.
  return { [Markers.reference]: url, ...(sized ? { [SIZE_KEY]: size } : {}), ...keptFields(output, paths, itemsPaths) };
}

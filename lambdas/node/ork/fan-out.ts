/**
 * Spilling a `foreach:` source list to the payload store (docs/scale.md, "Upstream of a foreach"), as the
 * Python SDK's `ork.fan_out` does. A list of more than `above` elements is replaced by `{"ork_items":
 * {"bucket", "key", "count"}}`: the compiled machine takes the Distributed Map when it finds that reference
 * (its ItemReader reads the list from the store), the inline Map when it finds the list itself. A field that
 * is absent or not a list is left as it is: the machine's guards report it with the error names users know.
 * A shorter list is stored too when the whole output is above the large-output threshold: otherwise the
 * output would travel as one reference and the machine could not see the list at all.
 */
import { isObject } from './json-object.js';
import type { FanOutField } from './payload.js';
import { largeOutputThreshold, type References, type Scope } from './payload-store.js';

/** `…/process_item_3_-attempt1.json` → `…/process_item_3_-attempt1-items-files.json`. */
export function itemsKey(outputKey: string, path: readonly (string | number)[]): string {
  const stem = outputKey.endsWith('.json') ? outputKey.slice(0, -'.json'.length) : outputKey;
  return `${stem}-items-${path
    .map(String)
    .join('.')
    .replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
}

function child(container: unknown, step: string | number): { found: boolean; value?: unknown } {
  if (isObject(container) && typeof step === 'string' && Object.hasOwn(container, step)) return { found: true, value: container[step] };
  if (Array.isArray(container) && typeof step === 'number' && step >= -container.length && step < container.length)
    return { found: true, value: container.at(step) };
  return { found: false };
}

/** A copy with `value` at `path`, copying only the containers on the way: the task's own objects stay as they were. */
function replaced(container: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined) return value;
  const inner = rest.length === 0 ? value : replaced(child(container, step).value, rest, value);
  if (Array.isArray(container)) {
    const copy = [...container];
    copy[typeof step === 'number' && step < 0 ? container.length + step : Number(step)] = inner;
    return copy;
  }
  return { ...(container as Record<string, unknown>), [step]: inner };
}

export async function spillFanOutFields(
  output: unknown,
  fields: readonly FanOutField[],
  references: References,
  outputKey: string,
  threshold?: number,
  scope?: Scope,
): Promise<unknown> {
  let result = output;
  // Whether the output would go to the store whole: then any fan-out list is stored on its own instead.
  const limit = Math.min(threshold ?? Number.POSITIVE_INFINITY, largeOutputThreshold());
  const oversized = fields.length > 0 && Buffer.byteLength(JSON.stringify(output) ?? '') > limit;
  for (const field of fields) {
    let node: { found: boolean; value?: unknown } = { found: true, value: result };
    for (const step of field.path) {
      node = child(node.value, step);
      if (!node.found) break;
    }
    // An `ork_items` the task returned rather than one this runtime wrote (its params passed on): the
    // machine's ItemReader would read it as the fan-out's list, so it must be this execution's.
    if (node.found) references.checkItems(node.value, scope);
    if (!node.found || !Array.isArray(node.value) || (node.value.length <= field.above && !oversized)) continue;
    result = replaced(result, field.path, await references.storeItems(node.value, itemsKey(outputKey, field.path)));
  }
  return result;
}

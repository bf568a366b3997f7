import type { JsonValue } from '../../compiler/index.js';

/** A value an event pattern can match: the leaves of the event's JSON. */
export type EventScalar = string | number | boolean | null;

/**
 * One leaf of the event, named by its path joined with `.`, as EventBridge's matcher flattens an event
 * (aws/event-ruler, Event.java): objects and arrays are not values themselves, so `exists` sees only leaves,
 * and an empty array or object contributes nothing.
 */
export interface EventField {
  readonly name: string;
  readonly value: EventScalar;
  /**
   * For each array of objects (or of arrays) the leaf sits in: that array's number → the element's index. Two
   * leaves taken from different elements of one array cannot match one pattern together (EventBridge's
   * "array-consistent" matching); scalar elements of an array carry no index, as in the matcher.
   */
  readonly membership: ReadonlyMap<number, number>;
}

/** The event's leaves, in document order. */
export function eventFields(event: { readonly [key: string]: JsonValue }): EventField[] {
  const fields: EventField[] = [];
  let arrays = 0;
  const membership = new Map<number, number>();
  const visitObject = (object: { readonly [key: string]: JsonValue }, prefix: string): void => {
    for (const [key, value] of Object.entries(object)) visit(value, prefix ? `${prefix}.${key}` : key);
  };
  const visit = (value: JsonValue, name: string): void => {
    if (Array.isArray(value)) {
      const array = arrays++;
      (value as readonly JsonValue[]).forEach((element, index) => {
        if (element !== null && typeof element === 'object') {
          membership.set(array, index);
          visit(element, name);
          membership.delete(array);
        } else {
          visit(element, name);
        }
      });
    } else if (value !== null && typeof value === 'object') {
      visitObject(value as { readonly [key: string]: JsonValue }, name);
    } else {
      fields.push({ name, value, membership: new Map(membership) });
    }
  };
  visitObject(event, '');
  return fields;
}

/** The membership of both, or undefined when they sit in different elements of one array. */
export function consistentMembership(soFar: ReadonlyMap<number, number>, field: ReadonlyMap<number, number>): ReadonlyMap<number, number> | undefined {
  if (field.size === 0) return soFar;
  let merged: Map<number, number> | undefined;
  for (const [array, index] of field) {
    const previous = soFar.get(array);
    if (previous === undefined) {
      merged ??= new Map(soFar);
      merged.set(array, index);
    } else if (previous !== index) {
      return undefined;
    }
  }
  return merged ?? soFar;
}

import type { EventPattern, JsonValue } from '../../compiler/index.js';
import { consistentMembership, eventFields, type EventField } from './event-fields.js';
import { CompiledPattern, compileEventPattern, type FieldCondition } from './event-pattern.js';
import { describeFilter, passesFilter } from './value-filter.js';

/** Whether an event matches a pattern; when it does not, the first field that did not and why, for one line. */
export type PatternMatch =
  | { readonly matched: true }
  | {
      readonly matched: false;
      /** The pattern's field that failed (`detail.object.key`). */
      readonly path: string;
      /** What the event has there and what the pattern wanted: `is "raw/a.txt", not suffix ".csv"`. */
      readonly reason: string;
      /** How many of the conditions of the closest alternative the event meets, of `total`: how near it came. */
      readonly satisfied: number;
      readonly total: number;
    };

/**
 * Match an event against a pattern (compiled, or as written: then an invalid one throws EventPatternError) with
 * EventBridge's semantics: every field the pattern names must have a value passing one of its filters, an array
 * in the event matches when one of its elements does, and the values a match uses from objects inside an array
 * must come from one element of that array.
 */
export function matchEventPattern(pattern: EventPattern | CompiledPattern, event: { readonly [key: string]: JsonValue }): PatternMatch {
  const compiled = pattern instanceof CompiledPattern ? pattern : compileEventPattern(pattern);
  const fields = eventFields(event);
  const byName = new Map<string, EventField[]>();
  for (const field of fields) {
    const list = byName.get(field.name);
    if (list) list.push(field);
    else byName.set(field.name, [field]);
  }
  if (compiled.branches.some((branch) => branchMatches(branch, byName))) return { matched: true };
  return closestMiss(compiled, byName, event);
}

/**
 * The conditions are tried in the order of their paths, and `exists: false` is met when no value of the field
 * can go with the values chosen so far: the order and the rule EventBridge's matcher follows (ACFinder).
 */
function branchMatches(branch: readonly FieldCondition[], byName: ReadonlyMap<string, readonly EventField[]>): boolean {
  const conditions = [...branch].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const solve = (i: number, membership: ReadonlyMap<number, number>): boolean => {
    const condition = conditions[i];
    if (!condition) return true;
    const candidates = (byName.get(condition.path) ?? []).flatMap((field) => {
      const merged = consistentMembership(membership, field.membership);
      return merged ? [{ field, merged }] : [];
    });
    const valueFilters = condition.filters.filter((f) => f.kind !== 'exists' || f.exists);
    for (const { field, merged } of candidates) {
      if (valueFilters.some((f) => passesFilter(f, field.value)) && solve(i + 1, merged)) return true;
    }
    const absentAllowed = condition.filters.some((f) => f.kind === 'exists' && !f.exists);
    return absentAllowed && candidates.length === 0 && solve(i + 1, membership);
  };
  return solve(0, new Map());
}

/** Whether some value of the field, taken alone, meets the condition (array consistency aside). */
function conditionMetAlone(condition: FieldCondition, byName: ReadonlyMap<string, readonly EventField[]>): boolean {
  const values = byName.get(condition.path) ?? [];
  if (values.length === 0) return condition.filters.some((f) => f.kind === 'exists' && !f.exists);
  return values.some((field) => condition.filters.some((f) => (f.kind !== 'exists' || f.exists) && passesFilter(f, field.value)));
}

function closestMiss(
  compiled: CompiledPattern,
  byName: ReadonlyMap<string, readonly EventField[]>,
  event: { readonly [key: string]: JsonValue },
): Exclude<PatternMatch, { matched: true }> {
  let best: Exclude<PatternMatch, { matched: true }> | undefined;
  for (const branch of compiled.branches) {
    const met = branch.map((condition) => conditionMetAlone(condition, byName));
    const satisfied = met.filter(Boolean).length;
    const failed = branch[met.indexOf(false)];
    const miss = failed
      ? { matched: false as const, path: failed.path, reason: mismatchReason(failed, byName, event), satisfied, total: branch.length }
      : {
          matched: false as const,
          path: branch.map((c) => c.path).join(', '),
          reason: 'match values from different elements of one array: one element must match them all',
          satisfied,
          total: branch.length,
        };
    if (!best || satisfied / miss.total > best.satisfied / best.total) best = miss;
  }
  // A compiled pattern always has a branch; this only satisfies the type checker.
  return best ?? { matched: false, path: '', reason: 'the pattern has no conditions', satisfied: 0, total: 0 };
}

function mismatchReason(condition: FieldCondition, byName: ReadonlyMap<string, readonly EventField[]>, event: { readonly [key: string]: JsonValue }): string {
  const wanted = condition.filters.map(describeFilter).join(' or ');
  const values = byName.get(condition.path) ?? [];
  if (values.length === 0) {
    const raw = rawValue(event, condition.path);
    const what = raw === undefined ? 'is absent' : Array.isArray(raw) ? 'is an empty list' : 'is an object, not a value';
    return `${what}; the pattern wants ${wanted}`;
  }
  const shown = values.slice(0, 3).map((f) => JSON.stringify(f.value));
  const text = values.length === 1 ? `is ${shown[0] ?? ''}` : `has ${shown.join(', ')}${values.length > 3 ? ', …' : ''}`;
  return `${text}; the pattern wants ${wanted}`;
}

/** The event's JSON at a dotted path, when its names have no dots themselves (for a clearer message only). */
function rawValue(event: { readonly [key: string]: JsonValue }, path: string): JsonValue | undefined {
  let value: JsonValue | undefined = event;
  for (const name of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as { readonly [key: string]: JsonValue })[name];
  }
  return value;
}

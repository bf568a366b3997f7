import type { EventScalar } from './event-fields.js';
import type { ValueFilter } from './event-pattern.js';
import { inCidr, ipBytes } from './ip-address.js';

/**
 * Whether a value of the event passes a filter, with EventBridge's typing (AWS: "Content filtering in Amazon
 * EventBridge event patterns"; aws/event-ruler ByteMachine): string filters (prefix, suffix, equals-ignore-case,
 * wildcard, cidr) pass strings only, `numeric` numbers only, an exact number equals any number of the same value
 * (5 and 5.0), and every `anything-but` passes whatever it does not exclude, values of another type and null
 * included. `exists` is decided by the matcher, from whether the field has values at all.
 */
export function passesFilter(filter: ValueFilter, value: EventScalar): boolean {
  switch (filter.kind) {
    case 'exact':
      if (filter.ip && typeof value === 'string') {
        const address = ipBytes(value);
        if (address) return sameBytes(address, filter.ip);
      }
      return value === filter.value;
    case 'prefix':
      return typeof value === 'string' && (filter.ignoreCase ? lower(value).startsWith(lower(filter.text)) : value.startsWith(filter.text));
    case 'suffix':
      return typeof value === 'string' && (filter.ignoreCase ? lower(value).endsWith(lower(filter.text)) : value.endsWith(filter.text));
    case 'equals-ignore-case':
      return typeof value === 'string' && lower(value) === lower(filter.text);
    case 'wildcard':
      return typeof value === 'string' && filter.regex.test(value);
    case 'numeric':
      return typeof value === 'number' && withinBounds(filter, value);
    case 'cidr': {
      const address = typeof value === 'string' ? ipBytes(value) : undefined;
      return address !== undefined && inCidr(filter.range, address);
    }
    case 'anything-but':
      return !(filter.values as readonly (string | number)[]).some((excluded) => excluded === value);
    case 'anything-but-prefix':
      return typeof value !== 'string' || !filter.texts.some((t) => value.startsWith(t));
    case 'anything-but-suffix':
      return typeof value !== 'string' || !filter.texts.some((t) => value.endsWith(t));
    case 'anything-but-ignore-case':
      return typeof value !== 'string' || !filter.texts.some((t) => lower(t) === lower(value));
    case 'anything-but-wildcard':
      return typeof value !== 'string' || !filter.regexes.some((r) => r.test(value));
    case 'exists':
      return filter.exists;
  }
}

function withinBounds(filter: Extract<ValueFilter, { kind: 'numeric' }>, value: number): boolean {
  const { lower: low, upper: high } = filter;
  if (low && (low.inclusive ? value < low.value : value <= low.value)) return false;
  if (high && (high.inclusive ? value > high.value : value >= high.value)) return false;
  return true;
}

function lower(text: string): string {
  return text.toLowerCase();
}

function sameBytes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The filter as the pattern writes it, for messages: `"aws.s3"`, `prefix "incoming/"`, `numeric > 0 <= 5`. */
export function describeFilter(filter: ValueFilter): string {
  const q = (text: string): string => JSON.stringify(text);
  const list = (texts: readonly string[]): string => (texts.length === 1 ? q(texts[0] ?? '') : `[${texts.map(q).join(', ')}]`);
  switch (filter.kind) {
    case 'exact':
      return JSON.stringify(filter.value);
    case 'prefix':
    case 'suffix':
      return `${filter.kind}${filter.ignoreCase ? ' (ignoring case)' : ''} ${q(filter.text)}`;
    case 'equals-ignore-case':
      return `${q(filter.text)} (ignoring case)`;
    case 'wildcard':
      return `wildcard ${q(filter.text)}`;
    case 'numeric':
      return `numeric ${filter.text}`;
    case 'cidr':
      return `an address in ${filter.text}`;
    case 'anything-but':
      return `anything but ${(filter.values as readonly (string | number)[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'anything-but-prefix':
      return `anything but prefix ${list(filter.texts)}`;
    case 'anything-but-suffix':
      return `anything but suffix ${list(filter.texts)}`;
    case 'anything-but-ignore-case':
      return `anything but ${list(filter.texts)} (ignoring case)`;
    case 'anything-but-wildcard':
      return `anything but wildcard ${list(filter.texts)}`;
    case 'exists':
      return filter.exists ? 'present' : 'absent';
  }
}

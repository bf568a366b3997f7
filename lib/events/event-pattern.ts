import type { EventPattern, JsonValue } from '../../compiler/index.js';
import { ipBytes, parseCidr, type CidrRange } from './ip-address.js';
import { parseWildcard } from './wildcard.js';

/**
 * An EventBridge event pattern read the way EventBridge reads it (AWS: "Amazon EventBridge event patterns",
 * "Content filtering in Amazon EventBridge event patterns"; the open-source matcher EventBridge documents,
 * aws/event-ruler, JsonRuleCompiler): nested objects name a field by its path, joined with `.` as EventBridge
 * joins them; an array lists the filters a value may pass (any one is enough); `$or` lists alternatives.
 */

/** One entry of a field's array. */
export type ValueFilter =
  | { readonly kind: 'exact'; readonly value: string | number | boolean | null; readonly ip?: readonly number[] }
  | { readonly kind: 'prefix' | 'suffix'; readonly text: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly text: string }
  | { readonly kind: 'wildcard'; readonly text: string; readonly regex: RegExp }
  | { readonly kind: 'anything-but'; readonly values: readonly string[] | readonly number[] }
  | { readonly kind: 'anything-but-prefix' | 'anything-but-suffix' | 'anything-but-ignore-case'; readonly texts: readonly string[] }
  | { readonly kind: 'anything-but-wildcard'; readonly texts: readonly string[]; readonly regexes: readonly RegExp[] }
  | { readonly kind: 'numeric'; readonly text: string; readonly lower?: Bound; readonly upper?: Bound }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'cidr'; readonly text: string; readonly range: CidrRange };

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** A field the event must have a value of that passes one of `filters`. */
export interface FieldCondition {
  /** The field's path, its names joined with `.` (`detail.object.key`). */
  readonly path: string;
  readonly filters: readonly ValueFilter[];
}

/** The pattern as alternatives (from `$or`), each a list of conditions that must all hold; one is enough. */
export class CompiledPattern {
  constructor(readonly branches: readonly (readonly FieldCondition[])[]) {}
}

/** What PutRule answers a pattern it refuses with (InvalidEventPatternException), with where in the pattern. */
export class EventPatternError extends Error {
  constructor(
    message: string,
    /** The field the problem is in (`detail.object.key`), empty at the top. */
    readonly path: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'InvalidEventPatternException';
  }
}

/**
 * Keywords a `$or` alternative may not use as a field name: the matcher keeps them for filters
 * (aws/event-ruler Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP).
 */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

type Branch = Map<string, FieldCondition>;

/** The pattern compiled, or EventPatternError naming the first problem, as PutRule would refuse it. */
export function compileEventPattern(pattern: EventPattern): CompiledPattern {
  if (!isObject(pattern)) throw new EventPatternError('the pattern must be a JSON object', '');
  let branches: Branch[] = [new Map()];
  branches = compileObject(pattern, '', branches, false);
  return new CompiledPattern(branches.map((b) => [...b.values()]));
}

function compileObject(object: { readonly [key: string]: JsonValue }, prefix: string, branches: Branch[], insideOr: boolean): Branch[] {
  const entries = Object.entries(object);
  if (entries.length === 0) throw new EventPatternError('empty objects are not allowed', prefix);
  let current = branches;
  for (const [key, value] of entries) {
    if (key === '$or') {
      current = compileOr(value, prefix, current);
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (insideOr && RESERVED_IN_OR.has(key)) throw new EventPatternError(`'${key}' is a reserved keyword and cannot be a field name inside $or`, path);
    if (Array.isArray(value)) {
      const filters = compileFilters(value as readonly JsonValue[], path);
      // A field given twice (in $or and beside it) keeps the last one, as the matcher's compiler does.
      for (const branch of current) branch.set(path, { path, filters });
    } else if (isObject(value)) {
      current = compileObject(value, path, current, insideOr);
    } else {
      throw new EventPatternError(`'${key}' must be an object or an array`, path);
    }
  }
  return current;
}

function compileOr(value: JsonValue, prefix: string, branches: Branch[]): Branch[] {
  if (!Array.isArray(value)) throw new EventPatternError('$or must be followed by an array', prefix);
  const alternatives = value as readonly JsonValue[];
  if (alternatives.length < 2) throw new EventPatternError('$or needs at least 2 objects', prefix);
  const result: Branch[] = [];
  for (const alternative of alternatives) {
    if (!isObject(alternative)) throw new EventPatternError('only JSON objects are allowed in the array of $or', prefix);
    const copies = branches.map((b) => new Map(b));
    result.push(...compileObject(alternative, prefix, copies, true));
  }
  return result;
}

function compileFilters(values: readonly JsonValue[], path: string): ValueFilter[] {
  if (values.length === 0) throw new EventPatternError('empty arrays are not allowed', path);
  return values.map((value) => {
    if (value === null || typeof value === 'boolean' || typeof value === 'number') return { kind: 'exact', value };
    if (typeof value === 'string') {
      // A string that is an IP address matches that address however the event writes it (the matcher turns it into a range).
      const ip = ipBytes(value);
      return ip ? { kind: 'exact', value, ip } : { kind: 'exact', value };
    }
    if (Array.isArray(value)) throw new EventPatternError('match value must be string, number, true, false, or null', path);
    return compileMatchExpression(value as { readonly [key: string]: JsonValue }, path);
  });
}

function compileMatchExpression(expression: { readonly [key: string]: JsonValue }, path: string): ValueFilter {
  const entries = Object.entries(expression);
  if (entries.length === 0) throw new EventPatternError('match expression name not found', path);
  if (entries.length > 1) throw new EventPatternError('only one key allowed in match expression', path);
  const [name, operand] = entries[0] as [string, JsonValue];
  const fail = (message: string): never => {
    throw new EventPatternError(message, path);
  };
  switch (name) {
    case 'prefix':
    case 'suffix': {
      if (typeof operand === 'string') return { kind: name, text: operand, ignoreCase: false };
      const ignoreCase = singleKey(operand, 'equals-ignore-case');
      if (typeof ignoreCase === 'string') return { kind: name, text: ignoreCase, ignoreCase: true };
      return fail(`${name} match pattern must be a string`);
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') return fail('equals-ignore-case match pattern must be a string');
      return { kind: 'equals-ignore-case', text: operand };
    case 'wildcard': {
      if (typeof operand !== 'string') return fail('wildcard match pattern must be a string');
      const regex = parseWildcard(operand);
      if (typeof regex === 'string') return fail(regex);
      return { kind: 'wildcard', text: operand, regex };
    }
    case 'numeric':
      return compileNumeric(operand, path);
    case 'exists':
      if (typeof operand !== 'boolean') return fail('exists match pattern must be either true or false');
      return { kind: 'exists', exists: operand };
    case 'cidr': {
      if (typeof operand !== 'string') return fail('cidr match pattern must be a string');
      const range = parseCidr(operand);
      if (typeof range === 'string') return fail(range);
      return { kind: 'cidr', text: operand, range };
    }
    case 'anything-but':
      return compileAnythingBut(operand, path);
    default:
      return fail(`unrecognized match type ${name}`);
  }
}

function compileAnythingBut(operand: JsonValue, path: string): ValueFilter {
  const fail = (message: string): never => {
    throw new EventPatternError(message, path);
  };
  if (typeof operand === 'string') return { kind: 'anything-but', values: [operand] };
  if (typeof operand === 'number') return { kind: 'anything-but', values: [operand] };
  if (Array.isArray(operand)) {
    const values = operand as readonly JsonValue[];
    if (values.length > 0 && values.every((v) => typeof v === 'string')) return { kind: 'anything-but', values: values as readonly string[] };
    if (values.length > 0 && values.every((v) => typeof v === 'number')) return { kind: 'anything-but', values: values as readonly number[] };
    return fail('inside anything-but list, either all values are numbers or all are strings');
  }
  if (!isObject(operand)) return fail('value of anything-but must be an array or a single string or number');
  const entries = Object.entries(operand);
  if (entries.length !== 1) return fail('only one key allowed in an anything-but expression');
  const [name, inner] = entries[0] as [string, JsonValue];
  const texts = typeof inner === 'string' ? [inner] : Array.isArray(inner) ? (inner as readonly JsonValue[]) : undefined;
  if (!texts || texts.length === 0 || !texts.every((t): t is string => typeof t === 'string'))
    return fail(`anything-but ${name} match pattern must be a string or a list of strings`);
  switch (name) {
    case 'prefix':
    case 'suffix':
      if (texts.some((t) => t === '')) return fail(`anything-but ${name} cannot be empty`);
      return { kind: name === 'prefix' ? 'anything-but-prefix' : 'anything-but-suffix', texts };
    case 'equals-ignore-case':
      return { kind: 'anything-but-ignore-case', texts };
    case 'wildcard': {
      const regexes = texts.map((t) => parseWildcard(t));
      const problem = regexes.find((r): r is string => typeof r === 'string');
      if (problem !== undefined) return fail(problem);
      return { kind: 'anything-but-wildcard', texts, regexes: regexes as RegExp[] };
    }
    default:
      return fail(`unsupported anything-but pattern: ${name}`);
  }
}

/** `[">", 0, "<=", 5]`, `["<", 10]`, `["=", 301.8]`: a lower bound first, then an upper one. */
function compileNumeric(operand: JsonValue, path: string): ValueFilter {
  const fail = (message: string): never => {
    throw new EventPatternError(message, path);
  };
  if (!Array.isArray(operand)) return fail('value of numeric must be an array');
  const items = operand as readonly JsonValue[];
  const text = `${items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i))).join(' ')}`;
  const operator = (i: number): string => {
    const op = items[i];
    return typeof op === 'string' ? op : fail(`invalid member in numeric match: ${JSON.stringify(op)}`);
  };
  const number = (i: number, op: string): number => {
    const value = items[i];
    return typeof value === 'number' ? value : fail(`value of ${op} must be numeric`);
  };
  const first = operator(0);
  if (first === '=') {
    const value = number(1, '=');
    if (items.length > 2) return fail('too many elements in numeric expression');
    return { kind: 'numeric', text, lower: { value, inclusive: true }, upper: { value, inclusive: true } };
  }
  if (first === '<' || first === '<=') {
    const value = number(1, first);
    if (items.length > 2) return fail('too many elements in numeric expression');
    return { kind: 'numeric', text, upper: { value, inclusive: first === '<=' } };
  }
  if (first !== '>' && first !== '>=') return fail(`unrecognized numeric range operator: ${first}`);
  const lower = { value: number(1, first), inclusive: first === '>=' };
  if (items.length === 2) return { kind: 'numeric', text, lower };
  const second = operator(2);
  if (second !== '<' && second !== '<=') return fail(`bad value for upper end of numeric range: ${second}`);
  const upper = { value: number(3, second), inclusive: second === '<=' };
  if (items.length > 4) return fail('too many elements in numeric expression');
  if (upper.value <= lower.value) return fail('bottom must be less than top');
  return { kind: 'numeric', text, lower, upper };
}

function singleKey(value: JsonValue, key: string): JsonValue | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  return entries.length === 1 && entries[0]?.[0] === key ? entries[0][1] : undefined;
}

function isObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

import { closestMatch } from '../diagnostics/index.js';
import type { PathSegment } from '../parse/index.js';

/** One problem of an event pattern, at a path inside it (`[]` is the pattern itself). */
export interface PatternProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly hint?: string;
}

/**
 * The filters a leaf's array may hold, each an object of one key (EventBridge, "Comparison operators for use in
 * event patterns"; the grammar is that of aws/event-ruler's JsonRuleCompiler, which EventBridge's patterns are).
 */
export const PATTERN_FILTERS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard'] as const;

const OR = '$or';
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];
/** Names the pattern language keeps for itself, which no field inside `$or` may take (event-ruler). */
const RESERVED_IN_OR = [...PATTERN_FILTERS, 'exactly', ...NUMERIC_OPERATORS];

type Found = PatternProblem[];

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const show = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value)));

/**
 * Every problem EventBridge's PutRule would refuse the pattern for: fields are mappings (nesting) or lists
 * (the values one of which must match); lists are not empty and hold strings, numbers, booleans, null or one
 * filter object each; filters take the arguments EventBridge defines; `$or` is a list of two or more patterns.
 */
export function checkEventPattern(pattern: unknown): PatternProblem[] {
  const found: Found = [];
  if (!isMapping(pattern)) {
    found.push({ path: [], message: `an event pattern must be a mapping of event fields, got ${show(pattern)}` });
    return found;
  }
  checkObject(pattern, [], false, found);
  return found;
}

function checkObject(object: Record<string, unknown>, path: readonly PathSegment[], insideOr: boolean, found: Found): void {
  const keys = Object.keys(object);
  if (keys.length === 0) {
    found.push({ path, message: 'an empty mapping matches nothing EventBridge accepts', hint: 'name at least one field, e.g. {source: [my.app]}' });
    return;
  }
  for (const key of keys) {
    const value = object[key];
    const at = [...path, key];
    if (key === OR) {
      checkOr(value, at, found);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.includes(key)) {
      found.push({ path: at, message: `'${key}' is a filter name and cannot be a field inside $or`, hint: `write it in a list: field: [{${key}: ...}]` });
      continue;
    }
    if (isMapping(value)) {
      // A mapping under a filter's name is a field of that name (an event may have a `prefix` object).
      checkObject(value, at, insideOr, found);
    } else if (Array.isArray(value)) {
      checkValues(value, at, found);
    } else if ((PATTERN_FILTERS as readonly string[]).includes(key) && path.length > 0) {
      const field = String(path[path.length - 1]);
      found.push({
        path: at,
        message: `filter '${key}' must be inside the field's list`,
        hint: `write ${field}: [{${key}: ${typeof value === 'string' ? value : show(value)}}]`,
      });
    } else {
      found.push({
        path: at,
        message: `field '${key}' must be a list of values or a mapping of fields, got ${show(value)}`,
        hint: `EventBridge matches a field against a list: ${key}: [${typeof value === 'string' ? value : show(value)}]`,
      });
    }
  }
}

function checkOr(value: unknown, path: readonly PathSegment[], found: Found): void {
  if (!Array.isArray(value) || value.length < 2) {
    found.push({ path, message: '$or must be a list of at least two patterns', hint: '$or: [{field: [a]}, {other: [b]}]' });
    return;
  }
  value.forEach((branch, i) => {
    if (isMapping(branch)) checkObject(branch, [...path, i], true, found);
    else found.push({ path: [...path, i], message: `each entry of $or must be a pattern (a mapping), got ${show(branch)}` });
  });
}

function checkValues(values: readonly unknown[], path: readonly PathSegment[], found: Found): void {
  if (values.length === 0) {
    found.push({ path, message: 'an empty list matches nothing: EventBridge refuses it', hint: 'list the values to match, or remove the field' });
    return;
  }
  values.forEach((value, i) => {
    const at = [...path, i];
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) found.push({ path: at, message: `${show(value)} is not a number EventBridge can match` });
      return;
    }
    if (Array.isArray(value)) {
      found.push({ path: at, message: 'a list inside a list is not a value EventBridge matches', hint: 'a list already means "any of": flatten it' });
      return;
    }
    checkFilter(value as Record<string, unknown>, at, found);
  });
}

function checkFilter(filter: Record<string, unknown>, path: readonly PathSegment[], found: Found): void {
  const keys = Object.keys(filter);
  if (keys.length !== 1) {
    found.push({
      path,
      message: keys.length === 0 ? 'an empty filter' : `a filter has one key, got ${keys.map((k) => `'${k}'`).join(', ')}`,
      hint: keys.length === 0 ? undefined : 'write each filter as its own entry of the list: [{prefix: a}, {suffix: b}] means either',
    });
    return;
  }
  const [name = ''] = keys;
  const argument = filter[name];
  const at = [...path, name];
  const problem = (message: string, hint?: string): void => {
    found.push({ path: at, message: `${name}: ${message}`, ...(hint ? { hint } : {}) });
  };
  switch (name) {
    case 'prefix':
    case 'suffix':
      if (typeof argument === 'string') return;
      if (isMapping(argument) && Object.keys(argument).length === 1 && typeof argument['equals-ignore-case'] === 'string') return;
      problem('takes text, or {equals-ignore-case: text}', `for example {${name}: ${name === 'prefix' ? 'incoming/' : '.csv'}}`);
      return;
    case 'equals-ignore-case':
      if (typeof argument !== 'string') problem('takes text');
      return;
    case 'wildcard': {
      const bad = typeof argument === 'string' ? wildcardProblem(argument) : 'takes text';
      if (bad) problem(bad, 'escape a literal * or \\ with \\');
      return;
    }
    case 'exists':
      if (typeof argument !== 'boolean') problem(`takes true or false, got ${show(argument)}`);
      return;
    case 'cidr':
      if (typeof argument !== 'string' || !isCidr(argument)) problem(`takes an IP range such as 10.0.0.0/24, got ${show(argument)}`);
      return;
    case 'numeric': {
      const bad = numericProblem(argument);
      if (bad) problem(bad, 'for example {numeric: [">", 0, "<=", 5]} or {numeric: ["=", 3]}');
      return;
    }
    case 'anything-but': {
      const bad = anythingButProblem(argument);
      if (bad) problem(bad);
      return;
    }
    default: {
      const close = closestMatch(name, PATTERN_FILTERS);
      found.push({
        path: at,
        message: `unknown filter '${name}'`,
        hint: close ? `did you mean '${close}'?` : `filters: ${PATTERN_FILTERS.join(', ')}`,
      });
    }
  }
}

/** A wildcard: `*` matches any text, never two in a row; `\` only escapes `*` or `\`. */
export function wildcardProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '*' && text[i + 1] === '*') return `consecutive * at position ${i + 1} of '${text}'`;
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') return `\\ at position ${i + 1} of '${text}' escapes neither * nor \\`;
      i++;
    }
  }
  return undefined;
}

function numericProblem(argument: unknown): string | undefined {
  if (!Array.isArray(argument)) return `takes a list such as [">", 0], got ${show(argument)}`;
  const [op, value, op2, value2, ...rest] = argument as unknown[];
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (typeof op !== 'string' || !NUMERIC_OPERATORS.includes(op)) return `the operator must be one of ${NUMERIC_OPERATORS.join(' ')}, got ${show(op)}`;
  if (!isNumber(value)) return `${op} needs a number, got ${show(value)}`;
  if (argument.length === 2) return undefined;
  if (op !== '>' && op !== '>=') return `only > or >= can start a range, got [${argument.map(show).join(', ')}]`;
  if (op2 !== '<' && op2 !== '<=') return `a range ends with < or <= and a number, got ${show(op2)}`;
  if (!isNumber(value2)) return `${op2} needs a number, got ${show(value2)}`;
  if (rest.length > 0) return 'a range has at most two bounds';
  if (value >= value2) return `the range is empty: ${value} is not below ${value2}`;
  return undefined;
}

function anythingButProblem(argument: unknown): string | undefined {
  if (typeof argument === 'string' || (typeof argument === 'number' && Number.isFinite(argument))) return undefined;
  if (Array.isArray(argument)) {
    if (argument.length === 0) return 'takes at least one value';
    const allStrings = argument.every((v) => typeof v === 'string');
    const allNumbers = argument.every((v) => typeof v === 'number' && Number.isFinite(v));
    return allStrings || allNumbers ? undefined : 'a list must hold only text or only numbers';
  }
  if (!isMapping(argument)) return `takes text, a number, a list of them, or {prefix|suffix|equals-ignore-case|wildcard: ...}, got ${show(argument)}`;
  const keys = Object.keys(argument);
  const [inner = ''] = keys;
  if (keys.length !== 1 || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner)) {
    return `can hold one of prefix, suffix, equals-ignore-case or wildcard, got ${keys.map((k) => `'${k}'`).join(', ') || 'nothing'}`;
  }
  const value = argument[inner];
  const texts = typeof value === 'string' ? [value] : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? value : undefined;
  if (!texts) return `${inner} takes text or a list of text, got ${show(value)}`;
  if ((inner === 'prefix' || inner === 'suffix') && texts.some((t) => t === '')) return `an empty ${inner} is not allowed`;
  if (inner === 'wildcard') return texts.map(wildcardProblem).find((p) => p !== undefined);
  return undefined;
}

/** `a.b.c.d/n` (n 0 to 32) or an IPv6 address with `/n` (0 to 128). */
export function isCidr(text: string): boolean {
  const [address = '', bits, ...extra] = text.split('/');
  if (bits === undefined || extra.length > 0 || !/^\d{1,3}$/.test(bits)) return false;
  const mask = Number(bits);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return mask <= 32 && address.split('.').every((octet) => Number(octet) <= 255);
  return mask <= 128 && isIpv6(address);
}

function isIpv6(address: string): boolean {
  if (!/^[0-9A-Fa-f:]+$/.test(address) || address.split('::').length > 2) return false;
  const groups = address.split(':').filter((group) => group !== '');
  if (groups.some((g) => g.length > 4)) return false;
  return address.includes('::') ? groups.length < 8 : groups.length === 8;
}

import type { JsonValue } from '../../compiler/index.js';

/**
 * The JSONPath subset EventBridge evaluates in an InputPathsMap (AWS: "Amazon EventBridge input
 * transformation": dot notation, dashes, underscores, alphanumeric characters, array indices, wildcards,
 * forward slashes): `$`, then `.name`, `[0]`, `.*` or `[*]`.
 */
export type PathStep = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'any' };

const STEP = /^(?:\.([A-Za-z0-9_\-/]+)|\.\*|\[([0-9]+)\]|\[\*\])/;

/** The steps of a path, or a sentence saying why EventBridge would not read it. */
export function parseEventJsonPath(path: string): readonly PathStep[] | string {
  if (!path.startsWith('$')) return `${JSON.stringify(path)} does not start with $`;
  const steps: PathStep[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const m = STEP.exec(rest);
    if (!m) return `${JSON.stringify(path)} is not a JSONPath EventBridge reads: unexpected ${JSON.stringify(rest.slice(0, 12))}`;
    if (m[1] !== undefined) steps.push({ kind: 'name', name: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'index', index: Number(m[2]) });
    else steps.push({ kind: 'any' });
    rest = rest.slice(m[0].length);
  }
  return steps;
}

/**
 * The value at the path: undefined when nothing is there. A path with a wildcard selects every value it
 * reaches, as a list (possibly empty), as JSONPath does for an indefinite path.
 */
export function evaluateEventJsonPath(steps: readonly PathStep[], event: JsonValue): JsonValue | undefined {
  let current: JsonValue[] = [event];
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const value of current) {
      if (step.kind === 'name') {
        if (isObject(value) && Object.hasOwn(value, step.name)) next.push(value[step.name] as JsonValue);
      } else if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) next.push((value as readonly JsonValue[])[step.index] as JsonValue);
      } else if (Array.isArray(value)) {
        next.push(...(value as readonly JsonValue[]));
      } else if (isObject(value)) {
        next.push(...Object.values(value));
      }
    }
    current = next;
  }
  if (steps.some((s) => s.kind === 'any')) return current;
  return current[0];
}

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

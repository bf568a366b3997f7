/**
 * Secret values kept out of what a task writes down: `ctx.log` lines and failure causes, as in the Python SDK
 * (masking.py). Every value `ctx.secrets` hands out is registered for the life of the process (and, for a
 * JSON secret, each of its string leaves): a value read once may have been copied anywhere since. Values
 * shorter than MIN_MASKED characters are not registered: masking `"1"` or `"us"` in every line would hide
 * more than it protects.
 */
export const MASK = '***';
export const MIN_MASKED = 4;

const values = new Set<string>();
let pattern: RegExp | undefined;

function stringLeaves(data: unknown): string[] {
  if (typeof data === 'string') return [data];
  if (Array.isArray(data)) return data.flatMap(stringLeaves);
  if (data !== null && typeof data === 'object') return Object.values(data).flatMap(stringLeaves);
  return [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Masks `value` from now on, and the string leaves of its JSON when it is a JSON object or list. */
export function registerSecret(value: string): void {
  const candidates = [value];
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      candidates.push(...stringLeaves(JSON.parse(trimmed)));
    } catch {
      // Not JSON: the value as a whole is masked.
    }
  }
  const fresh = candidates.filter((text) => text.length >= MIN_MASKED && !values.has(text));
  if (fresh.length === 0) return;
  for (const text of fresh) values.add(text);
  // Longest first: a value that contains another is masked whole, not around the shorter one.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  pattern = new RegExp(ordered.map(escapeRegExp).join('|'), 'g');
}

/** Whether any value is registered (the writers skip masking altogether until one is). */
export function maskingActive(): boolean {
  return pattern !== undefined;
}

/** `text` with every registered value replaced by `***`. */
export function mask(text: string): string {
  return pattern === undefined ? text : text.replace(pattern, MASK);
}

/** A copy of JSON-like data whose strings (keys too) are masked; the same value when nothing is registered. */
export function maskData(data: unknown): unknown {
  if (pattern === undefined) return data;
  if (typeof data === 'string') return mask(data);
  if (Array.isArray(data)) return data.map(maskData);
  if (data instanceof Error) return mask(String(data));
  if (data !== null && typeof data === 'object') {
    // toJSON (a Date) is what the sink would write: masked in that form.
    if (typeof (data as { toJSON?: unknown }).toJSON === 'function') return maskData((data as { toJSON(): unknown }).toJSON());
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [mask(key), maskData(value)]));
  }
  return data;
}

/** For tests: a fresh process's state. */
export function forgetSecrets(): void {
  values.clear();
  pattern = undefined;
}

import type { ValidationContext } from './validation-rule.js';

/** A `triggers:` entry as written, when it is a mapping (the schema reports the others). */
export interface RawTrigger {
  /** Position in `triggers:`, from 0. */
  readonly index: number;
  readonly entry: Readonly<Record<string, unknown>>;
}

export function rawTriggers(context: ValidationContext): RawTrigger[] {
  const list = context.raw.triggers;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown, index) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? [{ index, entry: entry as Record<string, unknown> }] : [],
  );
}

export const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

import type { ScheduleSpec } from './workflow-spec.js';

/**
 * The execution input of a scheduled start, before its scheduled time is added: the params defaults with the
 * schedule's `input:` over them. The deployed schedule and `ork backfill` both start from it, so a backfilled
 * run gets what the schedule would have given.
 */
export function scheduleInput(params: Readonly<Record<string, unknown>>, schedule: Pick<ScheduleSpec, 'input'> | undefined): Record<string, unknown> {
  // fromEntries defines keys, so a param named `__proto__` stays a param instead of becoming a prototype.
  return Object.fromEntries([...Object.entries(params), ...Object.entries(schedule?.input ?? {})]);
}

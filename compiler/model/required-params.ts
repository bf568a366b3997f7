import { SCHEDULED_TIME_PARAM } from './scheduled-time.js';

/**
 * A param whose default is null (`key: ~`) is required: every way of starting the workflow must give it. The
 * rule is the compiler's (ORK243, ORK244) and `ork run`, `ork start` and `ork backfill` apply it to an input.
 */
export function requiredParams(params: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(params)
    .filter(([, value]) => value === null)
    .map(([name]) => name);
}

/**
 * The required params an execution input leaves out, in `params:` order. A key given as null counts as missing:
 * null is what "not given" looks like once the input is merged over the defaults.
 */
export function missingRequiredParams(params: Readonly<Record<string, unknown>>, input: Readonly<Record<string, unknown>>): string[] {
  return requiredParams(params).filter((name) => !Object.hasOwn(input, name) || input[name] === null || input[name] === undefined);
}

/** The required params a schedule's `input:` leaves out; `scheduled_time` is given by every scheduled start. */
export function missingScheduleParams(params: Readonly<Record<string, unknown>>, scheduleInput: Readonly<Record<string, unknown>> = {}): string[] {
  return missingRequiredParams(params, { ...scheduleInput, [SCHEDULED_TIME_PARAM]: true });
}

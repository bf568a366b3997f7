import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { parseScheduleExpression } from '../../model/schedule-expression.js';
import { formatSeconds } from '../units.js';
import type { ValidationRule } from './validation-rule.js';

/**
 * Returns a problem description and a hint, or undefined when the expression is valid: the same parser
 * `ork backfill` enumerates times with (compiler/model/schedule-expression.ts), so validate accepts exactly
 * what backfill can run.
 */
export function checkScheduleExpression(expression: string): { message: string; hint?: string } | undefined {
  const parsed = parseScheduleExpression(expression);
  return parsed.ok ? undefined : parsed.problem;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** EventBridge Scheduler's MaximumWindowInMinutes: a whole number of minutes, 1 to 1,440 (one day). */
export const MAX_FLEXIBLE_WINDOW_MINUTES = 1440;

/** A problem and a hint when a flexible window (in seconds) is not one EventBridge Scheduler takes. */
export function checkFlexibleWindow(seconds: number): { message: string; hint: string } | undefined {
  const minutes = seconds / 60;
  if (Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_FLEXIBLE_WINDOW_MINUTES) return undefined;
  const shown = formatSeconds(seconds);
  if (minutes > MAX_FLEXIBLE_WINDOW_MINUTES) {
    return {
      message: `flexible_window ${shown} is above ${MAX_FLEXIBLE_WINDOW_MINUTES} minutes (24h), the most EventBridge Scheduler allows`,
      hint: 'use at most 24h (1440m)',
    };
  }
  const down = Math.floor(minutes);
  const up = Math.ceil(minutes);
  const choices = [down, up].filter((m, i, all) => m >= 1 && m <= MAX_FLEXIBLE_WINDOW_MINUTES && all.indexOf(m) === i).map((m) => `${m}m`);
  return { message: `flexible_window ${shown} is not a whole number of minutes, which EventBridge Scheduler needs`, hint: `use ${choices.join(' or ')}` };
}

/** ORK215, ORK216, ORK228: EventBridge Scheduler expressions, IANA time zones and flexible windows. */
export const scheduleRule: ValidationRule = {
  name: 'schedule',
  check({ spec, raw, sourceMap }) {
    const schedule = spec.schedule;
    if (!schedule) return [];
    const found: Diagnostic[] = [];
    const expressionPath = typeof raw.schedule === 'string' ? ['schedule'] : ['schedule', 'expression'];
    const problem = checkScheduleExpression(schedule.expression);
    if (problem) found.push(makeDiagnostic(Codes.invalidSchedule, sourceMap.locate(expressionPath), problem.message, problem.hint));
    if (schedule.timezone !== undefined && !isTimeZone(schedule.timezone)) {
      found.push(
        makeDiagnostic(
          Codes.invalidTimezone,
          sourceMap.locate(['schedule', 'timezone']),
          `unknown time zone '${schedule.timezone}'`,
          "use an IANA name such as 'Europe/Paris' or 'America/New_York'",
        ),
      );
    }
    const window = schedule.flexibleWindowSeconds === undefined ? undefined : checkFlexibleWindow(schedule.flexibleWindowSeconds);
    if (window) found.push(makeDiagnostic(Codes.invalidFlexibleWindow, sourceMap.locate(['schedule', 'flexible_window']), window.message, window.hint));
    return found;
  },
};

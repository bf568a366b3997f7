import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { formatSeconds } from '../units.js';
import type { ValidationRule } from './validation-rule.js';

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;
const CRON = /^cron\((.*)\)$/;
/** Characters EventBridge accepts in each cron field (minutes, hours, day-of-month, month, day-of-week, year). */
const CRON_FIELD = [
  /^[\d,*/-]+$/,
  /^[\d,*/-]+$/,
  /^([\d,*/-]+|\?|L|\d{1,2}W|LW)$/i,
  /^([\d,*/-]+|[A-Z]{3}(-[A-Z]{3})?(,[A-Z]{3})*)$/i,
  /^([\d,*/-]+|\?|L|\d#\d|\dL|[A-Z]{3}(-[A-Z]{3})?(,[A-Z]{3})*)$/i,
  /^[\d,*/-]+$/,
];

/** Returns a problem description and a hint, or undefined when the expression is valid. */
export function checkScheduleExpression(expression: string): { message: string; hint?: string } | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (value < 1) return { message: 'a rate must be at least 1' };
    const plural = unit.endsWith('s');
    if (value === 1 && plural) return { message: `rate(1 ${unit}) must use the singular unit`, hint: `rate(1 ${unit.slice(0, -1)})` };
    if (value > 1 && !plural) return { message: `rate(${value} ${unit}) must use the plural unit`, hint: `rate(${value} ${unit}s)` };
    return undefined;
  }
  if (AT.test(expression)) return undefined;
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6) {
      const hint =
        fields.length === 5
          ? `EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year): cron(${fields[0]} ${fields[1]} ${fields[4] === '*' ? `${fields[2]} ${fields[3]} ? *` : `? ${fields[3]} ${fields[4]} *`})`
          : 'EventBridge cron has 6 fields: minutes hours day-of-month month day-of-week year';
      return { message: `cron expression has ${fields.length} fields, not 6`, hint };
    }
    const names = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];
    for (const [i, field] of fields.entries()) {
      if (!CRON_FIELD[i]?.test(field)) return { message: `cron ${names[i]} field '${field}' is not valid` };
    }
    if ((fields[2] === '?') === (fields[4] === '?')) {
      return {
        message: 'cron needs exactly one of day-of-month and day-of-week to be ?',
        hint: `cron(${fields[0]} ${fields[1]} ${fields[2]} ${fields[3]} ? ${fields[5]})`,
      };
    }
    return undefined;
  }
  const words = expression.trim().split(/\s+/);
  if (words.length === 5 || words.length === 6)
    return {
      message: `'${expression}' is not a schedule expression`,
      hint: `wrap cron fields in cron(...), with 6 fields: cron(${words.length === 5 ? `${words.slice(0, 2).join(' ')} ${words[4] === '*' ? `${words[2]} ${words[3]} ? *` : `? ${words[3]} ${words[4]} *`}` : words.join(' ')})`,
    };
  return { message: `'${expression}' is not a schedule expression`, hint: 'use cron(0 6 * * ? *), rate(1 hour) or at(2026-01-01T00:00:00)' };
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

import { parseCronExpression, sixFields, type CronExpression } from './cron-expression.js';

/**
 * A workflow's `schedule:` expression as EventBridge Scheduler reads it
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): the one grammar `ork validate`
 * checks and `ork backfill` (lib/schedule) enumerates, so that what one accepts the other does.
 */
export type ScheduleExpression =
  | { readonly kind: 'cron'; readonly cron: CronExpression }
  | { readonly kind: 'rate'; readonly value: number; readonly unit: RateUnit }
  /** A wall-clock reading, in the schedule's time zone. */
  | { readonly kind: 'at'; readonly local: AtReading };

export type RateUnit = 'minute' | 'hour' | 'day';

export interface AtReading {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** What is wrong with an expression, in one line, with what to write instead. */
export interface ScheduleExpressionProblem {
  readonly message: string;
  readonly hint?: string;
}

export type ScheduleExpressionParse =
  { readonly ok: true; readonly expression: ScheduleExpression } | { readonly ok: false; readonly problem: ScheduleExpressionProblem };

const RATE = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const ANY_FORM = 'use cron(0 6 * * ? *), rate(1 hour) or at(2026-01-01T00:00:00)';

export function parseScheduleExpression(text: string): ScheduleExpressionParse {
  const expression = text.trim();
  if (expression.startsWith('cron(')) {
    const parsed = parseCronExpression(expression);
    return parsed.ok ? { ok: true, expression: { kind: 'cron', cron: parsed.cron } } : parsed;
  }
  const rate = RATE.exec(expression);
  if (rate) return parseRate(Number(rate[1]), rate[2] ?? '');
  if (expression.startsWith('at(')) return parseAt(expression);
  const words = expression.split(/\s+/);
  if (words.length === 5 || words.length === 6) {
    return {
      ok: false,
      problem: {
        message: `'${text}' is not a schedule expression`,
        hint: `wrap cron fields in cron(...), with 6 fields: cron(${words.length === 5 ? sixFields(words) : words.join(' ')})`,
      },
    };
  }
  return { ok: false, problem: { message: `'${text}' is not a schedule expression`, hint: ANY_FORM } };
}

/**
 * "A rate expression consists of a value as a positive integer, and a unit with the following options: minute |
 * minutes | hour | hours | day | days" (Scheduler API's ScheduleExpression); EventBridge's rate reference: "If the
 * value is equal to 1, then the unit must be singular … if greater than 1, the unit must be plural".
 */
function parseRate(value: number, unit: string): ScheduleExpressionParse {
  if (value < 1) return { ok: false, problem: { message: 'a rate must be at least 1', hint: 'rate(1 hour), rate(15 minutes)' } };
  const plural = unit.endsWith('s');
  if (value === 1 && plural) return { ok: false, problem: { message: `rate(1 ${unit}) must use the singular unit`, hint: `rate(1 ${unit.slice(0, -1)})` } };
  if (value > 1 && !plural) return { ok: false, problem: { message: `rate(${value} ${unit}) must use the plural unit`, hint: `rate(${value} ${unit}s)` } };
  return { ok: true, expression: { kind: 'rate', value, unit: (plural ? unit.slice(0, -1) : unit) as RateUnit } };
}

/** `at(yyyy-mm-ddThh:mm:ss)`, a date and time that exist on the calendar. */
function parseAt(expression: string): ScheduleExpressionParse {
  const at = AT.exec(expression);
  const hint = 'at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-01-01T06:00:00)';
  if (!at) return { ok: false, problem: { message: `'${expression}' is not a schedule expression`, hint } };
  const [year, month, day, hour, minute, second] = at.slice(1).map(Number) as [number, number, number, number, number, number];
  const reading = new Date(Date.UTC(year, month - 1, day));
  if (reading.getUTCMonth() !== month - 1 || reading.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, problem: { message: `'${expression}' is not a calendar date and time`, hint } };
  }
  return { ok: true, expression: { kind: 'at', local: { year, month, day, hour, minute, second } } };
}

import type { ScheduleExpressionProblem } from './schedule-expression.js';

/**
 * An EventBridge Scheduler cron expression, parsed: `cron(minutes hours day-of-month month day-of-week year)`
 * with the syntax of https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 * (the table of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
 * `,` `-` `*` `/` everywhere, `?` in one of day-of-month and day-of-week, `L` and `W` in day-of-month
 * (`L`, `LW`, `15W`), `L` and `#` in day-of-week (`L`, `5L`, `3#2`), month names JAN-DEC, day names SUN-SAT,
 * day-of-week numbers 1-7 = SUN-SAT (not cron's 0-6), years 1970-2199.
 *
 * Names stand wherever their numbers do: AWS gives day-of-week as "1-7 or SUN-SAT" with `, - * ? L #`, so
 * `MON,WED-FRI` (a list holding a range), `TUE#2` (= `3#2`, AWS's "second Tuesday of the month") and `FRIL`
 * (= `6L`, the last Friday: the Quartz syntax EventBridge's cron follows) are accepted. AWS's note on `#`:
 * "you can define only one expression in the day-of-week field. For example, "3#1,6#3" is not valid" —
 * refused here. `/` in day-of-week, absent from AWS's table but Quartz syntax, is kept as it was accepted.
 */
export interface CronExpression {
  /** Ascending. */
  readonly minutes: readonly number[];
  /** Ascending. */
  readonly hours: readonly number[];
  /** Indexed 1-12. */
  readonly months: readonly boolean[];
  /** Indexed year - CRON_FIRST_YEAR. */
  readonly years: readonly boolean[];
  readonly days: CronDaysOfMonth | CronDaysOfWeek;
}

/** Day-of-week is `?`: the days are chosen by day-of-month. */
export interface CronDaysOfMonth {
  readonly by: 'month';
  /** Plain days, indexed 1-31. */
  readonly days: readonly boolean[];
  readonly last: boolean;
  readonly lastWeekday: boolean;
  /** `15W`: the weekday nearest the 15th, within the month. */
  readonly nearestWeekday: readonly number[];
}

/** Day-of-month is `?`: the days are chosen by day-of-week (1 = SUN … 7 = SAT). */
export interface CronDaysOfWeek {
  readonly by: 'week';
  /** Plain days of the week, indexed 1-7. */
  readonly days: readonly boolean[];
  /** `5L`: the last Thursday of the month. */
  readonly lastOfMonth: readonly number[];
  /** `3#2`: the second Tuesday of the month. */
  readonly nth: readonly { readonly day: number; readonly n: number }[];
}

export type CronParse = { readonly ok: true; readonly cron: CronExpression } | { readonly ok: false; readonly problem: ScheduleExpressionProblem };

export const CRON_FIRST_YEAR = 1970;
export const CRON_LAST_YEAR = 2199;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRange {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names for min, min + 1, …: months and days of the week. */
  readonly names?: readonly string[];
}

const MINUTES: FieldRange = { name: 'minutes', min: 0, max: 59 };
const HOURS: FieldRange = { name: 'hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRange = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldRange = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldRange = { name: 'day-of-week', min: 1, max: 7, names: DAYS };
const YEAR: FieldRange = { name: 'year', min: CRON_FIRST_YEAR, max: CRON_LAST_YEAR };

class FieldProblem extends Error {}

/** `expression` is `cron(...)`; anything else is the caller's to report. */
export function parseCronExpression(expression: string): CronParse {
  const body = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = (body?.[1] ?? '').trim().split(/\s+/);
  if (!body || fields.length !== 6) {
    return {
      ok: false,
      problem: {
        message: `'${expression}' is not an EventBridge cron expression: cron expression has ${fields.length} fields, not 6`,
        hint:
          fields.length === 5
            ? `EventBridge cron has 6 fields (minutes hours day-of-month month day-of-week year): cron(${sixFields(fields)})`
            : 'EventBridge cron has 6 fields: cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 6 * * ? *)',
      },
    };
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  let current = MINUTES;
  try {
    const parsedMinutes = ascending(values(minutes, MINUTES));
    current = HOURS;
    const parsedHours = ascending(values(hours, HOURS));
    current = MONTH;
    const months = flags(values(month, MONTH), MONTH);
    current = YEAR;
    const years = flags(values(year, YEAR), YEAR).slice(CRON_FIRST_YEAR);
    // "You can't use * in both the Day-of-month and Day-of-week fields. If you use it in one, you must use ?
    // in the other" (AWS's cron reference): exactly one of them is `?`.
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
      return {
        ok: false,
        problem: {
          message: `'${expression}': exactly one of day-of-month and day-of-week must be ?`,
          hint:
            dayOfWeek !== '?' && dayOfWeek !== '*'
              ? `cron(${minutes} ${hours} ? ${month} ${dayOfWeek} ${year})`
              : `cron(${minutes} ${hours} ${dayOfMonth === '?' ? '*' : dayOfMonth} ${month} ? ${year})`,
        },
      };
    }
    current = dayOfMonth === '?' ? DAY_OF_WEEK : DAY_OF_MONTH;
    const days = dayOfMonth === '?' ? daysOfWeek(dayOfWeek) : daysOfMonth(dayOfMonth);
    return { ok: true, cron: { minutes: parsedMinutes, hours: parsedHours, months, years, days } };
  } catch (error) {
    if (!(error instanceof FieldProblem)) throw error;
    return { ok: false, problem: { message: `'${expression}': ${current.name} field: ${error.message}`, hint: hintFor(current) } };
  }
}

/** Five Unix cron fields as EventBridge's six: the day field that is `*` becomes `?`, a year `*` is added. */
export function sixFields(fields: readonly string[]): string {
  const [minutes, hours, dayOfMonth, month, dayOfWeek] = fields;
  return `${minutes} ${hours} ${dayOfWeek === '*' ? `${dayOfMonth} ${month} ? *` : `? ${month} ${dayOfWeek} *`}`;
}

function hintFor(range: FieldRange): string {
  if (range === DAY_OF_WEEK) return 'day-of-week takes 1-7 (1 = SUN) or SUN-SAT, with , - * / and L (5L, FRIL), # (3#2, TUE#2, alone in the field), or ?';
  if (range === DAY_OF_MONTH) return 'day-of-month takes 1-31 with , - * /, L, LW, 15W, or ?';
  const names = range.names ? ` or ${range.names[0]}-${range.names[range.names.length - 1]}` : '';
  return `${range.name} takes ${range.min}-${range.max}${names}, with , - * /`;
}

function ascending(list: number[]): number[] {
  return [...new Set(list)].sort((a, b) => a - b);
}

function flags(list: readonly number[], range: FieldRange): boolean[] {
  const result = new Array<boolean>(range.max + 1).fill(false);
  for (const value of list) result[value] = true;
  return result;
}

function daysOfMonth(field: string): CronDaysOfMonth {
  const plain: number[] = [];
  let last = false;
  let lastWeekday = false;
  const nearestWeekday: number[] = [];
  for (const item of field.split(',')) {
    const upper = item.toUpperCase();
    if (upper === 'L') last = true;
    else if (upper === 'LW') lastWeekday = true;
    else if (/^\d{1,2}W$/.test(upper)) nearestWeekday.push(number(upper.slice(0, -1), DAY_OF_MONTH));
    else plain.push(...values(item, DAY_OF_MONTH));
  }
  return { by: 'month', days: flags(plain, DAY_OF_MONTH), last, lastWeekday, nearestWeekday };
}

function daysOfWeek(field: string): CronDaysOfWeek {
  const plain: number[] = [];
  const lastOfMonth: number[] = [];
  const nth: { day: number; n: number }[] = [];
  const items = field.split(',');
  for (const item of items) {
    const upper = item.toUpperCase();
    const hash = /^(\w+)#(\d+)$/.exec(upper);
    // `L` alone is the last day of the week, Saturday (the Quartz syntax EventBridge follows).
    if (upper === 'L') plain.push(DAY_OF_WEEK.max);
    else if (/^\w+L$/.test(upper)) lastOfMonth.push(number(upper.slice(0, -1), DAY_OF_WEEK));
    else if (hash) {
      if (items.length > 1) throw new FieldProblem(`'${field}': with #, day-of-week holds one expression only (AWS refuses 3#1,6#3)`);
      const n = Number(hash[2]);
      if (n < 1 || n > 5) throw new FieldProblem(`'${item}': the occurrence after # must be 1 to 5`);
      nth.push({ day: number(hash[1] ?? '', DAY_OF_WEEK), n });
    } else plain.push(...values(item, DAY_OF_WEEK));
  }
  return { by: 'week', days: flags(plain, DAY_OF_WEEK), lastOfMonth, nth };
}

/** The values of a field (or of one item of a day field) made of `*`, `,`, `-` and `/`. */
function values(field: string, range: FieldRange): number[] {
  const result: number[] = [];
  for (const item of field.split(',')) {
    const [span = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new FieldProblem(`'${item}' has more than one /`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^\d+$/.test(stepText ?? '1') || step < 1) throw new FieldProblem(`'${item}': the increment after / must be a positive whole number`);
    let first: number;
    let last: number;
    if (span === '*') {
      first = range.min;
      last = range.max;
    } else {
      const [low = '', high, more] = span.split('-');
      if (more !== undefined) throw new FieldProblem(`'${item}' is not a range`);
      first = number(low, range);
      // `5/15` starts at 5 and runs to the end of the range; `5` alone is that one value.
      last = high !== undefined ? number(high, range) : stepText !== undefined ? range.max : first;
    }
    // A range whose end is before its start wraps around (FRI-MON, 22-2), as Quartz reads it.
    const count = last >= first ? last - first + 1 : range.max - first + 1 + last - range.min + 1;
    for (let offset = 0; offset < count; offset += step) {
      const value = first + offset;
      result.push(value > range.max ? value - (range.max - range.min + 1) : value);
    }
  }
  return result;
}

function number(text: string, range: FieldRange): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < range.min || value > range.max) throw new FieldProblem(`${value} is outside ${range.min}-${range.max}`);
    return value;
  }
  const index = range.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) throw new FieldProblem(`'${text}' is not a ${range.names ? 'number or name' : 'number'}`);
  return range.min + index;
}

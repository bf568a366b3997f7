import {
  CRON_FIRST_YEAR as FIRST_YEAR,
  CRON_LAST_YEAR as LAST_YEAR,
  parseScheduleExpression,
  type AtReading,
  type CronExpression,
} from '../../compiler/index.js';
import { cronDayMatches } from './cron-day.js';
import { ScheduleError } from './schedule-error.js';
import { DAY, ZoneClock, instantOf } from './zone-clock.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** The schedule of a workflow, as `schedule:` writes it (compiler's ScheduleSpec fits). */
export interface ScheduleLike {
  readonly expression: string;
  /** IANA time zone the expression is read in; UTC when absent, as EventBridge Scheduler's default. */
  readonly timezone?: string;
}

export interface ScheduleTimesOptions {
  /** Refuse an interval with more times than this (a ScheduleError 'TooManyTimes'). Default 100,000. */
  readonly limit?: number;
}

/** More than this many executions is not a backfill anyone means: refused before filling memory. */
export const DEFAULT_SCHEDULE_TIMES_LIMIT = 100_000;

/**
 * Every time the schedule fires in [from, to), ascending, as EventBridge Scheduler would fire it.
 *
 * - cron: read in the schedule's time zone. Daylight saving as EventBridge Scheduler documents it
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#daylist-savings-time and
 *   https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst): "When the time shifts forward in
 *   Spring, your schedule invocation gets skipped if the cron expression falls on a non-existent date and time.
 *   When the time shifts back in the Fall, your schedule runs only once and doesn't repeat its invocation" —
 *   a skipped local time does not fire, a repeated one fires at its first occurrence only.
 * - rate(N unit): every N units from `from`. Scheduler starts a rate at the schedule's start date (its
 *   creation when none); a backfill has no such anchor, so it anchors at `from`. A day is 24 hours, also across
 *   daylight saving (the knowledge-center article above).
 * - at(yyyy-mm-ddThh:mm:ss): once, read in the schedule's time zone (a reading the clock skips never fires,
 *   as for cron), when inside the interval.
 */
export function scheduleTimes(schedule: ScheduleLike, from: Date, to: Date, options: ScheduleTimesOptions = {}): Date[] {
  const clock = new ZoneClock(schedule.timezone ?? 'UTC');
  const limit = options.limit ?? DEFAULT_SCHEDULE_TIMES_LIMIT;
  const start = from.getTime();
  const end = to.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) throw new ScheduleError('InvalidTime', 'the interval has an invalid date');
  const expression = schedule.expression.trim();
  const tooMany = (): ScheduleError =>
    new ScheduleError(
      'TooManyTimes',
      `${expression} fires more than ${limit.toLocaleString('en-US')} times from ${from.toISOString()} to ${to.toISOString()}`,
      'backfill a shorter interval, one part after the other',
    );
  // Parsed before the interval is looked at: an expression validate refuses is refused here too, even for an
  // empty interval (the one grammar of compiler/model/schedule-expression.ts).
  const parsed = parseScheduleExpression(schedule.expression);
  if (!parsed.ok) throw new ScheduleError('InvalidExpression', parsed.problem.message, parsed.problem.hint);
  if (end <= start) return [];
  const { expression: parsedExpression } = parsed;
  switch (parsedExpression.kind) {
    case 'rate':
      return rateTimes(parsedExpression.value * UNITS[parsedExpression.unit], start, end, limit, tooMany);
    case 'at':
      return atTime(parsedExpression.local, clock, start, end);
    case 'cron':
      return cronTimes(parsedExpression.cron, clock, start, end, limit, tooMany);
  }
}

const UNITS = { minute: MINUTE, hour: HOUR, day: DAY } as const;

function rateTimes(step: number, start: number, end: number, limit: number, tooMany: () => ScheduleError): Date[] {
  const count = Math.ceil((end - start) / step);
  if (count > limit) throw tooMany();
  return Array.from({ length: count }, (_, i) => new Date(start + i * step));
}

function atTime({ year, month, day, hour, minute, second }: AtReading, clock: ZoneClock, start: number, end: number): Date[] {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const instant = instantOf(local, clock.segmentsOfDay(Math.floor(local / DAY) * DAY));
  return instant !== undefined && instant >= start && instant < end ? [new Date(instant)] : [];
}

function cronTimes(cron: CronExpression, clock: ZoneClock, start: number, end: number, limit: number, tooMany: () => ScheduleError): Date[] {
  // Local days from the one before `from`'s to the one after `to`'s (offsets move a reading by under a day),
  // within the years cron can name.
  const firstDay = Math.max(Math.floor(clock.localOf(start) / DAY) - 1, Date.UTC(FIRST_YEAR, 0, 1) / DAY);
  const lastDay = Math.min(Math.floor(clock.localOf(end) / DAY) + 1, Date.UTC(LAST_YEAR + 1, 0, 1) / DAY - 1);
  const instants: number[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    const date = new Date(day * DAY);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    if (!cron.years[year - FIRST_YEAR]) {
      day = Date.UTC(year + 1, 0, 1) / DAY - 1;
      continue;
    }
    if (!cron.months[month + 1]) {
      day = Date.UTC(year, month + 1, 1) / DAY - 1;
      continue;
    }
    const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    if (!cronDayMatches(cron.days, { day: date.getUTCDate(), weekday: date.getUTCDay() + 1, length })) continue;
    const dayStart = day * DAY;
    const segments = clock.segmentsOfDay(dayStart);
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const instant = instantOf(dayStart + hour * HOUR + minute * MINUTE, segments);
        if (instant === undefined || instant < start || instant >= end) continue;
        if (instants.length === limit) throw tooMany();
        instants.push(instant);
      }
    }
  }
  // Readings map to instants in order (a repeated reading takes its first occurrence), so this is a check.
  for (let i = 1; i < instants.length; i++) {
    if ((instants[i] as number) <= (instants[i - 1] as number)) {
      instants.sort((a, b) => a - b);
      break;
    }
  }
  return instants.map((instant) => new Date(instant));
}

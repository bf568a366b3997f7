import { ScheduleError } from './schedule-error.js';
import { DAY, ZoneClock, instantAtOrAfter } from './zone-clock.js';

const FORMS =
  "use a date (2026-01-01: midnight in the schedule's time zone), a local date-time (2026-01-01T06:00 or 2026-01-01T06:00:00) " +
  'or one with Z or an offset (2026-01-01T06:00:00Z, 2026-01-01T06:00:00+02:00)';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A `--from`/`--to` of `ork backfill`: a date is midnight in the schedule's time zone (default UTC), a date-time
 * with Z or an offset is that instant, a date-time without one is read in the schedule's time zone. A reading
 * the clock skips (02:30 on the night the clocks go forward) is the instant the clock jumps past it; one it
 * shows twice is its first occurrence, the one EventBridge Scheduler fires at.
 */
export function parseBackfillTime(text: string, timezone = 'UTC'): Date {
  const clock = new ZoneClock(timezone);
  const trimmed = text.trim();
  const date = DATE.exec(trimmed);
  const dateTime = date ?? DATE_TIME.exec(trimmed);
  if (!dateTime) throw new ScheduleError('InvalidTime', `'${text}' is not a date or date-time`, FORMS);
  const [year, month, day, hour, minute, second] = dateTime.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  // `.5` is 500 ms: the fraction's digits padded to milliseconds.
  const millisecond = Number((dateTime[7] ?? '').padEnd(3, '0'));
  const local = Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0, millisecond);
  const reading = new Date(local);
  if (
    reading.getUTCFullYear() !== year ||
    reading.getUTCMonth() !== (month ?? 0) - 1 ||
    reading.getUTCDate() !== day ||
    (hour ?? 0) > 23 ||
    (minute ?? 0) > 59 ||
    (second ?? 0) > 59
  ) {
    throw new ScheduleError('InvalidTime', `'${text}' is not a calendar date and time`, FORMS);
  }
  const zone = date ? undefined : dateTime[8];
  if (zone !== undefined) return new Date(local - offsetMs(zone));
  return new Date(instantAtOrAfter(local, clock.segmentsOfDay(Math.floor(local / DAY) * DAY)));
}

/** `Z`, `+02:00`, `+0200` or `+02`, in ms ahead of UTC. */
function offsetMs(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || 0);
  if (hours > 23 || minutes > 59) throw new ScheduleError('InvalidTime', `'${zone}' is not a UTC offset`, FORMS);
  return sign * (hours * 60 + minutes) * 60_000;
}

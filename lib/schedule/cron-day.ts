import type { CronDaysOfMonth as DaysOfMonth, CronDaysOfWeek as DaysOfWeek } from '../../compiler/index.js';

/** A calendar day: `weekday` 1-7 = SUN-SAT as EventBridge numbers them, `length` the days in its month. */
export interface CalendarDay {
  readonly day: number;
  readonly weekday: number;
  readonly length: number;
}

const SUNDAY = 1;
const SATURDAY = 7;

/** Whether the day-of-month or day-of-week field (whichever is not `?`) selects this day. */
export function cronDayMatches(days: DaysOfMonth | DaysOfWeek, date: CalendarDay): boolean {
  return days.by === 'month' ? monthDayMatches(days, date) : weekDayMatches(days, date);
}

function monthDayMatches(days: DaysOfMonth, { day, weekday, length }: CalendarDay): boolean {
  if (days.days[day]) return true;
  if (days.last && day === length) return true;
  if (days.lastWeekday && day === nearestWeekday(length, weekdayOf(length, day, weekday), length)) return true;
  for (const target of days.nearestWeekday) {
    if (target <= length && day === nearestWeekday(target, weekdayOf(target, day, weekday), length)) return true;
  }
  return false;
}

function weekDayMatches(days: DaysOfWeek, { day, weekday, length }: CalendarDay): boolean {
  if (days.days[weekday]) return true;
  if (days.lastOfMonth.includes(weekday) && day + 7 > length) return true;
  for (const { day: wanted, n } of days.nth) {
    if (wanted === weekday && Math.ceil(day / 7) === n) return true;
  }
  return false;
}

/** The weekday of another day of the same month. */
function weekdayOf(target: number, day: number, weekday: number): number {
  return ((((weekday - 1 + target - day) % 7) + 7) % 7) + 1;
}

/**
 * `15W`: the 15th when it is a weekday, else the nearest weekday in the same month: a Saturday moves to the
 * Friday before (the Monday after when it is the 1st), a Sunday to the Monday after (the Friday before when it
 * is the last day).
 */
function nearestWeekday(target: number, weekday: number, length: number): number {
  if (weekday === SATURDAY) return target === 1 ? target + 2 : target - 1;
  if (weekday === SUNDAY) return target === length ? target - 2 : target + 1;
  return target;
}

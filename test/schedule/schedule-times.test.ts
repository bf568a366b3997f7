import { describe, expect, it } from 'vitest';
import { ScheduleError, parseBackfillTime, scheduleTimes } from '../../lib/schedule/index.js';

const at = (iso: string): Date => new Date(iso);
const times = (expression: string, from: string, to: string, timezone?: string): string[] =>
  scheduleTimes({ expression, ...(timezone ? { timezone } : {}) }, at(from), at(to)).map((time) => time.toISOString().replace('.000Z', 'Z'));
/** The days of the month (UTC) a daily cron fires on in [from, to). */
const days = (expression: string, from: string, to: string): number[] => times(expression, from, to).map((time) => Number(time.slice(8, 10)));

function scheduleError(run: () => unknown): ScheduleError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error('no ScheduleError thrown');
}

describe('cron in a time zone, across daylight saving', () => {
  it('06:00 every day in Europe/Paris is 05:00Z in winter and 04:00Z in summer, on both 2026 transitions', () => {
    expect(times('cron(0 6 * * ? *)', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-03-27T05:00:00Z',
      '2026-03-28T05:00:00Z',
      '2026-03-29T04:00:00Z',
      '2026-03-30T04:00:00Z',
    ]);
    expect(times('cron(0 6 * * ? *)', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-10-24T04:00:00Z',
      '2026-10-25T05:00:00Z',
      '2026-10-26T05:00:00Z',
    ]);
  });

  it('02:30 does not fire on the night Paris skips it, and fires once on the night it repeats', () => {
    expect(times('cron(30 2 * * ? *)', '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-03-28T01:30:00Z',
      '2026-03-30T00:30:00Z',
    ]);
    // 02:30 CEST (00:30Z) comes first; 02:30 CET (01:30Z) an hour later is not a second invocation.
    expect(times('cron(30 2 * * ? *)', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-10-24T00:30:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-26T01:30:00Z',
    ]);
  });

  it('every 15 minutes through the repeated hour fires each local time once', () => {
    const fired = times('cron(0/15 1-3 * * ? *)', '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z', 'Europe/Paris');
    // 01:00-02:45 CEST (23:00Z-00:45Z), then 03:00-03:45 CET (02:00Z-02:45Z): 02:xx CET is not repeated.
    expect(fired).toEqual([
      '2026-10-25T00:00:00Z',
      '2026-10-25T00:15:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T00:45:00Z',
      '2026-10-25T02:00:00Z',
      '2026-10-25T02:15:00Z',
      '2026-10-25T02:30:00Z',
      '2026-10-25T02:45:00Z',
    ]);
    expect(times('cron(0/15 1-3 * * ? *)', '2026-10-24T22:00:00Z', '2026-10-25T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-10-24T23:00:00Z',
      '2026-10-24T23:15:00Z',
      '2026-10-24T23:30:00Z',
      '2026-10-24T23:45:00Z',
    ]);
  });

  it('America/New_York: 09:00 moves from 14:00Z to 13:00Z on 8 March; 02:30 is skipped then; 01:30 fires once on 1 November', () => {
    expect(times('cron(0 9 * * ? *)', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 'America/New_York')).toEqual([
      '2026-03-07T14:00:00Z',
      '2026-03-08T13:00:00Z',
      '2026-03-09T13:00:00Z',
    ]);
    expect(times('cron(30 2 * * ? *)', '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z', 'America/New_York')).toEqual([
      '2026-03-07T07:30:00Z',
      '2026-03-09T06:30:00Z',
    ]);
    expect(times('cron(30 1 * * ? *)', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z', 'America/New_York')).toEqual([
      '2026-10-31T05:30:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:30:00Z',
    ]);
  });

  it('reads the expression in UTC when the schedule has no time zone', () => {
    expect(times('cron(0 6 * * ? *)', '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toEqual(['2026-03-28T06:00:00Z', '2026-03-29T06:00:00Z']);
  });
});

describe('cron fields (2026 calendar: 1 January is a Thursday)', () => {
  it('L is the last day of the month', () => {
    expect(times('cron(0 0 L * ? *)', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-01-31T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2026-03-31T00:00:00Z',
      '2026-04-30T00:00:00Z',
    ]);
  });

  it('LW is the last weekday of the month', () => {
    // 28 February 2026 is a Saturday, 31 May a Sunday, 31 August a Monday.
    expect(days('cron(0 0 LW 2 ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([27]);
    expect(days('cron(0 0 LW 5 ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([29]);
    expect(days('cron(0 0 LW 8 ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([31]);
  });

  it('nW is the weekday nearest the nth, without leaving the month', () => {
    // 15 February 2026 is a Sunday → Monday 16; 15 August a Saturday → Friday 14; 15 January a Thursday.
    expect(times('cron(0 0 15W * ? 2026)', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-15T00:00:00Z', '2026-02-16T00:00:00Z']);
    expect(days('cron(0 0 15W AUG ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([14]);
    // 1 August is a Saturday: Monday 3 August, not Friday 31 July. 31 May is a Sunday: Friday 29.
    expect(times('cron(0 0 1W 8 ? 2026)', '2026-07-01T00:00:00Z', '2026-09-01T00:00:00Z')).toEqual(['2026-08-03T00:00:00Z']);
    expect(days('cron(0 0 31W 5 ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([29]);
    // February has no 30th: 30W does not fire in it.
    expect(times('cron(0 0 30W 2 ? 2026)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([]);
  });

  it('nL is the last such weekday of the month, n#k the kth', () => {
    // 6 = Friday: the last Friday of January 2026 is the 30th, of February the 27th.
    expect(times('cron(0 0 ? * 6L *)', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-30T00:00:00Z', '2026-02-27T00:00:00Z']);
    expect(times('cron(0 0 ? * FRIL *)', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-30T00:00:00Z', '2026-02-27T00:00:00Z']);
    // 3 = Tuesday: the second Tuesday of January 2026 is the 13th, of February the 10th.
    expect(times('cron(0 0 ? * 3#2 *)', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-13T00:00:00Z', '2026-02-10T00:00:00Z']);
    expect(times('cron(0 0 ? * TUE#2 *)', '2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z')).toEqual(['2026-01-13T00:00:00Z', '2026-02-10T00:00:00Z']);
    // A fifth Sunday: May (31) and November (29) 2026 have one, February and June do not.
    expect(times('cron(0 0 ? * 1#5 *)', '2026-05-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      '2026-05-31T00:00:00Z',
      '2026-08-30T00:00:00Z',
      '2026-11-29T00:00:00Z',
    ]);
  });

  it('day-of-week 1-7 is SUN-SAT, not cron 0-6', () => {
    // 4 January 2026 is a Sunday, 10 January a Saturday.
    expect(days('cron(0 12 ? * 1 *)', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z')).toEqual([4, 11]);
    expect(days('cron(0 12 ? * SUN *)', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z')).toEqual([4, 11]);
    expect(days('cron(0 12 ? * 7 *)', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z')).toEqual([3, 10]);
    expect(days('cron(0 12 ? * L *)', '2026-01-01T00:00:00Z', '2026-01-15T00:00:00Z')).toEqual([3, 10]);
    expect(days('cron(0 12 ? * 2-6 *)', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z')).toEqual([1, 2, 5, 6, 7, 8, 9]);
    expect(days('cron(0 12 ? * MON-FRI *)', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z')).toEqual([1, 2, 5, 6, 7, 8, 9]);
    expect(days('cron(0 12 ? * fri-mon *)', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z')).toEqual([2, 3, 4, 5, 9]);
    expect(() => times('cron(0 12 ? * 0 *)', '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z')).toThrow(/day-of-week field: 0 is outside 1-7/);
  });

  it('the year field, months by name, lists, ranges and increments', () => {
    expect(times('cron(0 0 1 1 ? 2027,2029)', '2026-01-01T00:00:00Z', '2031-01-01T00:00:00Z')).toEqual(['2027-01-01T00:00:00Z', '2029-01-01T00:00:00Z']);
    expect(times('cron(0 0 1 JAN ? 2026-2030/2)', '2026-01-01T00:00:00Z', '2031-01-01T00:00:00Z')).toEqual([
      '2026-01-01T00:00:00Z',
      '2028-01-01T00:00:00Z',
      '2030-01-01T00:00:00Z',
    ]);
    expect(times('cron(10/20 8,20 1 jun,DEC ? *)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
      '2026-06-01T08:10:00Z',
      '2026-06-01T08:30:00Z',
      '2026-06-01T08:50:00Z',
      '2026-06-01T20:10:00Z',
      '2026-06-01T20:30:00Z',
      '2026-06-01T20:50:00Z',
      '2026-12-01T08:10:00Z',
      '2026-12-01T08:30:00Z',
      '2026-12-01T08:50:00Z',
      '2026-12-01T20:10:00Z',
      '2026-12-01T20:30:00Z',
      '2026-12-01T20:50:00Z',
    ]);
    expect(times('cron(*/20 23 31 12 ? 2199)', '2199-12-31T00:00:00Z', '2300-01-01T00:00:00Z')).toEqual([
      '2199-12-31T23:00:00Z',
      '2199-12-31T23:20:00Z',
      '2199-12-31T23:40:00Z',
    ]);
  });

  it('refuses an expression EventBridge refuses, saying which field', () => {
    const cases: [string, RegExp][] = [
      ['cron(0 6 * * *)', /not an EventBridge cron expression/],
      ['cron(0 6 * * * *)', /exactly one of day-of-month and day-of-week must be \?/],
      ['cron(0 6 ? * ? *)', /exactly one of day-of-month and day-of-week must be \?/],
      ['cron(60 6 * * ? *)', /minutes field: 60 is outside 0-59/],
      ['cron(0 24 * * ? *)', /hours field: 24 is outside 0-23/],
      ['cron(0 6 32 * ? *)', /day-of-month field: 32 is outside 1-31/],
      ['cron(0 6 * 13 ? *)', /month field: 13 is outside 1-12/],
      ['cron(0 6 * FOO ? *)', /month field: 'FOO' is not a number or name/],
      ['cron(0 6 ? * 3#6 *)', /the occurrence after # must be 1 to 5/],
      ['cron(0 6 * * ? 1969)', /year field: 1969 is outside 1970-2199/],
      ['cron(0/0 6 * * ? *)', /increment after \/ must be a positive whole number/],
      ['every day', /is not a schedule expression/],
    ];
    for (const [expression, message] of cases) {
      const error = scheduleError(() => times(expression, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'));
      expect(error.code, expression).toBe('InvalidExpression');
      expect(error.message, expression).toMatch(message);
    }
    expect(scheduleError(() => times('cron(0 6 * * ? *)', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'Mars/Olympus')).code).toBe('InvalidTimeZone');
  });
});

describe('rate and at', () => {
  it('rate fires every N units from `from`, a day being 24 hours across daylight saving', () => {
    expect(times('rate(6 hours)', '2026-01-01T01:00:00Z', '2026-01-02T01:00:00Z')).toEqual([
      '2026-01-01T01:00:00Z',
      '2026-01-01T07:00:00Z',
      '2026-01-01T13:00:00Z',
      '2026-01-01T19:00:00Z',
    ]);
    expect(times('rate(1 day)', '2026-03-28T05:00:00Z', '2026-03-31T00:00:00Z', 'Europe/Paris')).toEqual([
      '2026-03-28T05:00:00Z',
      '2026-03-29T05:00:00Z',
      '2026-03-30T05:00:00Z',
    ]);
    expect(times('rate(1 minute)', '2026-01-01T00:00:00Z', '2026-01-01T00:03:00Z')).toHaveLength(3);
    expect(times('rate(90 minutes)', '2026-01-01T00:00:00Z', '2026-01-01T03:00:01Z')).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-01T01:30:00Z',
      '2026-01-01T03:00:00Z',
    ]);
    expect(scheduleError(() => times('rate(0 hours)', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')).code).toBe('InvalidExpression');
    expect(scheduleError(() => times('rate(1 week)', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')).code).toBe('InvalidExpression');
  });

  it('at fires once, read in the schedule time zone, when inside the interval', () => {
    expect(times('at(2026-07-01T06:00:00)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'Europe/Paris')).toEqual(['2026-07-01T04:00:00Z']);
    expect(times('at(2026-07-01T06:00:00)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(['2026-07-01T06:00:00Z']);
    expect(times('at(2026-07-01T06:00:00)', '2026-07-01T04:00:01Z', '2027-01-01T00:00:00Z', 'Europe/Paris')).toEqual([]);
    expect(times('at(2026-03-29T02:30:00)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', 'Europe/Paris')).toEqual([]);
    expect(scheduleError(() => times('at(2026-02-30T06:00:00)', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).code).toBe('InvalidExpression');
  });
});

describe('the interval [from, to)', () => {
  it('includes a time equal to `from` and excludes one equal to `to`', () => {
    expect(times('cron(0 6 * * ? *)', '2026-01-01T06:00:00Z', '2026-01-03T06:00:00Z')).toEqual(['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z']);
    expect(times('cron(0 6 * * ? *)', '2026-01-01T06:00:00.001Z', '2026-01-03T06:00:00.001Z')).toEqual(['2026-01-02T06:00:00Z', '2026-01-03T06:00:00Z']);
    expect(times('rate(1 hour)', '2026-01-01T00:00:00Z', '2026-01-01T02:00:00Z')).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z']);
    expect(times('at(2026-01-01T00:00:00)', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z')).toEqual(['2026-01-01T00:00:00Z']);
    expect(times('at(2026-01-01T00:00:00)', '2025-12-31T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
  });

  it('is empty when `to` is not after `from`', () => {
    expect(times('cron(* * * * ? *)', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
    expect(times('rate(1 minute)', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')).toEqual([]);
  });
});

describe('the limit', () => {
  it('refuses more than 100,000 times by default', () => {
    // Every minute for 70 days is 100,800 times.
    for (const expression of ['cron(* * * * ? *)', 'rate(1 minute)']) {
      const error = scheduleError(() => times(expression, '2026-01-01T00:00:00Z', '2026-03-12T00:00:00Z'));
      expect(error.code).toBe('TooManyTimes');
      expect(error.message).toBe(`${expression} fires more than 100,000 times from 2026-01-01T00:00:00.000Z to 2026-03-12T00:00:00.000Z`);
      expect(error.hint).toMatch(/shorter interval/);
    }
    expect(times('cron(* * * * ? *)', '2026-01-01T00:00:00Z', '2026-03-11T10:40:00Z')).toHaveLength(100_000);
  });

  it('takes another limit', () => {
    const schedule = { expression: 'cron(0 * * * ? *)' };
    expect(scheduleError(() => scheduleTimes(schedule, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), { limit: 23 })).code).toBe('TooManyTimes');
    expect(scheduleTimes(schedule, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), { limit: 24 })).toHaveLength(24);
  });
});

describe('parseBackfillTime', () => {
  const iso = (text: string, zone?: string): string => parseBackfillTime(text, zone).toISOString();

  it('reads a date as midnight in the time zone (UTC by default)', () => {
    expect(iso('2026-01-01')).toBe('2026-01-01T00:00:00.000Z');
    expect(iso('2026-01-01', 'Europe/Paris')).toBe('2025-12-31T23:00:00.000Z');
    expect(iso('2026-07-01', 'Europe/Paris')).toBe('2026-06-30T22:00:00.000Z');
    expect(iso('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
  });

  it('reads a date-time with Z or an offset as that instant, whatever the zone', () => {
    expect(iso('2026-01-01T06:00:00Z', 'Europe/Paris')).toBe('2026-01-01T06:00:00.000Z');
    expect(iso('2026-01-01T06:00:00+02:00', 'Europe/Paris')).toBe('2026-01-01T04:00:00.000Z');
    expect(iso('2026-01-01T06:00-0530')).toBe('2026-01-01T11:30:00.000Z');
    expect(iso('2026-01-01T06:00:00.250z')).toBe('2026-01-01T06:00:00.250Z');
  });

  it('reads a date-time without an offset in the time zone', () => {
    expect(iso('2026-01-01T06:00', 'Europe/Paris')).toBe('2026-01-01T05:00:00.000Z');
    expect(iso('2026-07-01T06:00:00', 'Europe/Paris')).toBe('2026-07-01T04:00:00.000Z');
    expect(iso('2026-07-01 06:00:00')).toBe('2026-07-01T06:00:00.000Z');
    // Skipped: the instant the clocks jump past it. Repeated: its first occurrence.
    expect(iso('2026-03-29T02:30', 'Europe/Paris')).toBe('2026-03-29T01:00:00.000Z');
    expect(iso('2026-10-25T02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses anything else, naming the forms it takes', () => {
    for (const text of ['yesterday', '2026-1-1', '2026-02-30', '2026-01-01T25:00', '2026-01-01T06:60', '01/02/2026', '2026-01-01T06:00:00+25:00', '']) {
      const error = scheduleError(() => parseBackfillTime(text, 'Europe/Paris'));
      expect(error.code, text).toBe('InvalidTime');
      expect(error.hint, text).toMatch(/2026-01-01\b.*2026-01-01T06:00\b.*2026-01-01T06:00:00Z/);
    }
    expect(scheduleError(() => parseBackfillTime('2026-01-01', 'Nowhere/City')).code).toBe('InvalidTimeZone');
  });
});

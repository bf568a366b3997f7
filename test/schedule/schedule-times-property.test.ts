/**
 * Property tests of scheduleTimes for cron: random expressions, zones and intervals, checked against an oracle
 * written independently of lib/schedule: each generated field carries its own predicate (a plain reading of
 * EventBridge's syntax: `15W` is the weekday of the month nearest the 15th, `3#2` the Tuesday with one before it
 * in the month, …), and a brute-force scan reads every minute of the interval with its own Intl formatter,
 * firing at the first occurrence of each matching wall-clock reading.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleTimes } from '../../lib/schedule/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Zones with daylight saving at 02:00, at midnight (Havana, Beirut), by 30 minutes (Lord Howe), twice a year around Ramadan (Casablanca), with :30/:45 offsets, and none. */
const ZONES = [
  'UTC',
  'Europe/Paris',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'America/Santiago',
  'America/Havana',
  'Asia/Beirut',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'Asia/Kolkata',
  'Asia/Tehran',
];

interface Reading {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 1-7 = SUN-SAT. */
  readonly weekday: number;
}

type Test = (reading: Reading) => boolean;

interface Field {
  readonly text: string;
  readonly test: Test;
}

// ---------------------------------------------------------------------------------------------------------
// Generated fields, each with its predicate
// ---------------------------------------------------------------------------------------------------------

function numericField(min: number, max: number, pick: (r: Reading) => number, names?: readonly string[]): fc.Arbitrary<Field> {
  const value = fc.integer({ min, max });
  const show = (v: number): fc.Arbitrary<string> =>
    names ? fc.constantFrom(String(v), names[v - min] as string, (names[v - min] as string).toLowerCase()) : fc.constant(String(v));
  const step = fc.integer({ min: 1, max: Math.max(1, Math.ceil((max - min) / 2)) });
  return fc.oneof(
    fc.constant<Field>({ text: '*', test: () => true }),
    value.chain((v) => show(v).map((text) => ({ text, test: (r: Reading) => pick(r) === v }))),
    fc.uniqueArray(value, { minLength: 2, maxLength: 4 }).map((vs) => ({ text: vs.join(','), test: (r: Reading) => vs.includes(pick(r)) })),
    fc.tuple(value, value).chain(([a, b]) =>
      fc.tuple(show(a), show(b)).map(([sa, sb]) => ({
        text: `${sa}-${sb}`,
        // A range ending before its start wraps around the field.
        test: (r: Reading) => (a <= b ? pick(r) >= a && pick(r) <= b : pick(r) >= a || pick(r) <= b),
      })),
    ),
    fc.tuple(value, step).map(([a, n]) => ({ text: `${a}/${n}`, test: (r: Reading) => pick(r) >= a && (pick(r) - a) % n === 0 })),
    step.map((n) => ({ text: `*/${n}`, test: (r: Reading) => (pick(r) - min) % n === 0 })),
    fc.tuple(value, value, step).map(([a, b, n]) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      return { text: `${low}-${high}/${n}`, test: (r: Reading) => pick(r) >= low && pick(r) <= high && (pick(r) - low) % n === 0 };
    }),
  );
}

const daysIn = (r: Reading): number => new Date(Date.UTC(r.year, r.month, 0)).getUTCDate();
const weekdayOf = (r: Reading, day: number): number => new Date(Date.UTC(r.year, r.month - 1, day)).getUTCDay() + 1;
const isWeekday = (weekday: number): boolean => weekday >= 2 && weekday <= 6;

/** The weekday of the month closest to `target`; none when the month has no such day. */
function nearestWeekday(r: Reading, target: number): number | undefined {
  if (target > daysIn(r)) return undefined;
  let best: number | undefined;
  for (let day = 1; day <= daysIn(r); day++) {
    if (isWeekday(weekdayOf(r, day)) && (best === undefined || Math.abs(day - target) < Math.abs(best - target))) best = day;
  }
  return best;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const dayOfMonthField: fc.Arbitrary<Field> = fc.oneof(
  { weight: 3, arbitrary: numericField(1, 31, (r) => r.day) },
  { weight: 1, arbitrary: fc.constant<Field>({ text: 'L', test: (r) => r.day === daysIn(r) }) },
  {
    weight: 1,
    arbitrary: fc.constant<Field>({
      text: 'LW',
      test: (r) => {
        let day = daysIn(r);
        while (!isWeekday(weekdayOf(r, day))) day--;
        return r.day === day;
      },
    }),
  },
  {
    weight: 2,
    // The month's edges half the time: a 1st or last day on a weekend is where W must not leave the month.
    arbitrary: fc
      .oneof(fc.constantFrom(1, 2, 28, 29, 30, 31), fc.integer({ min: 1, max: 31 }))
      .map((n) => ({ text: `${n}W`, test: (r: Reading) => r.day === nearestWeekday(r, n) })),
  },
);

const dayOfWeekField: fc.Arbitrary<Field> = fc.oneof(
  { weight: 3, arbitrary: numericField(1, 7, (r) => r.weekday, DAY_NAMES) },
  { weight: 1, arbitrary: fc.constant<Field>({ text: 'L', test: (r) => r.weekday === 7 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 7 }), fc.boolean())
      .map(([d, named]) => ({ text: `${named ? DAY_NAMES[d - 1] : d}L`, test: (r: Reading) => r.weekday === d && r.day + 7 > daysIn(r) })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => ({
      text: `${d}#${n}`,
      test: (r: Reading) => {
        if (r.weekday !== d) return false;
        let count = 0;
        for (let day = 1; day <= r.day; day++) if (weekdayOf(r, day) === d) count++;
        return count === n;
      },
    })),
  },
);

interface Cron {
  readonly expression: string;
  /** The date fields (day-of-month or day-of-week, month, year): read once a day by the scans. */
  readonly date: Test;
  /** The minutes and hours fields. */
  readonly time: Test;
}

const ANY: Field = { text: '*', test: () => true };

/** Minutes and hours lean to wide fields, so that short intervals around DST nights hold times. */
const cronArbitrary: fc.Arbitrary<Cron> = fc
  .record({
    minutes: numericField(0, 59, (r) => r.minute),
    hours: fc.oneof(
      fc.constant(ANY),
      numericField(0, 23, (r) => r.hour),
    ),
    month: fc.oneof({ weight: 3, arbitrary: fc.constant(ANY) }, { weight: 1, arbitrary: numericField(1, 12, (r) => r.month, MONTH_NAMES) }),
    days: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ dom: ANY, dow: undefined }) },
      { weight: 2, arbitrary: dayOfMonthField.map((dom) => ({ dom, dow: undefined })) },
      { weight: 2, arbitrary: dayOfWeekField.map((dow) => ({ dom: undefined, dow })) },
    ),
    year: fc.oneof({ weight: 4, arbitrary: fc.constant(ANY) }, { weight: 1, arbitrary: numericField(1970, 2199, (r) => r.year) }),
  })
  .map(({ minutes, hours, month, days, year }) => {
    const dom = days.dom ?? { text: '?', test: () => true };
    const dow = days.dow ?? { text: '?', test: () => true };
    const dateFields = [dom, month, dow, year];
    return {
      expression: `cron(${[minutes, hours, dom, month, dow, year].map((f) => f.text).join(' ')})`,
      date: (r: Reading) => dateFields.every((f) => f.test(r)),
      time: (r: Reading) => minutes.test(r) && hours.test(r),
    };
  });

/** Expressions that fire on few days a month (L, W, #, lists of days), at one or two times of day: for long scans. */
const calendarCronArbitrary: fc.Arbitrary<Cron> = fc
  .record({
    minute: fc.integer({ min: 0, max: 59 }),
    hours: fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 2 }),
    days: fc.oneof(
      dayOfMonthField.map((dom) => ({ dom, dow: undefined })),
      dayOfWeekField.map((dow) => ({ dom: undefined, dow })),
    ),
    month: fc.oneof({ weight: 3, arbitrary: fc.constant(ANY) }, { weight: 1, arbitrary: numericField(1, 12, (r) => r.month, MONTH_NAMES) }),
  })
  .map(({ minute, hours, days, month }) => {
    const dom = days.dom ?? { text: '?', test: () => true };
    const dow = days.dow ?? { text: '?', test: () => true };
    return {
      expression: `cron(${minute} ${hours.join(',')} ${dom.text} ${month.text} ${dow.text} *)`,
      date: (r: Reading) => dom.test(r) && dow.test(r) && month.test(r),
      time: (r: Reading) => r.minute === minute && hours.includes(r.hour),
    };
  });

const satisfies = (cron: Cron, r: Reading): boolean => cron.date(r) && cron.time(r);

/** A random interval of up to `span`. */
function anyInterval(span: number): fc.Arbitrary<{ from: number; to: number }> {
  return fc
    .tuple(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2198, 0, 1) }), fc.integer({ min: 0, max: span }))
    .map(([from, length]) => ({ from, to: from + length }));
}

/** Mostly an interval of up to 3 days holding one of the zone's clock changes (found by the oracle's own scan), else any. */
function intervalAroundChanges(zone: string): fc.Arbitrary<{ from: number; to: number }> {
  const aroundChange = fc
    .tuple(fc.integer({ min: 1980, max: 2040 }), fc.nat(), fc.integer({ min: 0, max: 36 * HOUR }), fc.integer({ min: 0, max: 36 * HOUR }))
    .map(([year, pick, before, after]) => {
      const changes = clockChanges(zone, year);
      const change = changes.length > 0 ? (changes[pick % changes.length] as number) : Date.UTC(year, 2, 29);
      return { from: change - before, to: change + after };
    });
  return fc.oneof({ weight: 4, arbitrary: aroundChange }, { weight: 1, arbitrary: anyInterval(3 * DAY) });
}

// ---------------------------------------------------------------------------------------------------------
// The oracle's own reading of the wall clock
// ---------------------------------------------------------------------------------------------------------

const formats = new Map<string, Intl.DateTimeFormat>();

function readingOf(instant: number, zone: string): Reading {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: DAY_NAMES.indexOf(String(parts.weekday).toUpperCase()) + 1,
  };
}

const key = (r: Reading): string => `${r.year}-${r.month}-${r.day} ${r.hour}:${r.minute}`;
const dayKey = (r: Reading): string => `${r.year}-${r.month}-${r.day}`;

const changesByZoneYear = new Map<string, number[]>();

/** Instants (to 6 hours) after which the zone's offset differs, in one year. */
function clockChanges(zone: string, year: number): number[] {
  const cached = changesByZoneYear.get(`${zone} ${year}`);
  if (cached) return cached;
  const offset = (instant: number): number => {
    const r = readingOf(instant, zone);
    return Date.UTC(r.year, r.month - 1, r.day, r.hour, r.minute) - instant;
  };
  const changes: number[] = [];
  for (let instant = Date.UTC(year, 0, 1); instant < Date.UTC(year + 1, 0, 1); instant += 6 * HOUR) {
    if (offset(instant) !== offset(instant + 6 * HOUR)) changes.push(instant);
  }
  changesByZoneYear.set(`${zone} ${year}`, changes);
  return changes;
}

/**
 * Every minute of [from, to), read in the zone: a matching reading fires unless the clock showed it before
 * (the scan starts 3 hours early, more than any clock goes back).
 */
function bruteForce(cron: Cron, zone: string, from: number, to: number, read = readingOf): number[] {
  // UTC never repeats a reading: no need to remember them (which makes a year's scan fast enough).
  const seen = zone === 'UTC' ? undefined : new Set<string>();
  const dates = new Map<string, boolean>();
  const fired: number[] = [];
  for (let instant = Math.floor(from / MINUTE) * MINUTE - 3 * HOUR; instant < to; instant += MINUTE) {
    const reading = read(instant, zone);
    const first = !seen?.has(key(reading));
    seen?.add(key(reading));
    if (instant < from || !first || !cron.time(reading)) continue;
    let date = dates.get(dayKey(reading));
    if (date === undefined) {
      date = cron.date(reading);
      dates.set(dayKey(reading), date);
    }
    if (date) fired.push(instant);
  }
  return fired;
}

/** The wall clock in UTC, by arithmetic: fast enough to scan a year minute by minute. */
function utcReading(instant: number): Reading {
  const date = new Date(instant);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    weekday: date.getUTCDay() + 1,
  };
}

const scheduled = (cron: Cron, zone: string, from: number, to: number): number[] =>
  scheduleTimes({ expression: cron.expression, timezone: zone }, new Date(from), new Date(to)).map((time) => time.getTime());

describe('scheduleTimes (cron) against an independent oracle', () => {
  it('finds exactly the times a minute-by-minute scan finds, across clock changes', () => {
    const zoned = fc.constantFrom(...ZONES).chain((zone) => fc.tuple(fc.constant(zone), intervalAroundChanges(zone)));
    fc.assert(
      fc.property(cronArbitrary, zoned, (cron, [zone, { from, to }]) => {
        expect(scheduled(cron, zone, from, to), `${cron.expression} in ${zone} from ${new Date(from).toISOString()}`).toEqual(bruteForce(cron, zone, from, to));
      }),
      { numRuns: 100, seed: 16 },
    );
  }, 120_000);

  it('finds exactly the days a minute-by-minute scan of up to a year finds (UTC)', () => {
    fc.assert(
      fc.property(calendarCronArbitrary, anyInterval(366 * DAY), (cron, { from, to }) => {
        expect(scheduled(cron, 'UTC', from, to), `${cron.expression} from ${new Date(from).toISOString()}`).toEqual(
          bruteForce(cron, 'UTC', from, to, utcReading),
        );
      }),
      { numRuns: 60, seed: 1616 },
    );
  }, 120_000);

  it('returns only times inside [from, to), ascending, whose wall-clock reading satisfies the expression', () => {
    fc.assert(
      fc.property(cronArbitrary, fc.constantFrom(...ZONES), anyInterval(60 * DAY), (cron, zone, { from, to }) => {
        const times = scheduled(cron, zone, from, to);
        for (const [i, time] of times.entries()) {
          if (time < from || time >= to || time % MINUTE !== 0 || (i > 0 && time <= (times[i - 1] as number))) {
            expect.fail(`${cron.expression} in ${zone}: ${new Date(time).toISOString()} out of place`);
          }
        }
        // Reading every time of two months of every-minute is slow: a few hundred spread over the interval.
        const stride = Math.max(1, Math.floor(times.length / 300));
        for (let i = 0; i < times.length; i += stride) {
          const time = times[i] as number;
          expect(satisfies(cron, readingOf(time, zone)), `${cron.expression} in ${zone} at ${new Date(time).toISOString()}`).toBe(true);
        }
      }),
      { numRuns: 200, seed: 61 },
    );
  }, 120_000);

  it('the scan itself sees both kinds of daylight-saving night (the oracle is not vacuous)', () => {
    const everyFiveMinutes: Cron = { expression: 'cron(0/5 * * * ? *)', date: () => true, time: (r) => r.minute % 5 === 0 };
    const spring = bruteForce(everyFiveMinutes, 'Europe/Paris', Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 3));
    const autumn = bruteForce(everyFiveMinutes, 'Europe/Paris', Date.UTC(2026, 9, 24, 23), Date.UTC(2026, 9, 25, 3));
    // Four hours of instants each: spring has every one (the clock skips 02:xx readings, no instant is lost),
    // autumn drops the 12 repeated readings of 02:xx.
    expect(spring).toHaveLength(48);
    expect(autumn).toHaveLength(36);
    expect(scheduled(everyFiveMinutes, 'Europe/Paris', Date.UTC(2026, 9, 24, 23), Date.UTC(2026, 9, 25, 3))).toEqual(autumn);
    expect(clockChanges('Europe/Paris', 2026)).toEqual([Date.UTC(2026, 2, 29, 0), Date.UTC(2026, 9, 25, 0)]);
  });
});

/**
 * Schedule times (lib/schedule, what `ork backfill` lists): one year of `cron(*\/5 * * * ? *)` in a zone with
 * daylight saving, as times per second, beside two baselines measured in the same run: a plain loop making
 * as many Dates (the floor: what building the answer costs), and a minute-by-minute scan reading each minute
 * in the zone with Intl (the obvious way to do it, timed on one month and scaled to the year).
 *
 * Run alone with `npx tsx bench/schedule-times.ts`, or with the others through `npm run bench -- schedule-times`.
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { scheduleTimes } from '../lib/schedule/index.js';

/**
 * Target printed beside the figure: listing the times costs at most 3× building as many Dates in a plain loop
 * (relative, since the machine's load moves both alike).
 */
const TARGET_RATIO = 3;
const MINUTE = 60_000;
const FROM = new Date('2026-01-01T00:00:00Z');
const TO = new Date('2027-01-01T00:00:00Z');
const SCHEDULES = [
  { expression: 'cron(*/5 * * * ? *)', timezone: 'Europe/Paris' },
  { expression: 'cron(*/5 * * * ? *)', timezone: 'America/New_York' },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median wall time of `runs` calls after one warm-up, and the last result. */
function time<T>(runs: number, body: () => T): { ms: number; result: T } {
  let result = body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = body();
    times.push(performance.now() - started);
  }
  return { ms: median(times), result };
}

/** The same count of Dates, five minutes apart, with nothing else to do. */
function plainLoop(count: number): Date[] {
  const start = FROM.getTime();
  return Array.from({ length: count }, (_, i) => new Date(start + i * 5 * MINUTE));
}

/** Every minute of [from, to) read in the zone; a minute divisible by 5 whose reading was not seen before fires. */
function minuteScan(zone: string, from: number, to: number): Date[] {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const seen = new Set<string>();
  const fired: Date[] = [];
  for (let instant = from; instant < to; instant += MINUTE) {
    const reading = format.format(instant);
    if (seen.has(reading)) continue;
    seen.add(reading);
    if (Number(reading.slice(-2)) % 5 === 0) fired.push(new Date(instant));
  }
  return fired;
}

const rate = (count: number, ms: number): string => `${Math.round((count / ms) * 1000).toLocaleString('en-US')} times/s`;

export async function run(): Promise<void> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  for (const schedule of SCHEDULES) {
    const listed = time(5, () => scheduleTimes(schedule, FROM, TO, { limit: 200_000 }));
    const count = listed.result.length;
    const floor = time(5, () => plainLoop(count));
    // One month of the scan (January: 31 days), scaled to the year's 365.
    const monthEnd = Date.UTC(2026, 1, 1);
    const scan = time(1, () => minuteScan(schedule.timezone, FROM.getTime(), monthEnd));
    const scanYearMs = (scan.ms * 365) / 31;
    const expected = scheduleTimes(schedule, FROM, new Date(monthEnd)).length;
    const ratio = listed.ms / floor.ms;
    const target = ratio <= TARGET_RATIO ? 'met' : 'MISSED';
    console.log(`  ${schedule.expression} in ${schedule.timezone}, 2026: ${count.toLocaleString('en-US')} times (105,120 less the 12 of the skipped hour)`);
    console.log(`    scheduleTimes     ${listed.ms.toFixed(1).padStart(8)} ms  ${rate(count, listed.ms)}`);
    console.log(
      `    plain Date loop   ${floor.ms.toFixed(1).padStart(8)} ms  ${rate(count, floor.ms)}   scheduleTimes takes ${ratio.toFixed(1)}× (target ≤ ${TARGET_RATIO}×: ${target})`,
    );
    console.log(
      `    minute scan (Intl) ${scanYearMs.toFixed(0).padStart(7)} ms  ${rate(count, scanYearMs)}   scheduleTimes is ${(scanYearMs / listed.ms).toFixed(0)}× faster` +
        (scan.result.length === expected ? '' : `   (scan found ${scan.result.length} in January, scheduleTimes ${expected}: MISMATCH)`),
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

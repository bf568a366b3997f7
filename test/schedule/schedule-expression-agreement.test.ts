/**
 * `ork validate` (checkScheduleExpression) and `ork backfill` (scheduleTimes) read a schedule expression with
 * one grammar, compiler/model/schedule-expression.ts: an expression validate accepts, backfill enumerates, and
 * one validate refuses, backfill refuses with the same message. Each row also says what EventBridge Scheduler
 * does with it (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html and the cron
 * reference https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
 */
import { describe, expect, it } from 'vitest';
import { checkScheduleExpression } from '../../compiler/validate/index.js';
import { ScheduleError, scheduleTimes } from '../../lib/schedule/index.js';

const VALID = [
  // Issue 16: validate refused these three, backfill ran them. Day-of-week is "1-7 or SUN-SAT" with
  // `, - * ? L #`: a list may hold a range, and a name stands wherever its number does.
  'cron(0 6 ? * MON,WED-FRI *)',
  'cron(0 6 ? * TUE#2 *)',
  'cron(0 6 ? * FRIL *)',
  'cron(0 6 ? * 3#2 *)',
  'cron(0 6 ? * 6L *)',
  'cron(0 6 ? * L *)',
  'cron(0 6 ? * FRI-MON *)',
  'cron(0 6 ? * 1,3-5 *)',
  'cron(0 6 L * ? *)',
  'cron(0 6 LW * ? *)',
  'cron(0 6 15W * ? *)',
  'cron(0/15 8-17 ? * MON-FRI *)',
  'cron(*/5 * * * ? *)',
  'cron(0 6 * JAN-MAR,DEC ? 2026-2030/2)',
  'cron(0 12 31 12 ? 2199)',
  'rate(1 minute)',
  'rate(5 minutes)',
  'rate(1 hour)',
  'rate(1 day)',
  'rate(2 days)',
  'at(2026-01-01T06:00:00)',
  'at(2028-02-29T23:59:59)',
];

const INVALID = [
  'cron(0 6 * * *)',
  'cron(0 6 * * ? * *)',
  'cron(0 6 * * MON *)',
  'cron(0 6 ? * ? *)',
  'cron(0 6 * * * *)',
  // Out of the documented ranges: validate's per-field regexes let these through.
  'cron(60 6 * * ? *)',
  'cron(0 24 * * ? *)',
  'cron(0 6 32 * ? *)',
  'cron(0 6 * 13 ? *)',
  'cron(0 6 ? * 0 *)',
  'cron(0 6 ? * 8 *)',
  'cron(0 6 * * ? 1969)',
  'cron(0 6 * * ? 2200)',
  'cron(0 6 ? * 3#6 *)',
  // AWS: "If you use a '#' character, you can define only one expression in the day-of-week field. For
  // example, "3#1,6#3" is not valid".
  'cron(0 6 ? * 3#1,6#3 *)',
  'cron(0 6 ? * FOO *)',
  'cron(0 6 * FOO ? *)',
  'cron(0/0 6 * * ? *)',
  'cron(x 6 * * ? *)',
  // Rate units: singular for 1, plural above (backfill used to take either).
  'rate(0 minutes)',
  'rate(1 hours)',
  'rate(2 hour)',
  'rate(1 week)',
  // at: a calendar date and time (validate used to take any digits).
  'at(2026-02-30T06:00:00)',
  'at(2026-01-01T24:00:00)',
  'at(2026-01-01)',
  'every day',
  '0 6 * * *',
];

const FROM = new Date('2026-01-01T00:00:00Z');
const TO = new Date('2026-01-08T00:00:00Z');

/** What backfill says of the expression: undefined when it enumerates it, else its InvalidExpression message. */
function backfillProblem(expression: string, to = TO): string | undefined {
  try {
    scheduleTimes({ expression }, FROM, to);
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleError && error.code === 'InvalidExpression') return error.message;
    throw error;
  }
}

describe('validate and backfill read schedule expressions alike', () => {
  it.each(VALID)('%s: both accept it', (expression) => {
    expect(checkScheduleExpression(expression)).toBeUndefined();
    expect(backfillProblem(expression)).toBeUndefined();
  });

  it.each(INVALID)('%s: both refuse it, with the same message', (expression) => {
    const problem = checkScheduleExpression(expression);
    expect(problem).toBeDefined();
    expect(backfillProblem(expression)).toBe(problem?.message);
    // Also for an empty interval: the expression is read before the interval.
    expect(backfillProblem(expression, FROM)).toBe(problem?.message);
  });

  it('a day-of-week list mixing names and ranges fires on each day it names', () => {
    // 5 to 11 January 2026: Monday 5, Wednesday 7, Thursday 8, Friday 9.
    const days = scheduleTimes({ expression: 'cron(0 6 ? * MON,WED-FRI *)' }, new Date('2026-01-05T00:00:00Z'), new Date('2026-01-12T00:00:00Z')).map((time) =>
      time.getUTCDate(),
    );
    expect(days).toEqual([5, 7, 8, 9]);
  });

  it('keeps the hints that say what to write instead', () => {
    expect(checkScheduleExpression('cron(0 6 * * *)')?.hint).toContain('cron(0 6 * * ? *)');
    expect(checkScheduleExpression('cron(0 6 * * 1-5)')?.hint).toContain('cron(0 6 ? * 1-5 *)');
    expect(checkScheduleExpression('rate(1 hours)')?.hint).toBe('rate(1 hour)');
    expect(checkScheduleExpression('rate(2 hour)')?.hint).toBe('rate(2 hours)');
    expect(checkScheduleExpression('cron(0 6 * * MON *)')?.hint).toBe('cron(0 6 ? * MON *)');
    expect(checkScheduleExpression('cron(0 6 ? * ? *)')?.hint).toBe('cron(0 6 * * ? *)');
    expect(checkScheduleExpression('0 6 * * *')?.hint).toContain('wrap cron fields in cron(...), with 6 fields: cron(0 6 * * ? *)');
    expect(checkScheduleExpression('cron(0 6 ? * 3#1,6#3 *)')?.hint).toContain('alone in the field');
  });
});

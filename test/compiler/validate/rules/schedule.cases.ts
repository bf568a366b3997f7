import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

/** Bad workflows that compiler/validate/rules/schedule.ts reports: schedule expressions, time zones and flexible windows. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'cron with five fields',
    source: yaml('schedule: cron(0 6 * * *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'cron expression has 5 fields, not 6', hint: 'cron(0 6 * * ? *)' }],
  },
  {
    name: 'cron with a bad field',
    source: yaml('schedule:', '  expression: cron(0 25x * * ? *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 2, col: 15, message: "hours field: '25x' is not a number", hint: 'hours takes 0-23' }],
  },
  {
    name: 'cron without a ?',
    source: yaml('schedule: cron(0 6 * * MON *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'exactly one of day-of-month and day-of-week must be ?', hint: 'cron(0 6 ? * MON *)' }],
  },
  {
    name: 'rate with the wrong plural',
    source: yaml('schedule: rate(1 hours)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'rate(1 hours) must use the singular unit', hint: 'rate(1 hour)' }],
  },
  {
    name: 'rate of zero',
    source: yaml('schedule: rate(0 minutes)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'a rate must be at least 1' }],
  },
  {
    name: 'not a schedule expression',
    source: yaml('schedule: every day at 6', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: "'every day at 6' is not a schedule expression", hint: 'rate(1 hour)' }],
  },
  {
    name: 'bare cron fields',
    source: yaml('schedule: 0 6 * * *', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: "'0 6 * * *' is not a schedule expression", hint: 'cron(0 6 * * ? *)' }],
  },
  {
    name: 'unknown time zone',
    source: yaml('schedule:', '  expression: cron(0 6 * * ? *)', '  timezone: Europe/Pariss', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK216', line: 3, col: 13, message: "unknown time zone 'Europe/Pariss'", hint: 'Europe/Paris' }],
  },
  {
    name: 'flexible_window that is not whole minutes (90s)',
    source: yaml('schedule:', '  expression: rate(1 hour)', '  flexible_window: 90s', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 90s is not a whole number of minutes', hint: 'use 1m or 2m' }],
  },
  {
    name: 'flexible_window under a minute, as a number of seconds',
    source: yaml('schedule:', '  expression: rate(1 hour)', '  flexible_window: 30', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 30s is not a whole number of minutes', hint: 'use 1m' }],
  },
  {
    name: 'flexible_window above 1,440 minutes',
    source: yaml('schedule:', '  expression: cron(0 6 * * ? *)', '  flexible_window: 1d1m', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 1441m is above 1440 minutes (24h)', hint: 'use at most 24h (1440m)' }],
  },
];

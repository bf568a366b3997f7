import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunSummary } from '../../lib/local/run-recorder.js';
import { expectUsageError, parseJsonOutput, runOrk, useScratchDirectory, writeWorkflowDirectory, type CliResult } from '../support/cli.js';

/**
 * `ork backfill` on this machine: the times a schedule fires in an interval (--dry-run), each run with the
 * schedule's input and params.scheduled_time (--local), and the command-line errors it refuses with exit 2.
 * On AWS (execution names, idempotent reruns) it is tested on the parity harness: test/cloud/backfill-parity.test.ts.
 */

const scratch = useScratchDirectory('ork-backfill-');

function workflow(name: string, schedule: string | undefined, extra = ''): string {
  return writeWorkflowDirectory(scratch(), name, {
    'workflow.yaml': `name: ${name}
params: { mode: full, region: eu }
${schedule ? `schedule: ${schedule}\n` : ''}tasks:
  echo:
    file: tasks/echo.py
${extra}`,
    'tasks/echo.py': `from ork import task


@task
def main(input):
    params = input["params"]
    if params["scheduled_time"] == params.get("fail_at"):
        raise ValueError("no data for " + params["scheduled_time"])
    return {"scheduled_time": params["scheduled_time"], "mode": params["mode"], "region": params["region"]}
`,
  });
}

function backfill(args: readonly string[]): Promise<CliResult> {
  return runOrk(['backfill', ...args], scratch(), { ORK_RUNS_DIR: path.join(scratch(), 'runs') });
}

describe('ork backfill --dry-run', () => {
  it('lists a cron in its time zone across both daylight-saving changes: the skipped hour does not fire, the repeated one fires once', async () => {
    const dir = workflow('paris', '{ expression: "cron(30 2 * * ? *)", timezone: Europe/Paris }');
    // 29 March 2026: Paris goes from 02:00 to 03:00, so 02:30 does not exist. 25 October: 02:30 happens twice.
    const spring = await backfill([dir, '--from', '2026-03-28', '--to', '2026-03-31', '--dry-run']);
    expect(spring.code, spring.stderr).toBe(0);
    expect(spring.stdout).toBe('2026-03-28T01:30:00Z\n2026-03-30T00:30:00Z\n');
    const autumn = await backfill([dir, '--from', '2026-10-24', '--to', '2026-10-27', '--dry-run']);
    expect(autumn.stdout).toBe('2026-10-24T00:30:00Z\n2026-10-25T00:30:00Z\n2026-10-26T01:30:00Z\n');
    expect(autumn.stderr).toBe('');
  });

  it('reads --from and --to as midnight in the schedule time zone, from inclusive and to exclusive', async () => {
    const dir = workflow('tokyo', '{ expression: "cron(0 0 * * ? *)", timezone: Asia/Tokyo }');
    const result = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--dry-run']);
    expect(result.stdout).toBe('2025-12-31T15:00:00Z\n2026-01-01T15:00:00Z\n');
    const absolute = await backfill([dir, '--from', '2025-12-31T15:00:01Z', '--to', '2026-01-01T15:00:00+00:00', '--dry-run']);
    expect(absolute.stdout).toBe('');
    expect(absolute.code).toBe(0);
  });

  it('lists a rate every N units from --from, in elapsed time across a daylight-saving change', async () => {
    const six = workflow('six-hourly', '{ expression: "rate(6 hours)" }');
    expect((await backfill([six, '--from', '2026-01-01', '--to', '2026-01-02', '--dry-run'])).stdout).toBe(
      '2026-01-01T00:00:00Z\n2026-01-01T06:00:00Z\n2026-01-01T12:00:00Z\n2026-01-01T18:00:00Z\n',
    );
    const daily = workflow('daily-rate', '{ expression: "rate(1 day)", timezone: Europe/Paris }');
    expect((await backfill([daily, '--from', '2026-03-28', '--to', '2026-03-31', '--dry-run'])).stdout).toBe(
      '2026-03-27T23:00:00Z\n2026-03-28T23:00:00Z\n2026-03-29T23:00:00Z\n',
    );
  });

  it('--json prints the times as one object', async () => {
    const dir = workflow('utc-daily', '{ expression: "cron(0 6 * * ? *)" }');
    const result = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--dry-run', '--json']);
    expect(parseJsonOutput(result)).toEqual({
      workflow: 'utc-daily',
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-03T00:00:00Z',
      times: ['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z'],
    });
  });
});

describe('ork backfill --local', () => {
  it('runs each time as a recorded run whose task receives the schedule input and its scheduled_time', async () => {
    const dir = workflow('local-daily', '{ expression: "cron(0 6 * * ? *)", input: { mode: scheduled } }');
    const result = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--local', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJsonOutput<{ succeeded: number; failed: number; times: { scheduledTime: string; status: string; runId: string }[] }>(result);
    expect(json).toMatchObject({ succeeded: 2, failed: 0 });
    expect(json.times.map((t) => [t.scheduledTime, t.status])).toEqual([
      ['2026-01-01T06:00:00Z', 'SUCCEEDED'],
      ['2026-01-02T06:00:00Z', 'SUCCEEDED'],
    ]);
    for (const time of json.times) {
      const run = readRunSummary(path.join(scratch(), 'runs'), time.runId);
      expect(run?.input).toEqual({ mode: 'scheduled', region: 'eu', scheduled_time: time.scheduledTime });
      expect(run?.outputs?.echo).toEqual({ scheduled_time: time.scheduledTime, mode: 'scheduled', region: 'eu' });
    }
    // Progress went to stderr: a line as each time starts and ends, then the summary.
    expect(result.stderr).toMatch(/^started +2026-01-01T06:00:00Z$/m);
    expect(result.stderr).toMatch(/^SUCCEEDED +2026-01-02T06:00:00Z {2}run \S+ in /m);
    expect(result.stderr).toMatch(/^2 succeeded, 0 failed of 2 times$/m);
  });

  it('a time that fails: exit 1, the summary names it with its error and the command that resumes it', async () => {
    const dir = workflow('local-failing', '{ expression: "cron(0 6 * * ? *)", input: { fail_at: "2026-01-02T06:00:00Z" } }');
    const result = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-04', '--local', '--concurrency', '3']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/at most 3 at once/);
    expect(result.stdout).toMatch(/^2 succeeded, 1 failed of 3 times$/m);
    const failed = result.stdout.slice(result.stdout.indexOf('failed:\n'));
    expect(failed).toMatch(/^ {2}2026-01-02T06:00:00Z {2}FAILED {2}ValueError: no data for 2026-01-02T06:00:00Z$/m);
    expect(failed).toMatch(new RegExp(`^ {4}ork run ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --resume \\S+$`, 'm'));
    expect(failed).not.toMatch(/2026-01-0[13]/);
  });

  it('hands each run the values of --secrets, and refuses a secrets file that is not a JSON object before any run', async () => {
    const dir = writeWorkflowDirectory(scratch(), 'local-secrets', {
      'workflow.yaml': `schedule: { expression: "cron(0 6 * * ? *)" }
tasks:
  reader:
    file: tasks/reader.py
    secrets: [prod/token]
`,
      'tasks/reader.py': `from ork import task


@task
def main(input, ctx):
    return {"length": len(ctx.secrets["prod/token"])}
`,
    });
    const file = path.join(scratch(), 'backfill-secrets.json');
    writeFileSync(file, JSON.stringify({ 'prod/token': 'sentinel-value-0123' }));
    const result = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--local', '--secrets', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parseJsonOutput<{ times: { runId: string }[] }>(result);
    for (const time of json.times) expect(readRunSummary(path.join(scratch(), 'runs'), time.runId)?.outputs?.reader).toEqual({ length: 19 });
    expect(result.stdout + result.stderr).not.toContain('sentinel-value-0123');

    mkdirSync(path.join(dir, '.ork'), { recursive: true });
    writeFileSync(path.join(dir, '.ork', 'secrets.json'), '["not", "an object"]');
    const malformed = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--local']);
    expectUsageError(malformed, /secrets/);
    const aws = await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-03', '--secrets', file]);
    expectUsageError(aws, /--secrets gives local values: it goes with --local/);
  });
});

describe('ork backfill refuses what cannot be backfilled (exit 2)', () => {
  it('a workflow without a schedule', async () => {
    expectUsageError(await backfill([workflow('no-schedule', undefined), '--from', '2026-01-01', '--to', '2026-01-02']), /has no schedule/);
  });

  it('bad dates, --to not after --from, and too many times', async () => {
    const dir = workflow('errors', '{ expression: "cron(* * * * ? *)" }');
    expectUsageError(await backfill([dir, '--from', '2026-02-30', '--to', '2026-03-02']), /'2026-02-30' is not a/);
    expectUsageError(await backfill([dir, '--from', 'yesterday', '--to', '2026-03-02', '--dry-run']), /'yesterday' is not a date/);
    expectUsageError(await backfill([dir, '--from', '2026-03-02', '--to', '2026-03-01']), /--to \(2026-03-01T00:00:00Z\) must be after --from/);
    expectUsageError(await backfill([dir, '--from', '2026-03-01', '--to', '2026-03-01']), /must be after --from/);
    // Every minute for a month is 44,640 times.
    expectUsageError(await backfill([dir, '--from', '2026-03-01', '--to', '2026-04-01', '--dry-run']), /fires more than 10,000 times/);
  });

  it('a missing --from or --to, a --concurrency that is not a positive integer, an unknown option', async () => {
    const dir = workflow('arguments', '{ expression: "rate(1 hour)" }');
    expectUsageError(await backfill([dir, '--to', '2026-01-02']), /--from and --to are required/);
    for (const bad of ['0', '-1', '1.5', 'x']) {
      expectUsageError(await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-02', `--concurrency=${bad}`]), /--concurrency must be a positive integer/);
    }
    expectUsageError(await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-02', '--local', '--state-machine', 'x']), /does not go with --local/);
    expectUsageError(await backfill([dir, '--from', '2026-01-01', '--to', '2026-01-02', '--since', 'x']), /backfill: Unknown option '--since'/);
  });
});

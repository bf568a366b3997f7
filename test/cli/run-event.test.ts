import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runOrk, runWorkflowCli, useScratchDirectory, writeWorkflowDirectory, type CliResult } from '../support/cli.js';
import { s3ObjectCreated } from '../support/s3-object-created.js';

/**
 * `ork run --event` and `--scheduled-time` through the real `ork` (issue 16): an event starts the run its
 * workflow's triggers would start on AWS, with the params the trigger maps; an event no trigger matches, one
 * several match, and an input without a required param are exit 2 with one line saying why.
 */

const scratch = useScratchDirectory('ork-run-event-');

/** AWS's documented S3 "Object Created" event (test/fixtures/events/) for landing-bucket, its key under incoming/ and a .csv. */
const OBJECT_CREATED = s3ObjectCreated({ bucket: 'landing-bucket', key: 'incoming/2021-11-12/orders.csv' });

function workflow(name: string, triggers: string): string {
  return writeWorkflowDirectory(scratch(), name, {
    'workflow.yaml': `name: ${name}
params: { key: ~, bucket: ~, mode: full }
schedule: { expression: "cron(0 6 * * ? *)", timezone: Europe/Paris, input: { key: incoming/, bucket: landing-bucket } }
triggers:
${triggers}
tasks:
  echo:
    file: tasks/echo.py
`,
    'tasks/echo.py': `from ork import task


@task
def main(input):
    return {"params": input["params"]}
`,
  });
}

const S3_TRIGGER = `  - s3: { bucket: landing-bucket, prefix: incoming/, suffix: .csv }
    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name" }
`;
const ANY_CSV_TRIGGER = `  - s3: { bucket: [landing-bucket, archive], suffix: .csv }
    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name", mode: "$.detail.reason" }
`;

function eventFile(name: string, event: unknown): string {
  const file = path.join(scratch(), `${name}.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

function run(args: readonly string[]): Promise<CliResult> {
  return runOrk(['run', ...args], scratch(), { ORK_RUNS_DIR: path.join(scratch(), 'runs') });
}

interface EchoSummary {
  readonly status: string;
  readonly runId: string;
  readonly outputs: { readonly echo: { readonly params: Record<string, unknown> } };
}

describe('ork run --event', () => {
  it('runs with the params the matching trigger maps from the event, and says which trigger on stderr', async () => {
    const dir = workflow('landing', S3_TRIGGER);
    const result = await runWorkflowCli<EchoSummary>(dir, path.join(scratch(), 'runs'), ['--event', `@${eventFile('created', OBJECT_CREATED)}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.outputs.echo.params).toEqual({ key: 'incoming/2021-11-12/orders.csv', bucket: 'landing-bucket', mode: 'full' });
    expect(result.stderr).toContain(
      'ork: trigger 1 (s3: landing-bucket) matched the event; params {"key":"incoming/2021-11-12/orders.csv","bucket":"landing-bucket"}\n',
    );
  });

  it('takes a PutEvents entry too, and --scheduled-time beside it; a path the event lacks gives "" with a warning', async () => {
    const dir = workflow(
      'orders',
      `  - event: { source: [shop.orders], detail-type: [OrderPlaced] }\n    params: { key: "$.detail.orderId", bucket: "$.detail.store" }\n`,
    );
    const entry = { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-1' }) };
    const result = await runWorkflowCli<EchoSummary>(dir, path.join(scratch(), 'runs'), [
      '--event',
      JSON.stringify(entry),
      '--scheduled-time',
      '2026-01-01T07:00:00+01:00',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.outputs.echo.params).toEqual({ key: 'o-1', bucket: '', mode: 'full', scheduled_time: '2026-01-01T06:00:00Z' });
    expect(result.stderr).toContain('ork: warning: trigger 1 (event): the event has no $.detail.store (bucket): EventBridge passes "" for it\n');
  });

  it('an event no trigger matches: exit 2 naming the closest trigger and the first field that did not match', async () => {
    const dir = workflow('no-match', S3_TRIGGER);
    const elsewhere = s3ObjectCreated({ bucket: 'landing-bucket', key: 'reports/summary.csv' });
    const result = await run([dir, '--event', `@${eventFile('elsewhere', elsewhere)}`]);
    expectUsageError(
      result,
      /^ork: error: trigger 1 \(s3: landing-bucket\) does not match the event: detail\.object\.key is "reports\/summary\.csv"; the pattern wants wildcard "incoming\/\*\.csv"$/,
    );
  });

  it('an event several triggers match: exit 2 saying AWS would start one execution each; --trigger N runs one', async () => {
    const dir = workflow('several', S3_TRIGGER + ANY_CSV_TRIGGER);
    const file = `@${eventFile('both', OBJECT_CREATED)}`;
    const both = await run([dir, '--event', file]);
    expectUsageError(both, /^ork: error: the event matches triggers 1 and 2: AWS would start one execution for each$/);
    expect(both.stderr).toContain('hint: run one of them with --trigger N (--trigger 1 or --trigger 2)');
    const second = await runWorkflowCli<EchoSummary>(dir, path.join(scratch(), 'runs'), ['--event', file, '--trigger', '2']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json.outputs.echo.params).toEqual({ key: 'incoming/2021-11-12/orders.csv', bucket: 'landing-bucket', mode: 'PutObject' });
  });

  it('--trigger N that does not match, or is no trigger: exit 2', async () => {
    const dir = workflow('choose', S3_TRIGGER + `  - event: { source: [shop.orders] }\n    params: { key: "$.detail.orderId", bucket: "$.detail.store" }\n`);
    const file = `@${eventFile('created-2', OBJECT_CREATED)}`;
    expectUsageError(
      await run([dir, '--event', file, '--trigger', '2']),
      /^ork: error: trigger 2 \(event\) does not match the event: source is "aws\.s3"; the pattern wants "shop\.orders"$/,
    );
    expectUsageError(await run([dir, '--event', file, '--trigger', '3']), /--trigger must be a trigger's number, 1 to 2/);
  });

  it('an input that lacks a required param (a null default), or gives it as null: exit 2', async () => {
    const dir = workflow('required', S3_TRIGGER);
    const missing = await run([dir]);
    expectUsageError(missing, /^ork: error: the input gives no 'key', 'bucket', which are required params/);
    const partial = await run([dir, '--input', '{"key": "incoming/a.csv", "bucket": null}']);
    expectUsageError(partial, /^ork: error: the input gives no 'bucket', which is a required param/);
  });

  it('refuses --event with --input or --resume, --trigger without --event, and a workflow without triggers', async () => {
    const dir = workflow('refusals', S3_TRIGGER);
    const file = `@${eventFile('created-3', OBJECT_CREATED)}`;
    expectUsageError(await run([dir, '--event', file, '--input', '{}']), /--event and --input: give one/);
    expectUsageError(await run([dir, '--event', file, '--resume', 'x']), /--event does not go with --resume/);
    expectUsageError(await run([dir, '--trigger', '1']), /--trigger chooses the trigger an --event starts/);
    expectUsageError(await run([dir, '--event', '{"source": ']), /--event is not valid JSON/);
    const plain = writeWorkflowDirectory(scratch(), 'plain', { 'workflow.yaml': 'name: plain\ntasks:\n  a:\n    file: tasks/a.py\n', 'tasks/a.py': '' });
    expectUsageError(await run([plain, '--event', file]), /--event: workflow plain has no triggers/);
  });
});

describe('ork run --scheduled-time', () => {
  it('a date is midnight in the schedule time zone, combined with --input', async () => {
    const dir = workflow('scheduled', S3_TRIGGER);
    const result = await runWorkflowCli<EchoSummary>(dir, path.join(scratch(), 'runs'), [
      '--input',
      '{"key": "incoming/", "bucket": "b"}',
      '--scheduled-time',
      '2026-07-01',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.outputs.echo.params).toEqual({ key: 'incoming/', bucket: 'b', mode: 'full', scheduled_time: '2026-06-30T22:00:00Z' });
  });

  it('a time that is not one, or a scheduled_time given twice differently: exit 2', async () => {
    const dir = workflow('scheduled-bad', S3_TRIGGER);
    expectUsageError(
      await run([dir, '--input', '{"key": "k", "bucket": "b"}', '--scheduled-time', 'tomorrow']),
      /^ork: error: --scheduled-time: 'tomorrow' is not a date or date-time$/,
    );
    expectUsageError(
      await run([dir, '--input', '{"key": "k", "bucket": "b", "scheduled_time": "2026-01-01T00:00:00Z"}', '--scheduled-time', '2026-01-02T00:00:00Z']),
      /give it once/,
    );
  });
});

import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backfillExecutionName, backfillOnAws } from '../../lib/cli/commands/backfill-aws.js';
import { printSummary } from '../../lib/cli/commands/backfill-report.js';
import { CloudError } from '../../lib/cloud/cloud-error.js';

/**
 * `ork backfill` on AWS with a fake Step Functions: at most --concurrency executions in flight, each followed to
 * its end, a failed one reported with its error and the redrive command, a refused start as not started.
 * (Against moto, with real names and reruns: test/cloud/backfill-parity.test.ts.)
 */

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:daily';

/** Executions that end after two polls each; the one of `failing` fails with a Lambda error, `refused` cannot start. */
class FakeStepFunctions {
  readonly inputs = new Map<string, unknown>();
  private readonly polls = new Map<string, number>();
  open = 0;
  peak = 0;

  constructor(
    private readonly failing: string,
    private readonly refused: string,
  ) {}

  start(_machine: string, input: unknown, name?: string): Promise<{ executionArn: string }> {
    if (name === this.refused) return Promise.reject(new CloudError('Throttled', 'start execution: AWS is limiting the rate of calls: Rate exceeded'));
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:daily:${name}`;
    this.inputs.set(executionArn, input);
    this.polls.set(executionArn, 0);
    this.peak = Math.max(this.peak, ++this.open);
    return Promise.resolve({ executionArn });
  }

  describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    const polls = (this.polls.get(executionArn) ?? 0) + 1;
    this.polls.set(executionArn, polls);
    const base = { $metadata: {}, executionArn, stateMachineArn: MACHINE, startDate: new Date(1000), input: JSON.stringify(this.inputs.get(executionArn)) };
    if (polls < 2) return Promise.resolve({ ...base, status: 'RUNNING' });
    this.open--;
    if (executionArn.endsWith(this.failing)) {
      return Promise.resolve({
        ...base,
        status: 'FAILED',
        stopDate: new Date(3500),
        error: 'ValueError',
        cause: JSON.stringify({ errorMessage: 'no data for that day', errorType: 'ValueError', stackTrace: ['  File "x.py"'] }),
      });
    }
    return Promise.resolve({ ...base, status: 'SUCCEEDED', stopDate: new Date(2000) });
  }
}

function printer(): { stream: PassThrough; color: false; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, color: false, text: () => text };
}

const TIMES = ['2026-01-01T06:00:00Z', '2026-01-02T06:00:00Z', '2026-01-03T06:00:00Z', '2026-01-04T06:00:00Z', '2026-01-05T06:00:00Z'];

describe('backfillOnAws', () => {
  it('keeps at most --concurrency in flight, follows each to its end, and reports a failure and a refused start', async () => {
    const sfn = new FakeStepFunctions(backfillExecutionName(TIMES[1]!), backfillExecutionName(TIMES[3]!));
    const out = printer();
    const outcomes = await backfillOnAws({
      sfn,
      stateMachineArn: MACHINE,
      times: TIMES.map((scheduledTime) => ({ scheduledTime, input: { mode: 'full', scheduled_time: scheduledTime } })),
      concurrency: 2,
      pollMs: 1,
      printer: out,
    });
    expect(sfn.peak).toBe(2);
    expect(outcomes.map((o) => [o.scheduledTime, o.status])).toEqual([
      [TIMES[0], 'SUCCEEDED'],
      [TIMES[1], 'FAILED'],
      [TIMES[2], 'SUCCEEDED'],
      [TIMES[3], 'NOT_STARTED'],
      [TIMES[4], 'SUCCEEDED'],
    ]);
    expect(outcomes[0]).toEqual({
      scheduledTime: TIMES[0],
      status: 'SUCCEEDED',
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:daily:backfill-20260101T060000Z`,
      executionName: 'backfill-20260101T060000Z',
      milliseconds: 1000,
    });
    expect(outcomes[1]).toMatchObject({ error: { error: 'ValueError', message: 'no data for that day' }, next: `ork redrive ${outcomes[1]!.executionArn}` });
    expect(outcomes[3]).toMatchObject({ error: { error: 'Throttled', message: 'start execution: AWS is limiting the rate of calls: Rate exceeded' } });
    expect([...sfn.inputs.values()]).toContainEqual({ mode: 'full', scheduled_time: TIMES[4] });

    printSummary(out, outcomes, true);
    const lines = out.text().trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('started'))).toHaveLength(4);
    expect(lines).toContain('FAILED      2026-01-02T06:00:00Z  backfill-20260102T060000Z in 2.5s  ValueError: no data for that day');
    expect(lines.slice(-6)).toEqual([
      '3 succeeded, 2 failed of 5 times',
      'failed:',
      '  2026-01-02T06:00:00Z  FAILED  ValueError: no data for that day',
      '    ork redrive arn:aws:states:us-east-1:123456789012:execution:daily:backfill-20260102T060000Z',
      '  2026-01-04T06:00:00Z  NOT_STARTED  Throttled: start execution: AWS is limiting the rate of calls: Rate exceeded',
      '  hint: ork redrive EXECUTION_ARN runs a failed execution again from where it failed',
    ]);
  });
});

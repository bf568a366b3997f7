import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { CloudError } from '../../lib/cloud/cloud-error.js';
import { waitForExecutionEnd } from '../../lib/cloud/execution-end.js';
import { executionArnOf, startNamedExecution, type NamedStarter } from '../../lib/cloud/start-named-execution.js';

/**
 * The idempotent start `ork backfill` makes per scheduled time, against a fake Step Functions that keeps
 * executions by name as AWS does: a second StartExecution of a name succeeds only while the first is open
 * with the identical input, and is ExecutionAlreadyExists otherwise (moto: always).
 */

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:daily';

interface FakeExecution {
  input: string;
  status: string;
}

class FakeStepFunctions implements NamedStarter {
  readonly executions = new Map<string, FakeExecution>();
  readonly calls: string[] = [];

  constructor(private readonly alwaysRefuseRepeats = false) {}

  start(stateMachineArn: string, input: unknown, name?: string): Promise<{ executionArn: string }> {
    this.calls.push(`start ${name}`);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const text = JSON.stringify(input);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (!this.alwaysRefuseRepeats && existing.status === 'RUNNING' && existing.input === text) return Promise.resolve({ executionArn });
      return Promise.reject(new CloudError('AlreadyExists', `start execution: Execution Already Exists: '${executionArn}'`));
    }
    this.executions.set(executionArn, { input: text, status: 'RUNNING' });
    return Promise.resolve({ executionArn });
  }

  describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    this.calls.push(`describe ${executionArn.split(':').pop()}`);
    const execution = this.executions.get(executionArn);
    if (!execution) return Promise.reject(new CloudError('NotFound', `describe execution: Execution Does Not Exist: '${executionArn}'`));
    return Promise.resolve({
      $metadata: {},
      executionArn,
      stateMachineArn: MACHINE,
      startDate: new Date(0),
      input: execution.input,
      status: execution.status as DescribeExecutionCommandOutput['status'],
    });
  }
}

const NAME = 'backfill-20260101T060000Z';
const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:daily:backfill-20260101T060000Z';
const INPUT = { mode: 'full', scheduled_time: '2026-01-01T06:00:00Z' };

describe('startNamedExecution', () => {
  it('starts a name not used before', async () => {
    const sfn = new FakeStepFunctions();
    expect(await startNamedExecution(sfn, MACHINE, NAME, INPUT)).toEqual({ outcome: 'started', executionArn: ARN });
    expect(sfn.calls).toEqual([`start ${NAME}`]);
    expect(sfn.executions.size).toBe(1);
  });

  it('a closed execution of that name and input is this start: nothing new, its status', async () => {
    const sfn = new FakeStepFunctions();
    await startNamedExecution(sfn, MACHINE, NAME, INPUT);
    sfn.executions.get(ARN)!.status = 'SUCCEEDED';
    expect(await startNamedExecution(sfn, MACHINE, NAME, INPUT)).toEqual({ outcome: 'existing', executionArn: ARN, status: 'SUCCEEDED' });
    expect(sfn.calls.slice(1)).toEqual([`start ${NAME}`, `describe ${NAME}`]);
    expect(sfn.executions.size).toBe(1);
  });

  it('the same input with its keys in another order is the same input', async () => {
    const sfn = new FakeStepFunctions();
    await startNamedExecution(sfn, MACHINE, NAME, INPUT);
    sfn.executions.get(ARN)!.status = 'FAILED';
    const reordered = { scheduled_time: INPUT.scheduled_time, mode: INPUT.mode };
    expect(await startNamedExecution(sfn, MACHINE, NAME, reordered)).toEqual({ outcome: 'existing', executionArn: ARN, status: 'FAILED' });
  });

  it('an open one refused as moto does (ExecutionAlreadyExists while running) is still this start', async () => {
    const sfn = new FakeStepFunctions(true);
    await startNamedExecution(sfn, MACHINE, NAME, INPUT);
    expect(await startNamedExecution(sfn, MACHINE, NAME, INPUT)).toEqual({ outcome: 'existing', executionArn: ARN, status: 'RUNNING' });
  });

  it('an execution of that name with another input is a conflict, and nothing starts', async () => {
    const sfn = new FakeStepFunctions();
    await startNamedExecution(sfn, MACHINE, NAME, { ...INPUT, mode: 'partial' });
    expect(await startNamedExecution(sfn, MACHINE, NAME, INPUT)).toEqual({
      outcome: 'conflict',
      executionArn: ARN,
      existingInput: { ...INPUT, mode: 'partial' },
    });
    expect(sfn.executions.size).toBe(1);
  });

  it('any other failure is thrown as it was', async () => {
    const refused = new CloudError('AccessDenied', 'start execution: access denied: no');
    const sfn: NamedStarter = { start: () => Promise.reject(refused), describe: () => Promise.reject(new Error('not called')) };
    await expect(startNamedExecution(sfn, MACHINE, NAME, INPUT)).rejects.toBe(refused);
  });
});

describe('executionArnOf', () => {
  it('builds the execution ARN from the state machine ARN and the name', () => {
    expect(executionArnOf(MACHINE, NAME)).toBe(ARN);
  });

  it('refuses what is not a state machine ARN', () => {
    expect(() => executionArnOf(ARN, NAME)).toThrow(expect.objectContaining({ code: 'InvalidArn' }));
  });
});

describe('waitForExecutionEnd', () => {
  it('polls DescribeExecution until the execution is no longer running, and gives its error', async () => {
    const statuses = ['RUNNING', 'PENDING_REDRIVE', 'FAILED'];
    let calls = 0;
    const end = await waitForExecutionEnd(
      {
        describe: (executionArn) => {
          const status = statuses[calls++] as DescribeExecutionCommandOutput['status'];
          return Promise.resolve({
            $metadata: {},
            executionArn,
            stateMachineArn: MACHINE,
            startDate: new Date(0),
            status,
            ...(status === 'FAILED' ? { error: 'States.TaskFailed', cause: 'boom' } : {}),
          });
        },
      },
      ARN,
      { intervalMs: 1 },
    );
    expect(calls).toBe(3);
    expect(end).toEqual({ status: 'FAILED', error: 'States.TaskFailed', cause: 'boom', startDate: new Date(0) });
  });
});

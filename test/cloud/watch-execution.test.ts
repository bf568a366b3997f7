import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { CloudError } from '../../lib/cloud/cloud-error.js';
import { watchExecution, type ExecutionReader, type ExecutionSnapshot, type WatchObserver } from '../../lib/cloud/watch-execution.js';
import type { DeployedWorkflow } from '../../lib/cloud/workflow-shape.js';

/**
 * watchExecution tells what it reads through a WatchObserver (the CLI draws it; lib/cloud draws nothing):
 * started with the first snapshot, polled with each later one, stopped once, when the execution ended or
 * a poll failed. Here against a fake reader whose execution runs for a given number of polls.
 */

const shape: DeployedWorkflow = { workflow: 'w', tasks: [{ name: 'a', stateName: 'a', stateNames: ['a'], mapStates: [], distributedMaps: [] }] };
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:w:x';

/** An execution RUNNING for `runningReads` describes, then SUCCEEDED; or failing the read after that. */
function reader(runningReads: number, fail?: Error): ExecutionReader & { reads: number } {
  const fake = {
    reads: 0,
    describe(): Promise<DescribeExecutionCommandOutput> {
      fake.reads++;
      if (fake.reads > runningReads && fail) return Promise.reject(fail);
      const status = fake.reads > runningReads ? 'SUCCEEDED' : 'RUNNING';
      return Promise.resolve({
        $metadata: {},
        executionArn: ARN,
        stateMachineArn: '',
        status,
        startDate: new Date(0),
        ...(status === 'SUCCEEDED' ? { output: '{"a":1}' } : {}),
      } as DescribeExecutionCommandOutput);
    },
    history(): Promise<HistoryEvent[]> {
      return Promise.resolve([]);
    },
    mapRunCounts(): Promise<never> {
      return Promise.reject(new Error('no map runs here'));
    },
  };
  return fake;
}

function recorder(): WatchObserver & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    started: (s: ExecutionSnapshot) => events.push(`started ${s.status}`),
    polled: (s: ExecutionSnapshot) => events.push(`polled ${s.status}`),
    stopped: () => events.push('stopped'),
  };
}

describe('watchExecution', () => {
  it('polls until the execution ends, telling the observer each snapshot', async () => {
    const observer = recorder();
    const result = await watchExecution(reader(2), ARN, shape, { intervalMs: 1, observer });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { a: 1 } });
    expect(observer.events).toEqual(['started RUNNING', 'polled RUNNING', 'polled SUCCEEDED', 'stopped']);
  });

  it('starts from the snapshot it is given, without reading it again', async () => {
    const fake = reader(0);
    const observer = recorder();
    const initial: ExecutionSnapshot = { status: 'SUCCEEDED', view: { tasks: new Map() } };
    expect(await watchExecution(fake, ARN, shape, { observer, initial })).toBe(initial);
    expect(fake.reads).toBe(0);
    expect(observer.events).toEqual(['started SUCCEEDED', 'stopped']);
  });

  it('a failed poll stops the observer and is thrown as it came', async () => {
    const refused = new CloudError('AccessDenied', 'describe execution: access denied: no');
    const observer = recorder();
    await expect(watchExecution(reader(1, refused), ARN, shape, { intervalMs: 1, observer })).rejects.toBe(refused);
    expect(observer.events).toEqual(['started RUNNING', 'stopped']);
  });

  it('needs no observer', async () => {
    expect((await watchExecution(reader(1), ARN, shape, { intervalMs: 1 })).status).toBe('SUCCEEDED');
  });
});

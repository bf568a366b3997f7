import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/cli-error.js';
import { exitCodeOfCloudError } from '../../lib/cli/cloud-exit-code.js';
import { executionProgress } from '../../lib/cli/progress/execution-progress.js';
import { CloudError, type CloudErrorCode } from '../../lib/cloud/cloud-error.js';
import { useFakeAwsEndpoint, type AwsAnswer } from '../support/fake-aws-endpoint.js';
import { runOrkInProcess as ork } from '../support/in-process-ork.js';

/**
 * The CLI maps lib/cloud's errors to exit codes: 2 only for what the command line named wrongly, 1 for AWS
 * refusing the call or being out of reach (an AccessDenied is not "invalid command line"). End to end, the
 * cloud commands run in this process against a fake Step Functions endpoint that answers every call with
 * the error a test chooses, as AWS's JSON protocol does.
 */

describe('exitCodeOfCloudError', () => {
  const expected: Record<CloudErrorCode, number> = {
    NotFound: 2,
    InvalidArn: 2,
    NotRedrivable: 2,
    AlreadyExists: 2,
    AccessDenied: 1,
    NoCredentials: 1,
    NoRegion: 1,
    Throttled: 1,
    Unreachable: 1,
    NotAnAwsAnswer: 1,
    InvalidDefinition: 1,
    Failed: 1,
  };
  for (const [code, exit] of Object.entries(expected) as [CloudErrorCode, number][]) {
    it(`${code} → exit ${exit}`, () => expect(exitCodeOfCloudError(new CloudError(code, 'x'))).toBe(exit));
  }
});

/** What the fake endpoint answers next: an AWS error (its __type and status), or a JSON body. */
let answer: AwsAnswer = { status: 200, body: {} };
const targets = useFakeAwsEndpoint(() => answer);

describe('cloud commands against an endpoint that refuses', () => {
  it('AccessDenied: one line with a hint, exit 1', async () => {
    answer = {
      status: 400,
      body: {
        __type: 'com.amazonaws.swf.base.model#AccessDeniedException',
        message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: states:ListStateMachines',
      },
    };
    const result = await ork(['start', 'orders']);
    expect(result.code, result.stderr).toBe(ExitCode.cloudFailed);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'ork: error: list state machines: access denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: states:ListStateMachines\n' +
        '  hint: check the permissions of your AWS identity (OrkWorkflow.grantStartExecution / grantRead)\n',
    );
    expect(targets.at(-1)).toBe('AWSStepFunctions.ListStateMachines');
  });

  it('AccessDenied on an execution (ork status): exit 1', async () => {
    answer = { status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized to perform: states:DescribeStateMachine' } };
    const result = await ork(['status', 'arn:aws:states:us-east-1:123456789012:execution:orders:x']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^ork: error: describe state machine: access denied: not authorized/);
  });

  it('Throttled: exit 1', async () => {
    answer = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    const result = await ork(['executions', 'orders']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^ork: error: list state machines: AWS is limiting the rate of calls: Rate exceeded\n {2}hint: try again in a moment\n$/);
  });

  it('a workflow name that names nothing is the command line: exit 2', async () => {
    answer = {
      status: 200,
      body: {
        stateMachines: [
          { name: 'orders-nightly', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders-nightly', type: 'STANDARD', creationDate: 0 },
        ],
      },
    };
    const result = await ork(['start', 'order']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe("ork: error: no state machine named 'order'\n  hint: did you mean 'orders-nightly'?\n");
  });

  it('an execution that does not exist: exit 2', async () => {
    answer = { status: 400, body: { __type: 'StateMachineDoesNotExist', message: 'State Machine Does Not Exist: orders' } };
    const result = await ork(['status', 'arn:aws:states:us-east-1:123456789012:execution:orders:x']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe('ork: error: describe state machine: State Machine Does Not Exist: orders\n');
  });

  it('not an execution ARN, and an unknown option, stay invalid command lines: exit 2, no call made', async () => {
    const before = targets.length;
    expect((await ork(['status', 'not-an-arn'])).code).toBe(2);
    const unknown = await ork(['start', 'orders', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ork: error: start: Unknown option '--bogus'/);
    expect(targets.length).toBe(before);
  });
});

describe('executionProgress', () => {
  it('draws the snapshots a watch reports, as ork run draws its progress', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const shape = { workflow: 'orders', tasks: [{ name: 'fetch', stateName: 'fetch', stateNames: ['fetch'], mapStates: [], distributedMaps: [] }] };
    const observer = executionProgress(shape, { stream, color: false, live: false });
    const stats = (succeeded: number, running: number) => ({
      instances: 1,
      succeeded,
      failed: 0,
      retried: 0,
      running,
      peakRunning: 1,
      firstStart: 0,
      lastEnd: 1000,
    });
    observer.started?.({ status: 'RUNNING', view: { tasks: new Map([['fetch', stats(0, 1)]]) } });
    observer.polled?.({ status: 'RUNNING', view: { tasks: new Map([['fetch', stats(0, 1)]]) } });
    observer.polled?.({ status: 'SUCCEEDED', view: { tasks: new Map([['fetch', stats(1, 0)]]) } });
    observer.stopped?.();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('running orders (1 tasks)');
    expect(lines[1]).toMatch(/^▸ fetch {2}running /);
    expect(lines.at(-1)).toMatch(/^✓ fetch {2}succeeded 1\.0s$/);
  });

  it('a watch that failed before it started draws nothing', () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    executionProgress({ workflow: 'orders', tasks: [] }, { stream, color: false, live: false }).stopped?.();
    expect(text).toBe('');
  });
});

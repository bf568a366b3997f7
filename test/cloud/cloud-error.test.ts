import { describe, expect, it } from 'vitest';
import { aws, describeAwsError } from '../../lib/cloud/aws-error.js';
import { CloudError, type CloudErrorCode } from '../../lib/cloud/cloud-error.js';
import { stateMachineOfExecution } from '../../lib/cloud/step-functions.js';

/**
 * lib/cloud's own error: every failure of an AWS call becomes a CloudError whose code says what kind of
 * failure it was, with one line of message and the SDK's error kept as its cause. (The CLI maps the codes
 * to exit codes: test/cli/cloud-errors.test.ts.)
 */

/** An error shaped as the AWS SDK v3 throws them: a name, a message, the HTTP status in $metadata. */
function sdkError(name: string, message: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $metadata: status === undefined ? {} : { httpStatusCode: status } }, extra);
  return error;
}

describe('describeAwsError', () => {
  const cases: [string, Error, CloudErrorCode, RegExp][] = [
    [
      'AccessDeniedException',
      sdkError('AccessDeniedException', 'User: arn:aws:iam::1:user/x is not authorized to perform: states:StartExecution', 400),
      'AccessDenied',
      /^start execution: access denied: User: .* is not authorized/,
    ],
    [
      'an unrecognised key',
      sdkError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400),
      'AccessDenied',
      /access denied/,
    ],
    ['any HTTP 403', sdkError('Forbidden', 'forbidden', 403), 'AccessDenied', /access denied: forbidden$/],
    [
      'no credentials',
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      'NoCredentials',
      /^start execution: no AWS credentials found$/,
    ],
    ['no region', sdkError('Error', 'Region is missing'), 'NoRegion', /^start execution: no AWS region set$/],
    ['throttling', sdkError('ThrottlingException', 'Rate exceeded', 400), 'Throttled', /rate of calls: Rate exceeded$/],
    [
      'a missing execution',
      sdkError('ExecutionDoesNotExist', 'Execution Does Not Exist: x', 400),
      'NotFound',
      /^start execution: Execution Does Not Exist: x$/,
    ],
    ['a missing function', sdkError('ResourceNotFoundException', 'Function not found', 404), 'NotFound', /Function not found/],
    [
      'a name already taken',
      sdkError('ExecutionAlreadyExists', 'Execution Already Exists: arn:x', 400),
      'AlreadyExists',
      /^start execution: Execution Already Exists: arn:x$/,
    ],
    ['not redrivable', sdkError('ExecutionNotRedrivable', 'too old', 400), 'NotRedrivable', /cannot be redriven: too old$/],
    [
      'a refused connection',
      sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:1', undefined, { code: 'ECONNREFUSED' }),
      'Unreachable',
      /cannot reach the Step Functions endpoint \(connect ECONNREFUSED/,
    ],
    [
      'an HTML answer',
      sdkError('Error', 'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.\nmore', 500),
      'NotAnAwsAnswer',
      /answered HTTP 500, which is not an AWS API answer$/,
    ],
    ['anything else', sdkError('InvalidName', 'Invalid Name: "a b"', 400), 'Failed', /^start execution: InvalidName: Invalid Name: "a b"$/],
  ];
  for (const [what, error, code, message] of cases) {
    it(`${what} → ${code}, one line, the SDK's error as cause`, () => {
      const described = describeAwsError(error, 'start execution');
      expect(described).toBeInstanceOf(CloudError);
      expect(described.name).toBe('CloudError');
      expect(described.code).toBe(code);
      expect(described.message).toMatch(message);
      expect(described.message).not.toContain('\n');
      expect(described.cause).toBe(error);
    });
  }

  it('says what to do where there is something to do', () => {
    expect(describeAwsError(sdkError('AccessDeniedException', 'no', 400), 'x').hint).toMatch(/permissions of your AWS identity/);
    expect(describeAwsError(sdkError('CredentialsProviderError', 'none'), 'x').hint).toMatch(/AWS_PROFILE/);
    expect(describeAwsError(sdkError('InvalidName', 'bad', 400), 'x').hint).toBeUndefined();
  });
});

describe('aws()', () => {
  it('passes a result through and turns a failure into a CloudError that keeps it', async () => {
    expect(await aws('list executions', () => Promise.resolve(3))).toBe(3);
    const refused = sdkError('AccessDeniedException', 'not authorized', 400);
    const thrown = await aws('list executions', () => Promise.reject(refused)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(CloudError);
    expect(thrown).toMatchObject({ code: 'AccessDenied', message: 'list executions: access denied: not authorized', cause: refused });
  });
});

describe('stateMachineOfExecution', () => {
  it('reads the state machine of an execution ARN', () => {
    expect(stateMachineOfExecution('arn:aws:states:eu-west-1:123456789012:execution:orders:run-1')).toBe(
      'arn:aws:states:eu-west-1:123456789012:stateMachine:orders',
    );
  });

  it('refuses what is not an execution ARN with InvalidArn', () => {
    for (const arn of ['not-an-arn', 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders']) {
      expect(() => stateMachineOfExecution(arn)).toThrow(
        expect.objectContaining({ name: 'CloudError', code: 'InvalidArn', message: `'${arn}' is not an execution ARN` }),
      );
    }
  });
});

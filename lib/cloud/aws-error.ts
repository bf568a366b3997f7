import { CloudError } from './cloud-error.js';

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

/**
 * One clear line for what AWS (or the network) answered, never a stack: credentials, permissions, a
 * missing state machine or execution, an unreachable endpoint. The SDK's error stays the cause.
 */
export function describeAwsError(error: unknown, what: string): CloudError {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  // The SDK's messages may run over several lines (a deserialization error adds a line about
  // `$response`): only the first is kept, so that the error stays one line.
  const message = (e.message ?? String(error)).split('\n')[0]!.trim();
  const status = e.$metadata?.httpStatusCode;
  const cause = error;
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new CloudError('NoCredentials', `${what}: no AWS credentials found`, {
      hint: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      cause,
    });
  }
  if (/region is missing/i.test(message))
    return new CloudError('NoRegion', `${what}: no AWS region set`, { hint: 'set AWS_REGION (or a region in your AWS profile)', cause });
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException' || status === 403) {
    return new CloudError('AccessDenied', `${what}: access denied: ${message}`, {
      hint: 'check the permissions of your AWS identity (OrkWorkflow.grantStartExecution / grantRead)',
      cause,
    });
  }
  if (THROTTLED.has(name))
    return new CloudError('Throttled', `${what}: AWS is limiting the rate of calls: ${message}`, { hint: 'try again in a moment', cause });
  if (/DoesNotExist|NotFound/.test(name)) return new CloudError('NotFound', `${what}: ${message}`, { cause });
  if (name === 'ExecutionAlreadyExists')
    return new CloudError('AlreadyExists', `${what}: ${message}`, { hint: 'an execution name can be used once per state machine', cause });
  if (name === 'ExecutionNotRedrivable') return new CloudError('NotRedrivable', `${what}: this execution cannot be redriven: ${message}`, { cause });
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|getaddrinfo|socket hang up/.test(message)) {
    return new CloudError('Unreachable', `${what}: cannot reach the Step Functions endpoint (${message})`, {
      hint: 'check AWS_ENDPOINT_URL / AWS_REGION and your network',
      cause,
    });
  }
  // An answer the SDK could not read as an AWS error (an HTML error page, say from an emulator that lacks
  // the action): the status says more than the parser's complaint about the body.
  if (status !== undefined && /Deserialization error/.test(e.message ?? '')) {
    return new CloudError('NotAnAwsAnswer', `${what}: the endpoint answered HTTP ${status}, which is not an AWS API answer`, {
      hint: 'check AWS_ENDPOINT_URL: an emulator may not implement this action',
      cause,
    });
  }
  return new CloudError('Failed', `${what}: ${name ? `${name}: ` : ''}${message}`, { cause });
}

/** Runs an AWS call and turns its failure into one clear line. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, what);
  }
}

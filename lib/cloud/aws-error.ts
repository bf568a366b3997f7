import { UsageError } from '../cli/cli-error.js';

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * One clear line for what AWS (or the network) answered, never a stack: credentials, permissions, a
 * missing state machine or execution, an unreachable endpoint.
 */
export function describeAwsError(error: unknown, what: string): UsageError {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  // The SDK's messages may run over several lines (a deserialization error adds a line about
  // `$response`): only the first is kept, so that the error stays one line.
  const message = (e.message ?? String(error)).split('\n')[0]!.trim();
  const status = e.$metadata?.httpStatusCode;
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new UsageError(`${what}: no AWS credentials found`, 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
  }
  if (/region is missing|Region is missing/i.test(message)) return new UsageError(`${what}: no AWS region set`, 'set AWS_REGION (or a region in your AWS profile)');
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException' || e.$metadata?.httpStatusCode === 403) {
    return new UsageError(`${what}: access denied: ${message}`, 'check the permissions of your AWS identity (OrkWorkflow.grantStartExecution / grantRead)');
  }
  if (/DoesNotExist|NotFound/.test(name)) return new UsageError(`${what}: ${message}`);
  if (name === 'ExecutionNotRedrivable') return new UsageError(`${what}: this execution cannot be redriven: ${message}`);
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED|ENOTFOUND|getaddrinfo|socket hang up/.test(message)) {
    return new UsageError(`${what}: cannot reach the Step Functions endpoint (${message})`, 'check AWS_ENDPOINT_URL / AWS_REGION and your network');
  }
  // An answer the SDK could not read as an AWS error (an HTML error page, say from an emulator that lacks
  // the action): the status says more than the parser's complaint about the body.
  if (status !== undefined && /Deserialization error/.test(e.message ?? '')) {
    return new UsageError(`${what}: the endpoint answered HTTP ${status}, which is not an AWS API answer`, 'check AWS_ENDPOINT_URL: an emulator may not implement this action');
  }
  return new UsageError(`${what}: ${name ? `${name}: ` : ''}${message}`);
}

/** Runs an AWS call and turns its failure into one clear line. */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, what);
  }
}

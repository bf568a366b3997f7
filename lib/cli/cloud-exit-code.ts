import type { CloudError } from '../cloud/cloud-error.js';
import { ExitCode } from './cli-error.js';

/**
 * The exit code of a cloud command that failed with `error`. Exit 2 says "fix what you typed", so it is kept
 * for what the command line named wrongly: a workflow or execution that does not exist, an ARN of the wrong
 * kind, an execution that cannot be redriven, an execution name already taken. Everything else is AWS
 * refusing the call or not being reachable, which no change to the command line fixes: exit 1.
 */
export function exitCodeOfCloudError(error: CloudError): number {
  switch (error.code) {
    case 'NotFound':
    case 'InvalidArn':
    case 'NotRedrivable':
    case 'AlreadyExists':
      return ExitCode.invalid;
    case 'NoCredentials':
    case 'NoRegion':
    case 'AccessDenied':
    case 'Throttled':
    case 'Unreachable':
    case 'NotAnAwsAnswer':
    case 'InvalidDefinition':
    case 'Failed':
      return ExitCode.cloudFailed;
  }
}

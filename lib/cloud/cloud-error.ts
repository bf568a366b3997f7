/**
 * What went wrong when asking AWS, as data: `code` says which kind of failure it was, so that a caller (the
 * CLI maps codes to exit codes) decides what it means without parsing messages. lib/cloud throws only
 * this; it knows nothing of command lines or exit codes.
 */
export type CloudErrorCode =
  /** No credentials in the environment, profile or instance metadata. */
  | 'NoCredentials'
  /** No region set. */
  | 'NoRegion'
  /** AWS refused the identity this call (IAM, an unrecognised or expired key). */
  | 'AccessDenied'
  /** AWS kept refusing the call's rate after the SDK's retries. */
  | 'Throttled'
  /** The endpoint could not be reached (refused connection, unknown host). */
  | 'Unreachable'
  /** The endpoint answered something that is not an AWS API answer (an emulator without the action). */
  | 'NotAnAwsAnswer'
  /** What was named (a state machine, an execution) does not exist. */
  | 'NotFound'
  /** What was given is not what was asked for: a state machine ARN where an execution ARN belongs. */
  | 'InvalidArn'
  /** The execution cannot be redriven (it succeeded, is running, or is past what RedriveExecution allows). */
  | 'NotRedrivable'
  /** An execution of that name exists already (StartExecution's ExecutionAlreadyExists). */
  | 'AlreadyExists'
  /** A state machine whose definition cannot be read as one. */
  | 'InvalidDefinition'
  /** Any other error AWS answered. */
  | 'Failed';

export interface CloudErrorOptions {
  /** What to do about it, in a few words. */
  readonly hint?: string;
  /** The SDK's error (or other thrown value) this one describes: kept, never lost. */
  readonly cause?: unknown;
}

/** A failed call to AWS, in one line (`message`), with what kind of failure it was (`code`). */
export class CloudError extends Error {
  override readonly name = 'CloudError';
  readonly hint: string | undefined;

  constructor(
    readonly code: CloudErrorCode,
    message: string,
    options: CloudErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

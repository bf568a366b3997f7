/** Exit codes of every ork command. */
export const ExitCode = {
  ok: 0,
  /** The workflow ran and failed. */
  workflowFailed: 1,
  /**
   * AWS refused a call or could not be asked (access denied, no credentials, throttled, unreachable): the
   * command line was right, so not 2, which tells the user to fix what they typed.
   */
  cloudFailed: 1,
  /** The workflow or the command line is invalid. */
  invalid: 2,
  /** A bug in ork: reported in one line, with the stack only under ORK_DEBUG=1. */
  internal: 70,
} as const;

/** A problem with what the user typed: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

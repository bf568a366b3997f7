/**
 * Errors of Ork's deploy side that a user can cause (a runtime the local index lacks, a context value that
 * names no runtime): their message is the whole story, and `cdk synth` prints it as one line.
 */
export class OrkDeployError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * The line to print for an error thrown at synth. CDK wraps an error thrown while bundling an asset in its
 * own ("Failed to bundle asset <path>, bundle output is located at <dir>: <Name>: <message>"): the Ork
 * error inside it is what the user needs, so it is unwrapped.
 */
export function synthErrorLine(error: unknown): string {
  if (error instanceof OrkDeployError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = /: (\w+Error): ([\s\S]*)$/.exec(message);
  if (wrapped && ORK_DEPLOY_ERROR_NAMES.has(wrapped[1]!)) return wrapped[2]!.trim();
  return message.trim();
}

/** Names of OrkDeployError subclasses, registered by each (so synthErrorLine recognises them wrapped). */
const ORK_DEPLOY_ERROR_NAMES = new Set<string>();

export function registerDeployError(name: string): void {
  ORK_DEPLOY_ERROR_NAMES.add(name);
}

import { mask } from './masking.js';

/**
 * Failures a task instance can end with. Step Functions matches Retry and Catch on the error name, which
 * the Lambda Node.js runtime takes from `error.name`; Ork's own errors have dotted names so they cannot
 * collide with a user's, exactly as in the Python SDK.
 */
export class OrkError extends Error {
  readonly retryable: boolean = true;

  constructor(name: string, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = name;
    if (options?.retryable !== undefined) this.retryable = options.retryable;
  }
}

export const InputValidationError = (message: string, cause?: unknown): OrkError =>
  new OrkError('Ork.InputValidationError', message, { cause, retryable: false });
export const OutputValidationError = (message: string, cause?: unknown): OrkError =>
  new OrkError('Ork.OutputValidationError', message, { cause, retryable: false });
export const InvalidPayloadError = (message: string): OrkError => new OrkError('Ork.InvalidPayload', message, { retryable: false });
export const TaskDefinitionError = (message: string, cause?: unknown): OrkError =>
  new OrkError('Ork.TaskDefinitionError', message, { cause, retryable: false });
export const ProtocolError = (message: string): OrkError => new OrkError('Ork.ProtocolError', message, { retryable: false });
export const PayloadStoreError = (message: string, cause?: unknown): OrkError => new OrkError('Ork.PayloadStoreError', message, { cause });
/** A secret the task reads does not exist in Secrets Manager or SSM Parameter Store (or, locally, has no value). */
export const SecretNotFoundError = (message: string): OrkError => new OrkError('Ork.SecretNotFound', message, { retryable: false });
/** The task's role may not read a secret, or its KMS key may not be used to decrypt it. */
export const SecretAccessDeniedError = (message: string): OrkError => new OrkError('Ork.SecretAccessDenied', message, { retryable: false });
/** The task read a secret that its `secrets:` in workflow.yaml does not list. */
export const SecretNotDeclaredError = (message: string): OrkError => new OrkError('Ork.SecretNotDeclared', message, { retryable: false });
/** A payload reference in the data points outside this execution's own payload store (docs/payload.md). */
export const ForeignReferenceError = (message: string): OrkError => new OrkError('Ork.ForeignReference', message, { retryable: false });

export interface Failure {
  readonly type: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly traceback: string;
}

/** The error name Step Functions sees: `error.name` (`TypeError`, `Ork.InputValidationError`, a custom class's name). */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? error.name : error.constructor.name || 'Error';
  return 'Error';
}

/** Name, message, whether to retry, and the whole stack with every cause; a secret value read (ctx.secrets) masked. */
export function describeFailure(error: unknown): Failure {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('The above error was caused by:');
  }
  return {
    type: errorName(error),
    message: mask(error instanceof Error ? error.message : String(error)),
    retryable: error instanceof OrkError ? error.retryable : true,
    traceback: mask(parts.join('\n')),
  };
}

/**
 * The error as the Lambda runtime will report it, its message and stack masked in place when they hold a
 * secret value: the runtime sends `error.message` (and the stack) as the cause Step Functions records.
 */
export function maskError(error: unknown): void {
  if (!(error instanceof Error)) return;
  const message = mask(error.message);
  if (message !== error.message) error.message = message;
  if (error.stack !== undefined) {
    const stack = mask(error.stack);
    if (stack !== error.stack) error.stack = stack;
  }
}

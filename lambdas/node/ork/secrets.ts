/**
 * `ctx.secrets`: the Secrets Manager secrets and SSM parameters a task declares in `secrets:`, as in the
 * Python SDK (secrets.py). `await ctx.secrets.get(name)` is the secret's text, `await ctx.secrets.json(name)`
 * its JSON. A name is read on first use: the AWS SDK clients (@aws-sdk/client-secrets-manager,
 * @aws-sdk/client-ssm) are imported then, chunks of their own in the deployed bundle, so a cold start of a
 * task without secrets does not load them. A reference is a Secrets Manager name (`prod/warehouse`), an SSM
 * parameter path (leading `/`, read WithDecryption), or the ARN of either; the names the task may read are
 * ORK_SECRETS (a JSON list set by the deploy construct and `ork run`), any other is `Ork.SecretNotDeclared`.
 *
 * Values are cached per process (a warm Lambda environment keeps them) for ORK_SECRETS_TTL_SECONDS
 * (default 300; 0 reads the service every time). Locally, `ork run` hands the worker the invoked task's
 * values with each request (setLocalSecrets), and AWS is never called. Every value handed out is
 * registered with masking.ts.
 */
import { Environment } from '../../contract/contract.js';
import { OrkError, SecretAccessDeniedError, SecretNotDeclaredError, SecretNotFoundError } from './errors.js';
import { registerSecret } from './masking.js';

export const DEFAULT_TTL_SECONDS = 300;

/** One secret of a local worker request (docs/worker-protocol.md): its value, or why there is none. */
export type LocalSecret = { readonly value: string } | { readonly missing: string };

/**
 * Error codes of GetSecretValue and GetParameter that are final: retrying the same call cannot succeed.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html#API_GetSecretValue_Errors
 * (ResourceNotFoundException; InvalidRequestException: the secret is scheduled for deletion; DecryptionFailure:
 * the KMS key cannot decrypt it) and
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors
 * (ParameterNotFound, ParameterVersionNotFound, InvalidKeyId); AccessDeniedException is either service's
 * (and KMS's, which both pass on) refusal of the role.
 */
const NOT_FOUND_CODES = new Set(['ResourceNotFoundException', 'InvalidRequestException', 'ParameterNotFound', 'ParameterVersionNotFound']);
const ACCESS_DENIED_CODES = new Set(['AccessDeniedException', 'AccessDenied', 'DecryptionFailure', 'InvalidKeyId', 'KMSAccessDeniedException']);

const SSM_ARN = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter\//;

export type SecretService = 'secretsmanager' | 'ssm';

/** `ssm` for a parameter path or ARN, `secretsmanager` for anything else. */
export function serviceOf(name: string): SecretService {
  return name.startsWith('/') || SSM_ARN.test(name) ? 'ssm' : 'secretsmanager';
}

/** The names ORK_SECRETS lists (none when it is unset). */
export function declaredSecrets(): readonly string[] {
  const raw = process.env[Environment.secrets];
  if (!raw) return [];
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    throw new OrkError('Ork.Error', `${Environment.secrets} must be a JSON list of secret names, got ${JSON.stringify(raw.slice(0, 200))}`, {
      retryable: false,
    });
  }
  return names as string[];
}

function ttlSeconds(): number {
  const raw = process.env[Environment.secretsTtlSeconds];
  if (raw === undefined || raw.trim() === '') return DEFAULT_TTL_SECONDS;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? Math.max(0, seconds) : DEFAULT_TTL_SECONDS;
}

/** What the service reads need of an AWS SDK client; a test may set its own (setSecretsClient). */
export interface SecretsClient {
  read(service: SecretService, name: string): Promise<string>;
}

interface AwsError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

class AwsSecretsClient implements SecretsClient {
  private secretsManager: Promise<(name: string) => Promise<string>> | undefined;
  private ssm: Promise<(name: string) => Promise<string>> | undefined;

  read(service: SecretService, name: string): Promise<string> {
    return service === 'ssm' ? this.readParameter(name) : this.readSecret(name);
  }

  private async readSecret(name: string): Promise<string> {
    this.secretsManager ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient, GetSecretValueCommand }) => {
      const client = new SecretsManagerClient({});
      return async (secretId: string) => {
        const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        if (response.SecretString !== undefined) return response.SecretString;
        // A binary secret is read as UTF-8 text.
        return Buffer.from(response.SecretBinary ?? new Uint8Array()).toString('utf8');
      };
    });
    return (await this.secretsManager)(name);
  }

  private async readParameter(name: string): Promise<string> {
    this.ssm ??= import('@aws-sdk/client-ssm').then(({ SSMClient, GetParameterCommand }) => {
      const client = new SSMClient({});
      return async (parameter: string) => {
        const response = await client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
        return response.Parameter?.Value ?? '';
      };
    });
    return (await this.ssm)(name);
  }
}

let client: SecretsClient | undefined;
const cache = new Map<string, { readonly value: string; readonly readAt: number }>();
let local: ReadonlyMap<string, LocalSecret> | undefined;

/** For tests: the client the service reads go through (undefined: the AWS SDK's). Clears the cache. */
export function setSecretsClient(replacement: SecretsClient | undefined): void {
  client = replacement;
  cache.clear();
}

/**
 * The values `ork run` sent with the request in progress (docs/worker-protocol.md, `secrets`): no AWS call, no
 * cache. The worker sets them before each invocation and `undefined` after it (a request without the field
 * leaves the AWS path in place). Not scoped to the invocation's promise: a task's stray failure ends the
 * invocation while its promise may still be pending, and the next request must not see its values.
 */
export function setLocalSecrets(entries: ReadonlyMap<string, LocalSecret> | undefined): void {
  local = entries;
}

function where(service: SecretService): string {
  return service === 'ssm' ? 'SSM Parameter Store' : 'Secrets Manager';
}

async function fetchSecret(name: string): Promise<string> {
  const service = serviceOf(name);
  try {
    return await (client ??= new AwsSecretsClient()).read(service, name);
  } catch (error) {
    const failure = (error ?? {}) as AwsError;
    const code = typeof failure.name === 'string' ? failure.name : '';
    const message = typeof failure.message === 'string' && failure.message ? failure.message.slice(0, 300) : 'no message';
    // AWS's messages name the secret, never its value.
    if (NOT_FOUND_CODES.has(code)) throw SecretNotFoundError(`secret '${name}' cannot be read from ${where(service)}: ${code}: ${message}`);
    // HTTP 403 is a refusal whatever its code (a service behind a proxy may not send a JSON error body).
    if (ACCESS_DENIED_CODES.has(code) || failure.$metadata?.httpStatusCode === 403) {
      throw SecretAccessDeniedError(
        `secret '${name}' cannot be read from ${where(service)}: ${code}: ${message}. The task's role is granted the secrets its secrets: lists ` +
          "(and kms:Decrypt through that service); a secret encrypted with a customer managed key also needs that key's policy to allow the role",
      );
    }
    throw error;
  }
}

/** The value of a declared secret: the local request's, the cache's while it is fresh, else the service's. */
export async function readSecret(name: string, task: string): Promise<string> {
  if (typeof name !== 'string') throw new TypeError(`a secret name is a string, got ${typeof name}`);
  const declared = declaredSecrets();
  if (!declared.includes(name)) {
    throw SecretNotDeclaredError(
      `task '${task}' read secret '${name}', which its secrets: does not list (it lists: ${declared.length > 0 ? declared.join(', ') : 'none'}). ` +
        "Add it to the task's secrets: in workflow.yaml: the task's role may read only those",
    );
  }
  let value: string;
  if (local !== undefined) {
    const entry = local.get(name);
    if (entry === undefined || !('value' in entry)) {
      throw SecretNotFoundError(`secret '${name}' has no local value${entry ? `: ${entry.missing}` : ''}`);
    }
    value = entry.value;
  } else {
    const ttl = ttlSeconds() * 1000;
    const cached = cache.get(name);
    const now = Date.now();
    if (cached && ttl > 0 && now - cached.readAt < ttl) {
      value = cached.value;
    } else {
      value = await fetchSecret(name);
      if (ttl > 0) cache.set(name, { value, readAt: now });
      else cache.delete(name);
    }
  }
  registerSecret(value);
  return value;
}

/**
 * `ctx.secrets`: `await ctx.secrets.get(name)` is the secret's text, `await ctx.secrets.json(name)` parses it.
 * `name` is written as in `secrets:`. Errors: `Ork.SecretNotDeclared`, `Ork.SecretNotFound`,
 * `Ork.SecretAccessDenied`, none retried.
 */
export class Secrets {
  constructor(private readonly task: string) {}

  get(name: string): Promise<string> {
    return readSecret(name, this.task);
  }

  async json<T = unknown>(name: string): Promise<T> {
    const text = await readSecret(name, this.task);
    try {
      return JSON.parse(text) as T;
    } catch {
      // The parser's message quotes the text around the error: none of it is kept.
      throw new SyntaxError(`secret '${name}' is not JSON`);
    }
  }

  /** The names the task may read (its `secrets:`). */
  get declared(): readonly string[] {
    return declaredSecrets();
  }
}

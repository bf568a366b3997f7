import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TaskManifestEntry } from '../../compiler/index.js';
import type { WorkerSecret } from './protocol-worker.js';

/**
 * The values of secrets for `ork run` (docs/local-engine.md, "Secrets"): where AWS has Secrets Manager and SSM,
 * the local engine has a JSON file, `<workflow dir>/.ork/secrets.json` or `--secrets FILE`
 * (`{ "prod/warehouse": "…" or {…}, "/ork/api-token": "…" }`), and environment variables
 * `ORK_SECRET_<NAME>` (secretEnvName), which win over the file. A task's worker gets only that task's
 * declared secrets, with each request (docs/worker-protocol.md, `secrets`); nothing of them is recorded.
 */

/** The default secrets file, relative to the workflow directory (`ork init`'s .gitignore covers `.ork/`). */
export const DEFAULT_SECRETS_FILE = path.join('.ork', 'secrets.json');

/** The prefix of the environment variables that give a secret's value (secretEnvName). */
export const SECRET_ENV_PREFIX = 'ORK_SECRET_';

/**
 * The environment variable of a secret: `ORK_SECRET_` and the name with every run of characters other than
 * letters and digits made one `_`, leading and trailing `_` dropped, upper-cased: `prod/warehouse` →
 * `ORK_SECRET_PROD_WAREHOUSE`, `/ork/api-token` → `ORK_SECRET_ORK_API_TOKEN`.
 */
export function secretEnvName(name: string): string {
  return (
    SECRET_ENV_PREFIX +
    name
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toUpperCase()
  );
}

/** The secrets file cannot be used: what is wrong with it, never what it holds. */
export class LocalSecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSecretsError';
  }
}

export interface LocalSecretsOptions {
  readonly workflowDir: string;
  /** `--secrets FILE` (relative to `cwd`): must exist. Default: DEFAULT_SECRETS_FILE in the workflow directory, if it exists. */
  readonly file?: string;
  readonly cwd?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The values a run may hand its tasks, read once when the run starts. */
export class LocalSecrets {
  private constructor(
    /** The file the values come from (absolute), whether or not it exists: hints name it. */
    readonly file: string,
    private readonly fromFile: ReadonlyMap<string, string>,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static load(options: LocalSecretsOptions): LocalSecrets {
    const file = options.file ? path.resolve(options.cwd ?? process.cwd(), options.file) : path.join(path.resolve(options.workflowDir), DEFAULT_SECRETS_FILE);
    if (options.file && !existsSync(file)) throw new LocalSecretsError(`secrets file ${file} does not exist`);
    return new LocalSecrets(file, existsSync(file) ? readSecretsFile(file) : new Map(), { ...options.env });
  }

  /** A secret's value: its environment variable's, else the file's; undefined when neither has one. */
  valueOf(name: string): string | undefined {
    return this.env[secretEnvName(name)] ?? this.fromFile.get(name);
  }

  /** What the worker is sent for a task: each of its declared secrets' value, or where to give one. */
  forTask(task: Pick<TaskManifestEntry, 'secrets'>): Record<string, WorkerSecret> {
    const entries: Record<string, WorkerSecret> = {};
    for (const { name } of task.secrets ?? []) {
      const value = this.valueOf(name);
      entries[name] =
        value !== undefined ? { value } : { missing: `add ${JSON.stringify(name)} to ${this.file}, or set the environment variable ${secretEnvName(name)}` };
    }
    return entries;
  }
}

/**
 * The file's values: a JSON object of names; a string is the secret's text, an object or a list its JSON
 * text (what Secrets Manager holds for a JSON secret: ctx.secrets.json reads it back), a number or a boolean
 * its JSON text; null is no value. No message quotes the file: it holds secrets.
 */
function readSecretsFile(file: string): Map<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // JSON.parse's message quotes the text around the mistake: only the file and that it is not JSON are said.
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new LocalSecretsError(`secrets file ${file} ${reason}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new LocalSecretsError(`secrets file ${file} must hold a JSON object of secret names to values`);
  }
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(data)) {
    if (value === null) continue;
    values.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return values;
}

/** The environment without any `ORK_SECRET_<NAME>`: a worker gets its task's secrets in requests, not others' in its environment. */
export function withoutSecretValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith(SECRET_ENV_PREFIX)));
}

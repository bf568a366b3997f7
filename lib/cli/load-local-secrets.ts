import type { TaskManifest } from '../../compiler/index.js';
import { LocalSecrets, LocalSecretsError } from '../local/local-secrets.js';
import { UsageError } from './cli-error.js';

/**
 * The values of the tasks' `secrets:` for a local run (`--secrets FILE`, or the workflow's .ork/secrets.json,
 * and ORK_SECRET_<NAME>), read before anything runs: a file that is missing when named, or is not a JSON object,
 * is a usage error (exit 2) rather than a failure halfway through. Undefined when no task declares a secret and
 * no file is named.
 */
export function loadLocalSecrets(
  manifest: TaskManifest,
  options: { readonly workflowDir: string; readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly file?: string },
): LocalSecrets | undefined {
  if (options.file === undefined && !manifest.tasks.some((task) => (task.secrets ?? []).length > 0)) return undefined;
  try {
    return LocalSecrets.load({
      workflowDir: options.workflowDir,
      cwd: options.cwd,
      env: options.env,
      ...(options.file !== undefined ? { file: options.file } : {}),
    });
  } catch (error) {
    if (error instanceof LocalSecretsError) throw new UsageError(error.message, 'it holds a JSON object of secret names to values: {"prod/warehouse": "…"}');
    throw error;
  }
}

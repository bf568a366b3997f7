import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { credentialKind } from '../credential-patterns.js';
import { everyTask, rawTask, type ValidationRule } from './validation-rule.js';

const HINT =
  'an env: value is written into the CloudFormation template and the function’s configuration: ' +
  'store it in Secrets Manager or SSM Parameter Store and list it under the task’s secrets: (docs/deploy.md, "Secrets")';

/** ORK252: an `env:` value that looks like a credential. The message names the variable, never the value. */
export const credentialEnvRule: ValidationRule = {
  name: 'credential-env',
  check(context) {
    const found: Diagnostic[] = [];
    const check = (env: unknown, at: readonly (string | number)[], owner: string): void => {
      if (env === null || typeof env !== 'object' || Array.isArray(env)) return;
      for (const [name, value] of Object.entries(env)) {
        const kind = typeof value === 'string' ? credentialKind(name, value) : undefined;
        if (kind === undefined) continue;
        const span = context.sourceMap.locate([...at, name]);
        found.push(makeDiagnostic(Codes.credentialInEnv, span, `${owner}: env '${name}' looks like a credential (${kind})`, HINT));
      }
    };
    const defaults = context.raw.defaults;
    if (defaults !== null && typeof defaults === 'object') check((defaults as Record<string, unknown>).env, ['defaults', 'env'], 'defaults');
    for (const { task, path } of everyTask(context.spec)) check(rawTask(context, path)?.env, [...path, 'env'], `task '${task.name}'`);
    return found;
  },
};

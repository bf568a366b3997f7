import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { everyTask, rawTask, type ValidationRule } from './validation-rule.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Lambda refuses these (reserved runtime variables); ORK_ is the runtime's own namespace. */
const RESERVED = /^(AWS_|LAMBDA_|ORK_|_HANDLER$|_X_AMZN_TRACE_ID$|TZ$|LANG$|PATH$|LD_LIBRARY_PATH$)/;

/** ORK219, ORK200: environment variable names are valid and not reserved by Lambda or Ork. */
export const environmentRule: ValidationRule = {
  name: 'environment',
  check(context) {
    const found: Diagnostic[] = [];
    const check = (env: unknown, at: readonly (string | number)[], owner: string): void => {
      if (env === null || typeof env !== 'object' || Array.isArray(env)) return;
      for (const key of Object.keys(env)) {
        const span = context.sourceMap.locate([...at, key], 'key');
        if (key === '__proto__') {
          // Valid for a shell, but the schema library drops this key, so the variable would silently vanish.
          found.push(makeDiagnostic(Codes.invalidValue, span, `${owner}: '__proto__' cannot be an environment variable name`, 'choose another name'));
        } else if (!NAME.test(key)) {
          found.push(makeDiagnostic(Codes.invalidValue, span, `${owner}: '${key}' is not a valid environment variable name`, 'use letters, digits and _'));
        } else if (RESERVED.test(key)) {
          found.push(makeDiagnostic(Codes.reservedEnv, span, `${owner}: environment variable '${key}' is reserved by the runtime`, 'choose another name'));
        }
      }
    };
    const defaults = context.raw.defaults;
    if (defaults !== null && typeof defaults === 'object') check((defaults as Record<string, unknown>).env, ['defaults', 'env'], 'defaults');
    for (const { task, path } of everyTask(context.spec)) check(rawTask(context, path)?.env, [...path, 'env'], `task '${task.name}'`);
    return found;
  },
};

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { secretNameProblem } from '../../model/index.js';
import { everyTask, type ValidationRule } from './validation-rule.js';

/**
 * ORK250, ORK251: each `secrets:` entry is a name Secrets Manager or Parameter Store would take (otherwise the
 * deploy would grant a role a name no secret can have, and the task would fail on first read), listed once.
 */
export const secretNamesRule: ValidationRule = {
  name: 'secret-names',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { task } of everyTask(context.spec)) {
      const listed = new Set<string>();
      for (const secret of task.secrets) {
        const invalid = secretNameProblem(secret.name);
        if (invalid)
          found.push(makeDiagnostic(Codes.invalidSecretName, secret.span, `task '${task.name}': secret '${secret.name}' ${invalid.problem}`, invalid.hint));
        if (listed.has(secret.name)) {
          found.push(makeDiagnostic(Codes.duplicateSecret, secret.span, `task '${task.name}' lists secret '${secret.name}' twice`, 'remove the duplicate'));
        }
        listed.add(secret.name);
      }
    }
    return found;
  },
};

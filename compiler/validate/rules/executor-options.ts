import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { LAMBDA_MAX_TIMEOUT_SECONDS } from '../../model/index.js';
import { formatSeconds } from '../units.js';
import { everyTask, rawTask, type ValidationRule } from './validation-rule.js';

const CONTAINER_ONLY = ['image', 'dockerfile', 'cpu', 'heartbeat'] as const;

/** ORK210, ORK213: Lambda's 15-minute limit, and settings that only containers have. */
export const executorOptionsRule: ValidationRule = {
  name: 'executor-options',
  check(context) {
    const found: Diagnostic[] = [];
    const hint = "use 'executor: container' (ECS Fargate) for long-running tasks, or split the work with parallel:/foreach:";
    // Tasks that inherit a too-long `defaults.timeout` share one diagnostic there, not one each at the same place.
    const inheritLongTimeout: string[] = [];
    let inheritedSeconds = 0;
    for (const { task, path } of everyTask(context.spec)) {
      const raw = rawTask(context, path) ?? {};
      if (task.executor !== 'container' && task.timeoutSeconds !== undefined && task.timeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
        if (raw.timeout !== undefined) {
          found.push(
            makeDiagnostic(
              Codes.lambdaTimeout,
              context.sourceMap.locate([...path, 'timeout']),
              `task '${task.name}': timeout ${formatSeconds(task.timeoutSeconds)} exceeds Lambda's 15-minute limit for executor '${task.executor}'`,
              hint,
            ),
          );
        } else {
          inheritLongTimeout.push(task.name);
          inheritedSeconds = task.timeoutSeconds;
        }
      }
      if (task.executor !== 'container') {
        for (const key of CONTAINER_ONLY) {
          if (raw[key] !== undefined) {
            found.push(
              makeDiagnostic(
                Codes.containerOnly,
                context.sourceMap.locate([...path, key], 'key'),
                `task '${task.name}': '${key}' applies only to container tasks, but executor is '${task.executor}'`,
                `set 'executor: container' or remove '${key}'`,
              ),
            );
          }
        }
      } else if (raw.image !== undefined && raw.dockerfile !== undefined) {
        found.push(
          makeDiagnostic(
            Codes.containerOnly,
            context.sourceMap.locate([...path, 'dockerfile'], 'key'),
            `task '${task.name}': give either 'image' or 'dockerfile', not both`,
          ),
        );
      }
    }
    if (inheritLongTimeout.length > 0) {
      const names = inheritLongTimeout.map((n) => `'${n}'`);
      const who =
        names.length === 1
          ? `task ${names[0]} inherits it`
          : `tasks ${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … (${names.length})` : ''} inherit it`;
      found.push(
        makeDiagnostic(
          Codes.lambdaTimeout,
          context.sourceMap.locate(['defaults', 'timeout']),
          `defaults: timeout ${formatSeconds(inheritedSeconds)} exceeds Lambda's 15-minute limit, and ${who} on Lambda`,
          `${hint}; or set a shorter timeout on those tasks`,
        ),
      );
    }
    return found;
  },
};

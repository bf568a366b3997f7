import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { ValidationRule } from './validation-rule.js';

/** States.ArrayRange returns at most 1,000 items. */
export const MAX_STATIC_FAN_OUT = 1000;

/** ORK217, ORK218: static fan-outs the compiled machine can serve; concurrency only where there is a fan-out. */
export const fanOutRule: ValidationRule = {
  name: 'fan-out',
  check({ spec, raw, sourceMap }) {
    const found: Diagnostic[] = [];
    for (const task of spec.tasks) {
      const parallel = task.fanOut?.parallel;
      if (parallel?.kind === 'static' && parallel.count > MAX_STATIC_FAN_OUT) {
        found.push(makeDiagnostic(Codes.fanOutTooLarge, parallel.span, `task '${task.name}': parallel: ${parallel.count} is above the ${MAX_STATIC_FAN_OUT} instances a fan-out supports for now`, `use at most ${MAX_STATIC_FAN_OUT}, or give each instance a share of the work`));
      }
      const rawTask = (raw.tasks as Record<string, Record<string, unknown>>)[task.name];
      if (rawTask?.concurrency !== undefined && rawTask.parallel === undefined && rawTask.foreach === undefined) {
        found.push(makeDiagnostic(Codes.concurrencyWithoutFanOut, sourceMap.locate(['tasks', task.name, 'concurrency'], 'key'), `task '${task.name}': concurrency has no effect without parallel: or foreach:`, 'remove it, or add parallel: or foreach:'));
      }
    }
    return found;
  },
};

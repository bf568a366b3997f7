import path from 'node:path';
import { Codes, didYouMean, makeDiagnostic, transposedMatch, type Diagnostic } from '../../diagnostics/index.js';
import { conditionReferences, type TaskSpec } from '../../model/index.js';
import type { CompilerHost } from '../compiler-host.js';
import { outputFields } from '../output-model/index.js';
import type { ValidationRule } from './validation-rule.js';

/** The fields of a task's output when its source says them plainly; read once per task. */
function fieldsOf(task: TaskSpec, host: CompilerHost): ReadonlySet<string> | undefined {
  if (!host.readFile) return undefined;
  const absolute = path.resolve(host.directory, task.file);
  const real = host.realpath(absolute);
  // A file outside the workflow directory is refused by the task-files rule; it is not read here.
  const relative = real === undefined ? '..' : path.relative(host.realpath(host.directory) ?? host.directory, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  const source = host.readFile(real ?? absolute);
  return source === undefined ? undefined : outputFields(task.executor, source);
}

/**
 * ORK315: a `when:` reading a field that the upstream's output model does not declare, when that model is
 * a plain pydantic class or a literal zod object (otherwise nothing is checked). Only the first segment of
 * the path: a nested model's fields are not read.
 */
export const conditionFieldsRule: ValidationRule = {
  name: 'condition-fields',
  check({ spec, host }) {
    const found: Diagnostic[] = [];
    const tasks = new Map(spec.tasks.map((t) => [t.name, t]));
    const known = new Map<string, ReadonlySet<string> | undefined>();
    for (const task of spec.tasks) {
      const condition = task.when?.condition;
      if (!condition) continue;
      for (const reference of conditionReferences(condition)) {
        if (reference.source.kind !== 'task') continue;
        const source = tasks.get(reference.source.task);
        // Unknown tasks, the task itself and fan-outs are the graph rules' to report.
        if (!source || source === task || source.fanOut) continue;
        if (!known.has(source.name)) known.set(source.name, fieldsOf(source, host));
        const fields = known.get(source.name);
        const field = reference.path[0];
        if (!fields || field === undefined || fields.has(field)) continue;
        const declared = [...fields].sort();
        const swapped = transposedMatch(field, declared);
        found.push(
          makeDiagnostic(
            Codes.conditionUnknownField,
            reference.span,
            `task '${task.name}': when: '${reference.text}' reads field '${field}', which the output of '${source.name}' (${source.file}) does not have`,
            didYouMean(field, declared) ??
              (swapped ? `did you mean '${swapped}'?` : undefined) ??
              (declared.length > 0 ? `its fields are: ${declared.join(', ')}` : 'its output model declares no fields'),
          ),
        );
      }
    }
    return found;
  },
};

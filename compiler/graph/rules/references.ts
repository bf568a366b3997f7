import { Codes, didYouMean, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { GraphRule } from './graph-rule.js';

function describe(implicit: boolean, text: string): string {
  return implicit ? `fan-out source '${text}'` : `depends_on '${text}'`;
}

/** ORK301, ORK302, ORK305, ORK306: every dependency names another, existing task, once; a fan-out source is required. */
export const referencesRule: GraphRule = {
  name: 'references',
  check({ graph, declaredTasks }) {
    const found: Diagnostic[] = [];
    for (const task of graph.spec.tasks) {
      const listed = new Set<string>();
      for (const dependency of task.dependsOn) {
        if (dependency.task === task.name) {
          found.push(
            makeDiagnostic(
              Codes.selfReference,
              dependency.span,
              `task '${task.name}' depends on itself (${describe(dependency.implicit, dependency.task)})`,
              dependency.implicit ? 'a fan-out reads its count or items from an upstream task' : `remove '${task.name}' from its depends_on`,
            ),
          );
        } else if (!declaredTasks.has(dependency.task)) {
          const candidates = [...declaredTasks].filter((n) => n !== task.name);
          // `depends_on: [discover.files]`: a field where a task name belongs.
          const owner = dependency.task.split('.')[0] ?? '';
          const fieldHint =
            !dependency.implicit && dependency.task.includes('.') && declaredTasks.has(owner)
              ? `depends_on lists task names, not fields: write '${owner}'`
              : undefined;
          found.push(
            makeDiagnostic(
              Codes.unknownTask,
              dependency.span,
              `task '${task.name}': unknown task '${dependency.task}' in ${dependency.implicit ? 'fan-out reference' : 'depends_on'}`,
              fieldHint ??
                didYouMean(dependency.task, candidates) ??
                (candidates.length > 0 ? `tasks are: ${candidates.slice(0, 10).join(', ')}${candidates.length > 10 ? ', …' : ''}` : undefined),
            ),
          );
        } else if (!dependency.implicit) {
          const source = task.dependsOn.find((d) => d.implicit && d.task === dependency.task);
          if (dependency.always && source) {
            found.push(
              makeDiagnostic(
                Codes.alwaysOnFanOutSource,
                dependency.span,
                `task '${task.name}' fans out over '${dependency.task}', so it cannot run when '${dependency.task}' was skipped (\`if: always\`)`,
                `list it as '${dependency.task}', or not at all: the fan-out already waits for it`,
              ),
            );
          }
          if (listed.has(dependency.task)) {
            found.push(
              makeDiagnostic(
                Codes.duplicateDependency,
                dependency.span,
                `task '${task.name}' lists '${dependency.task}' in depends_on twice`,
                'remove the duplicate',
              ),
            );
          }
          listed.add(dependency.task);
        }
      }
    }
    return found;
  },
};

import { Codes, didYouMean, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { conditionReferences, fanOutKinds, type ConditionReference, type TaskSpec } from '../../model/index.js';
import type { TaskGraph } from '../task-graph.js';
import type { GraphRule } from './graph-rule.js';

/** Every task that finishes before `name` starts: its upstreams, theirs, and so on. */
function ancestors(graph: TaskGraph, name: string): Set<string> {
  const found = new Set<string>();
  const stack = [...(graph.upstream.get(name) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (found.has(next)) continue;
    found.add(next);
    stack.push(...(graph.upstream.get(next) ?? []));
  }
  return found;
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((segment, i) => segment === b[i]);
}

/**
 * The `foreach:` that reads (part of) the same value as the reference and may run distributed: the
 * upstream's runtime may then store that list and hand on `ork_items` in its place (docs/scale.md).
 */
function storedListFeeding(graph: TaskGraph, reference: ConditionReference & { source: { kind: 'task' } }): TaskSpec | undefined {
  return graph.spec.tasks.find((t) => {
    const foreach = t.fanOut?.foreach;
    return (
      t.fanOut !== undefined &&
      foreach?.task === reference.source.task &&
      (isPrefix(foreach.field, reference.path) || isPrefix(reference.path, foreach.field)) &&
      fanOutKinds(t.fanOut).distributed
    );
  });
}

function checkReference(
  graph: TaskGraph,
  task: TaskSpec,
  upstream: ReadonlySet<string>,
  declared: ReadonlySet<string>,
  reference: ConditionReference,
): Diagnostic | undefined {
  if (reference.source.kind !== 'task') return undefined;
  const source = reference.source.task;
  const prefix = `task '${task.name}': when:`;
  if (source === task.name)
    return makeDiagnostic(
      Codes.conditionSelfReference,
      reference.span,
      `${prefix} '${reference.text}' reads the task's own output, which does not exist before it runs`,
      'read an upstream task or params instead',
    );
  if (!graph.tasks.has(source)) {
    // A task that failed its own checks is reported there.
    if (declared.has(source)) return undefined;
    const names = [...graph.tasks.keys()];
    return makeDiagnostic(
      Codes.conditionUnknownTask,
      reference.span,
      `${prefix} '${reference.text}' reads unknown task '${source}'`,
      didYouMean(source, [...names, 'params']) ??
        (names.length <= 10 ? `tasks are: ${names.join(', ')}; params are params.<name>` : 'read an upstream task or params.<name>'),
    );
  }
  if (!upstream.has(source)) {
    const after = ancestors(graph, source).has(task.name);
    return makeDiagnostic(
      Codes.conditionNotUpstream,
      reference.span,
      `${prefix} '${reference.text}' reads '${source}', which does not finish before '${task.name}' starts`,
      after ? `'${source}' runs after '${task.name}'; a condition reads only tasks that run before it` : `add '${source}' to depends_on`,
    );
  }
  if (graph.tasks.get(source)?.fanOut)
    return makeDiagnostic(
      Codes.conditionReadsFanOut,
      reference.span,
      `${prefix} '${reference.text}' reads '${source}', which fans out: its output is a list of outputs`,
      `add a task after '${source}' that summarises its outputs (e.g. a count), and read that task`,
    );
  const consumer = storedListFeeding(graph, reference as ConditionReference & { source: { kind: 'task' } });
  if (consumer)
    return makeDiagnostic(
      Codes.conditionReadsStoredList,
      reference.span,
      `${prefix} '${reference.text}' reads the list '${consumer.name}' fans out over, which may be stored away from the state when the fan-out runs distributed`,
      `have '${source}' also return what the condition needs (e.g. a count), and read that field`,
    );
  return undefined;
}

/** ORK310–ORK314: each task a `when:` reads exists, runs before the task, and has one output whose fields stay in the state. */
export const conditionReferencesRule: GraphRule = {
  name: 'condition-references',
  check({ graph, declaredTasks }) {
    const found: Diagnostic[] = [];
    for (const task of graph.spec.tasks) {
      const condition = task.when?.condition;
      if (!condition) continue;
      const references = conditionReferences(condition);
      if (references.every((r) => r.source.kind === 'params')) continue;
      const upstream = ancestors(graph, task.name);
      for (const reference of references) {
        const problem = checkReference(graph, task, upstream, declaredTasks, reference);
        if (problem) found.push(problem);
      }
    }
    return found;
  },
};

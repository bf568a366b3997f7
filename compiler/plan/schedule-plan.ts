/**
 * A series-parallel schedule of tasks: what the emitter turns into chained states and Parallel states.
 * `sequence` runs its steps one after another; `parallel` runs its branches at once and waits for all.
 */
export type PlanNode =
  | { readonly kind: 'task'; readonly task: string }
  | { readonly kind: 'sequence'; readonly steps: readonly PlanNode[] }
  | { readonly kind: 'parallel'; readonly branches: readonly PlanNode[] };

/** A wait the schedule adds that the workflow did not ask for: the cost of a graph that is not series-parallel. */
export interface AddedWait {
  readonly task: string;
  /** Tasks it now waits for although it does not depend on them. */
  readonly waitsFor: readonly string[];
}

export interface Plan {
  readonly root: PlanNode;
  /** Empty when the workflow is series-parallel: then every task starts as soon as its dependencies finish. */
  readonly addedWaits: readonly AddedWait[];
}

/** Tasks of a plan node in schedule order. */
export function planTasks(node: PlanNode): string[] {
  if (node.kind === 'task') return [node.task];
  return (node.kind === 'sequence' ? node.steps : node.branches).flatMap(planTasks);
}

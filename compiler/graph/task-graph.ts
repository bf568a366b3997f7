import type { TaskSpec, WorkflowSpec } from '../model/index.js';

/** The workflow's tasks as a DAG: an edge u → v means v starts only after u finished. */
export interface TaskGraph {
  readonly spec: WorkflowSpec;
  readonly tasks: ReadonlyMap<string, TaskSpec>;
  /** Direct upstream tasks of each task, in the order they were written. */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** Every task after all its upstream tasks; ties keep file order. */
  readonly order: readonly string[];
}

/**
 * Builds the graph from the tasks' dependencies, ignoring references to unknown tasks and self-references
 * (the rules report those). On a cycle, `order` holds only the tasks outside it.
 */
export function buildTaskGraph(spec: WorkflowSpec): TaskGraph {
  const tasks = new Map(spec.tasks.map((t) => [t.name, t]));
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>(spec.tasks.map((t) => [t.name, []]));
  for (const task of spec.tasks) {
    const list: string[] = [];
    for (const dependency of task.dependsOn) {
      if (dependency.task === task.name || !tasks.has(dependency.task) || list.includes(dependency.task)) continue;
      list.push(dependency.task);
      downstream.get(dependency.task)?.push(task.name);
    }
    upstream.set(task.name, list);
  }
  return {
    spec,
    tasks,
    upstream,
    downstream,
    order: topologicalOrder(
      spec.tasks.map((t) => t.name),
      upstream,
      downstream,
    ),
  };
}

function topologicalOrder(
  names: readonly string[],
  upstream: ReadonlyMap<string, readonly string[]>,
  downstream: ReadonlyMap<string, readonly string[]>,
): string[] {
  const position = new Map(names.map((n, i) => [n, i]));
  const remaining = new Map(names.map((n) => [n, upstream.get(n)?.length ?? 0]));
  // A binary heap keyed by file position keeps the order stable and O(n log n) for large workflows.
  const heap: number[] = [];
  const push = (i: number): void => {
    heap.push(i);
    let c = heap.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if ((heap[p] ?? 0) <= i) break;
      heap[c] = heap[p] ?? 0;
      c = p;
    }
    heap[c] = i;
  };
  const pop = (): number => {
    const top = heap[0] ?? 0;
    const last = heap.pop() ?? 0;
    if (heap.length > 0) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const m = r < heap.length && (heap[r] ?? 0) < (heap[l] ?? 0) ? r : l;
        if ((heap[m] ?? 0) >= last) break;
        heap[c] = heap[m] ?? 0;
        c = m;
      }
      heap[c] = last;
    }
    return top;
  };
  names.forEach((n, i) => {
    if (remaining.get(n) === 0) push(i);
  });
  const order: string[] = [];
  while (heap.length > 0) {
    const name = names[pop()] ?? '';
    order.push(name);
    for (const next of downstream.get(name) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) push(position.get(next) ?? 0);
    }
  }
  return order;
}

import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import type { TaskGraph } from '../task-graph.js';
import type { GraphRule } from './graph-rule.js';

/** Strongly connected components with more than one task (Tarjan, iterative so deep graphs cannot overflow the stack). */
function cyclicComponents(graph: TaskGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const root of graph.tasks.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const edges = graph.upstream.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const next = edges[frame.next++] ?? '';
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push({ node: next, next: 0 });
        } else if (onStack.has(next)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(next) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components;
}

/** One concrete cycle inside a component, starting from its first task in file order: a → b → … → a. */
function cycleThrough(graph: TaskGraph, component: readonly string[]): string[] {
  const members = new Set(component);
  const start = graph.spec.tasks.find((t) => members.has(t.name))?.name ?? component[0] ?? '';
  // Breadth-first over "depends on" edges from start back to start gives the shortest cycle.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() ?? '';
    for (const next of graph.upstream.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [node];
        let at = node;
        while (at !== start) {
          at = previous.get(at) ?? start;
          path.push(at);
        }
        // path runs start ← … ← node; as "depends on" arrows read forward from start.
        return [...path.reverse(), start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Longest cycle named in full; a longer one keeps its ends so the message stays readable. */
export const MAX_CYCLE_NAMES = 20;

/** `a → b → c → a`, or for a long cycle `t0 → … → t7 → … (2984 more) → t2998 → t2999 → t0`. */
function describeCycle(cycle: readonly string[]): string {
  if (cycle.length <= MAX_CYCLE_NAMES + 1) return cycle.join(' → ');
  const head = cycle.slice(0, 8);
  const tail = cycle.slice(-3);
  return [...head, `… (${cycle.length - head.length - tail.length} more)`, ...tail].join(' → ');
}

/** ORK303: the task graph has no cycles; each is named task by task. */
export const cyclesRule: GraphRule = {
  name: 'cycles',
  check({ graph }) {
    const found: Diagnostic[] = [];
    for (const component of cyclicComponents(graph)) {
      const cycle = cycleThrough(graph, component);
      const [first, second] = cycle;
      const task = graph.tasks.get(first ?? '');
      const edge = task?.dependsOn.find((d) => d.task === second);
      if (!task || !edge) continue;
      found.push(
        makeDiagnostic(
          Codes.cycle,
          edge.span,
          `dependency cycle: ${describeCycle(cycle)} (each depends on the next)`,
          `remove one of these dependencies; for example '${second}' from the dependencies of '${first}'`,
        ),
      );
    }
    return found;
  },
};

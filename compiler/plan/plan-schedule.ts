import type { TaskGraph } from '../graph/index.js';
import { BitSet } from './bitset.js';
import type { AddedWait, Plan, PlanNode } from './schedule-plan.js';

/**
 * Stage 4: task DAG → series-parallel schedule.
 *
 * Step Functions has no "start when these finish" edges, only sequences and Parallel states that wait for
 * every branch. A DAG maps onto that exactly when it is series-parallel; we decompose recursively:
 * - tasks that share no dependency path split into `parallel` branches (weakly connected components);
 * - otherwise we look for the smallest set P, closed under dependencies, such that every other task
 *   depends (transitively) on every task of P: then `sequence(P, rest)` adds no wait.
 * When neither exists (an "N"-shaped graph such as a→c, b→c, b→d) the graph is not series-parallel.
 * Heuristic: cut at the longest-path layer that adds the fewest waits, and report each added wait.
 * No dependency is ever broken: a cut only makes tasks wait longer.
 */
export function planSchedule(graph: TaskGraph): Plan {
  const names = graph.order;
  const index = new Map(names.map((n, i) => [n, i]));
  const n = names.length;
  const upstream = names.map((name) => (graph.upstream.get(name) ?? []).map((u) => index.get(u) ?? -1).filter((u) => u >= 0));
  // ancestors[v]: every task v depends on, directly or not. `order` is topological, so one pass suffices.
  const ancestors = names.map(() => new BitSet(n));
  for (let v = 0; v < n; v++) {
    const set = ancestors[v] as BitSet;
    for (const u of upstream[v] ?? []) {
      set.orInPlace(ancestors[u] as BitSet);
      set.add(u);
    }
  }
  const added = new Map<number, Set<number>>();

  const components = (members: readonly number[], inSet: BitSet): number[][] => {
    const parent = new Map(members.map((m) => [m, m]));
    const find = (x: number): number => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root) ?? root;
      let at = x;
      while (at !== root) {
        const next = parent.get(at) ?? root;
        parent.set(at, root);
        at = next;
      }
      return root;
    };
    for (const v of members) {
      for (const u of upstream[v] ?? []) {
        if (inSet.has(u)) parent.set(find(v), find(u));
      }
    }
    const groups = new Map<number, number[]>();
    for (const v of members) {
      const root = find(v);
      const group = groups.get(root);
      if (group) group.push(v);
      else groups.set(root, [v]);
    }
    return [...groups.values()];
  };

  /** The smallest exact series cut of a connected set, or undefined when there is none. */
  const exactCut = (members: readonly number[], inSet: BitSet): BitSet | undefined => {
    const prefix = BitSet.of(
      n,
      members.filter((v) => (upstream[v] ?? []).every((u) => !inSet.has(u))),
    );
    let prefixSize: number;
    for (;;) {
      let grew = false;
      for (const v of members) {
        if (prefix.has(v) || (ancestors[v] as BitSet).containsAll(prefix)) continue;
        // v cannot follow all of the prefix, so it joins it, with everything it depends on inside the set.
        prefix.add(v);
        prefix.orIntersectionInPlace(ancestors[v] as BitSet, inSet);
        grew = true;
      }
      prefixSize = members.filter((v) => prefix.has(v)).length;
      if (!grew) break;
      if (prefixSize === members.length) return undefined;
    }
    return prefixSize < members.length ? prefix : undefined;
  };

  /** The longest-path layer cut that adds the fewest waits; records them. */
  const heuristicCut = (members: readonly number[], inSet: BitSet): BitSet => {
    const depth = new Map<number, number>();
    for (const v of members) {
      let d = 0;
      for (const u of upstream[v] ?? []) if (inSet.has(u)) d = Math.max(d, (depth.get(u) ?? 0) + 1);
      depth.set(v, d);
    }
    const maxDepth = Math.max(...depth.values());
    const layers: number[][] = Array.from({ length: maxDepth + 1 }, () => []);
    for (const v of members) layers[depth.get(v) ?? 0]?.push(v);
    let best: { cut: BitSet; cost: number } | undefined;
    // The cut grows by one layer per step; a cost that reaches the best so far stops counting (the first
    // cheapest cut wins), which keeps long non-series-parallel graphs from costing members × depth counts.
    const growing = new BitSet(n);
    let size = 0;
    for (let d = 1; d <= maxDepth; d++) {
      for (const v of layers[d - 1] ?? []) growing.add(v);
      size += layers[d - 1]?.length ?? 0;
      let cost = 0;
      for (const v of members) {
        if (growing.has(v)) continue;
        cost += size - (ancestors[v] as BitSet).intersectionCount(growing);
        if (best && cost >= best.cost) break;
      }
      if (!best || cost < best.cost) best = { cut: growing.clone(), cost };
    }
    const cut = best?.cut ?? BitSet.of(n, members.slice(0, 1));
    const inCut = members.filter((p) => cut.has(p));
    for (const v of members) {
      if (cut.has(v)) continue;
      for (const p of inCut) {
        if (!(ancestors[v] as BitSet).has(p)) {
          const waits = added.get(v) ?? new Set<number>();
          waits.add(p);
          added.set(v, waits);
        }
      }
    }
    return cut;
  };

  const decompose = (members: readonly number[]): PlanNode => {
    if (members.length === 1) return { kind: 'task', task: names[members[0] ?? 0] ?? '' };
    const inSet = BitSet.of(n, members);
    const groups = components(members, inSet);
    if (groups.length > 1) {
      return { kind: 'parallel', branches: groups.map((g) => decompose(g)) };
    }
    const cut = exactCut(members, inSet) ?? heuristicCut(members, inSet);
    const first = decompose(members.filter((v) => cut.has(v)));
    const rest = decompose(members.filter((v) => !cut.has(v)));
    const steps = [first, rest].flatMap((s) => (s.kind === 'sequence' ? s.steps : [s]));
    return { kind: 'sequence', steps };
  };

  const root: PlanNode = n === 0 ? { kind: 'sequence', steps: [] } : decompose(names.map((_, i) => i));
  const addedWaits: AddedWait[] = [...added.entries()]
    .sort(([a], [b]) => a - b)
    .map(([v, waits]) => ({ task: names[v] ?? '', waitsFor: [...waits].sort((a, b) => a - b).map((p) => names[p] ?? '') }));
  return { root, addedWaits };
}

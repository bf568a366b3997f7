/**
 * Stage 4, planSchedule: a task DAG → a series-parallel schedule. Series-parallel graphs get exactly their
 * natural plan with no added waits; others get a plan that breaks no dependency and reports every wait it
 * adds, as few as it can.
 */
import { describe, expect, it } from 'vitest';
import { compile, permissiveHost, type Plan, type PlanNode, type TaskGraph } from '../../compiler/index.js';
// The stages' own entry points, by path: they are not the compiler's public API.
import { buildTaskGraph } from '../../compiler/graph/index.js';
import type { TaskSpec, WorkflowSpec } from '../../compiler/model/index.js';
import { planSchedule, planTasks } from '../../compiler/plan/index.js';

/** A graph from `{ task: [its dependencies] }`, in this file order. */
function graph(dependencies: Record<string, readonly string[]>): TaskGraph {
  const span = { file: 'workflow.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 2 } };
  const tasks = Object.entries(dependencies).map(
    ([name, deps]) => ({ name, dependsOn: deps.map((task) => ({ task, span, implicit: false })) }) as unknown as TaskSpec,
  );
  return buildTaskGraph({ name: 'w', params: {}, triggers: [], tasks, file: 'workflow.yaml' } as WorkflowSpec);
}

const t = (task: string): PlanNode => ({ kind: 'task', task });
const seq = (...steps: PlanNode[]): PlanNode => ({ kind: 'sequence', steps });
const par = (...branches: PlanNode[]): PlanNode => ({ kind: 'parallel', branches });

/** Tasks certainly finished when each task starts, according to the plan. */
function finishedBefore(node: PlanNode, before: ReadonlySet<string> = new Set(), out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  if (node.kind === 'task') {
    out.set(node.task, new Set(before));
  } else if (node.kind === 'parallel') {
    for (const branch of node.branches) finishedBefore(branch, before, out);
  } else {
    const done = new Set(before);
    for (const step of node.steps) {
      finishedBefore(step, done, out);
      for (const task of planTasks(step)) done.add(task);
    }
  }
  return out;
}

function ancestors(g: TaskGraph, task: string, seen = new Set<string>()): Set<string> {
  for (const up of g.upstream.get(task) ?? []) {
    if (!seen.has(up)) {
      seen.add(up);
      ancestors(g, up, seen);
    }
  }
  return seen;
}

/**
 * Checks what must hold of any plan: every task exactly once, no task before its dependencies, and
 * addedWaits naming exactly the waits the plan adds beyond what the graph asks (transitively).
 */
function expectSoundPlan(g: TaskGraph, plan: Plan): void {
  expect([...planTasks(plan.root)].sort()).toEqual([...g.tasks.keys()].sort());
  const finished = finishedBefore(plan.root);
  const extra: { task: string; waitsFor: string[] }[] = [];
  for (const task of g.order) {
    const done = finished.get(task) ?? new Set();
    const needed = ancestors(g, task);
    for (const dep of needed) expect(done.has(dep), `${task} starts before ${dep} has finished`).toBe(true);
    const added = g.order.filter((other) => done.has(other) && !needed.has(other));
    if (added.length > 0) extra.push({ task, waitsFor: added });
  }
  const normalise = (waits: readonly { task: string; waitsFor: readonly string[] }[]) =>
    waits.map((w) => ({ task: w.task, waitsFor: [...w.waitsFor].sort() })).sort((a, b) => a.task.localeCompare(b.task));
  expect(normalise(plan.addedWaits)).toEqual(normalise(extra));
}

function addedWaitCount(plan: Plan): number {
  return plan.addedWaits.reduce((sum, w) => sum + w.waitsFor.length, 0);
}

describe('series-parallel graphs: exactly the natural plan, no added waits', () => {
  const shapes: [string, Record<string, readonly string[]>, PlanNode][] = [
    ['one task', { a: [] }, t('a')],
    ['a chain', { a: [], b: ['a'], c: ['b'], d: ['c'] }, seq(t('a'), t('b'), t('c'), t('d'))],
    ['a chain written backwards', { d: ['c'], c: ['b'], b: ['a'], a: [] }, seq(t('a'), t('b'), t('c'), t('d'))],
    ['independent tasks', { a: [], b: [], c: [] }, par(t('a'), t('b'), t('c'))],
    ['a fork', { a: [], b: ['a'], c: ['a'] }, seq(t('a'), par(t('b'), t('c')))],
    ['a join', { a: [], b: [], c: ['a', 'b'] }, seq(par(t('a'), t('b')), t('c'))],
    ['a diamond', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, seq(t('a'), par(t('b'), t('c')), t('d'))],
    [
      'a wide diamond',
      { a: [], b1: ['a'], b2: ['a'], b3: ['a'], b4: ['a'], z: ['b1', 'b2', 'b3', 'b4'] },
      seq(t('a'), par(t('b1'), t('b2'), t('b3'), t('b4')), t('z')),
    ],
    ['a diamond with a chain in one arm', { a: [], b: ['a'], c: ['b'], d: ['a'], e: ['c', 'd'] }, seq(t('a'), par(seq(t('b'), t('c')), t('d')), t('e'))],
    [
      'two diamonds in series',
      { a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: ['d'], f: ['d'], g: ['e', 'f'] },
      seq(t('a'), par(t('b'), t('c')), t('d'), par(t('e'), t('f')), t('g')),
    ],
    [
      'nested diamonds',
      { a: [], b: ['a'], b1: ['b'], b2: ['b'], b3: ['b1', 'b2'], c: ['a'], d: ['b3', 'c'] },
      seq(t('a'), par(seq(t('b'), par(t('b1'), t('b2')), t('b3')), t('c')), t('d')),
    ],
    ['independent chains', { a: [], b: ['a'], c: [], d: ['c'] }, par(seq(t('a'), t('b')), seq(t('c'), t('d')))],
    [
      'independent components of different shapes',
      { solo: [], a: [], b: ['a'], c: ['a'], d: ['b', 'c'], x: [], y: ['x'] },
      par(t('solo'), seq(t('a'), par(t('b'), t('c')), t('d')), seq(t('x'), t('y'))),
    ],
    ['a complete bipartite join', { a: [], b: [], c: ['a', 'b'], d: ['a', 'b'] }, seq(par(t('a'), t('b')), par(t('c'), t('d')))],
    ['a transitive edge', { a: [], b: ['a'], c: ['a', 'b'] }, seq(t('a'), t('b'), t('c'))],
    [
      'a fork of chains joined',
      { s: [], a1: ['s'], a2: ['a1'], b1: ['s'], b2: ['b1'], e: ['a2', 'b2'] },
      seq(t('s'), par(seq(t('a1'), t('a2')), seq(t('b1'), t('b2'))), t('e')),
    ],
  ];

  for (const [name, dependencies, expected] of shapes) {
    it(name, () => {
      const g = graph(dependencies);
      const plan = planSchedule(g);
      expect(plan.root).toStrictEqual(expected);
      expect(plan.addedWaits).toEqual([]);
      expectSoundPlan(g, plan);
    });
  }
});

describe('graphs that are not series-parallel', () => {
  it('an N shape (a→c, b→c, b→d) adds one wait', () => {
    const g = graph({ a: [], b: [], c: ['a', 'b'], d: ['b'] });
    const plan = planSchedule(g);
    expectSoundPlan(g, plan);
    expect(addedWaitCount(plan)).toBe(1);
    // Either d also waits for a (cut after a and b), or a waits for b (b first, then the rest).
    expect([[{ task: 'd', waitsFor: ['a'] }], [{ task: 'a', waitsFor: ['b'] }]]).toContainEqual(plan.addedWaits);
  });

  it('the N shape in another file order gives the same waits', () => {
    const g = graph({ d: ['b'], c: ['a', 'b'], b: [], a: [] });
    const plan = planSchedule(g);
    expectSoundPlan(g, plan);
    expect(addedWaitCount(plan)).toBe(1);
  });

  it('a W shape (a→c, a→d, b→d, b→e) adds two waits', () => {
    const g = graph({ a: [], b: [], c: ['a'], d: ['a', 'b'], e: ['b'] });
    const plan = planSchedule(g);
    expectSoundPlan(g, plan);
    expect(addedWaitCount(plan)).toBe(2);
  });

  it('an N inside a series-parallel context keeps the rest exact', () => {
    // s → (N shape) → z: only the N part adds a wait.
    const g = graph({ s: [], a: ['s'], b: ['s'], c: ['a', 'b'], d: ['b'], z: ['c', 'd'] });
    const plan = planSchedule(g);
    expectSoundPlan(g, plan);
    expect(addedWaitCount(plan)).toBe(1);
    expect(plan.root.kind).toBe('sequence');
    if (plan.root.kind === 'sequence') {
      expect(plan.root.steps[0]).toStrictEqual(t('s'));
      expect(plan.root.steps[plan.root.steps.length - 1]).toStrictEqual(t('z'));
    }
  });

  it('an N shape beside an independent chain leaves the chain alone', () => {
    const g = graph({ a: [], b: [], c: ['a', 'b'], d: ['b'], x: [], y: ['x'] });
    const plan = planSchedule(g);
    expectSoundPlan(g, plan);
    expect(addedWaitCount(plan)).toBe(1);
    expect(plan.root.kind).toBe('parallel');
    if (plan.root.kind === 'parallel') expect(plan.root.branches).toContainEqual(seq(t('x'), t('y')));
  });

  it('random DAGs always get a sound plan', () => {
    let seed = 2024;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 100; round++) {
      const size = 2 + Math.floor(random() * 12);
      const names = Array.from({ length: size }, (_, i) => `t${i}`);
      const density = random() * 0.6;
      const dependencies = Object.fromEntries(names.map((name, i) => [name, names.slice(0, i).filter(() => random() < density)]));
      const g = graph(dependencies);
      expectSoundPlan(g, planSchedule(g));
    }
  });
});

describe('the plan of a compiled workflow', () => {
  it('compile() returns the plan of the workflow graph', () => {
    const source = [
      'tasks:',
      '  discover:',
      '    file: d.py',
      '  process:',
      '    file: p.py',
      '    foreach: discover.files',
      '  report:',
      '    file: r.py',
      '    depends_on: [process]',
      '',
    ].join('\n');
    const result = compile({ file: 'workflow.yaml', source, host: permissiveHost() });
    expect(result.diagnostics).toEqual([]);
    expect(result.plan).toStrictEqual({ root: seq(t('discover'), t('process'), t('report')), addedWaits: [] });
  });

  it('planTasks lists tasks in schedule order', () => {
    expect(planTasks(seq(t('a'), par(t('b'), seq(t('c'), t('d'))), t('e')))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

/**
 * Property tests of the schedule: for random acyclic workflows the compiled state machine never starts a
 * task before its dependencies have finished. Checked twice, independently:
 *  (a) structurally, by walking the emitted ASL and computing for each Task state the tasks that are
 *      certainly finished before it is entered (a "must" data-flow analysis over Next/Choice, Parallel
 *      branches and Map processors);
 *  (b) by running the definition in aws-local-stepfunctions with local handlers that log start and end of
 *      every instance, and checking the order of the log and the Input each instance received.
 * A third property pins exactness on series-parallel DAGs: no added waits, and each task waits for exactly
 * its transitive dependencies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compile, permissiveHost, type CompileResult } from '../../compiler/index.js';

// aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
const promiseWithResolvers = Promise as unknown as { withResolvers?: () => unknown };
if (!promiseWithResolvers.withResolvers) {
  promiseWithResolvers.withResolvers = () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}

// ---------------------------------------------------------------------------------------------------------
// Generated workflows
// ---------------------------------------------------------------------------------------------------------

type Executor = 'python' | 'container';

interface GenTask {
  readonly name: string;
  /** Direct dependencies, explicit and implied by foreach:/parallel: sources; no duplicates. */
  readonly deps: readonly string[];
  /** What `depends_on:` says (may repeat a fan-out source, which is implied anyway). */
  readonly dependsOn: readonly string[];
  readonly dependsOnAsString: boolean;
  readonly foreach?: string;
  /** A static count, or the task whose `count` field gives it at run time. */
  readonly parallel?: number | { readonly source: string };
  readonly concurrency?: number;
  readonly executor: Executor;
  /** What this task's instances return: `items` of this length and this `count`. */
  readonly itemsLength: number;
  readonly count: number;
}

interface GenWorkflow {
  /** In a topological order (every task after its dependencies). */
  readonly tasks: readonly GenTask[];
  /** The order the tasks are written in workflow.yaml. */
  readonly fileOrder: readonly string[];
}

/** Per-task random choices; which of them apply depends on the task's position and its upstream tasks. */
interface TaskGenes {
  readonly edgeRolls: readonly number[];
  readonly fan: 'none' | 'parallel' | 'foreach' | 'both';
  readonly parallelCount: number;
  readonly dynamicCount: boolean;
  readonly sourcePick: number;
  readonly countSourcePick: number;
  readonly repeatSource: boolean;
  readonly concurrency: number | null;
  readonly container: boolean;
  readonly itemsLength: number;
  readonly count: number;
  readonly dependsOnAsString: boolean;
  readonly orderKey: number;
}

const MAX_TASKS = 14;

const genesArb: fc.Arbitrary<TaskGenes> = fc.record({
  edgeRolls: fc.array(fc.nat(99), { minLength: MAX_TASKS, maxLength: MAX_TASKS }),
  fan: fc.constantFrom('none', 'none', 'parallel', 'foreach', 'both'),
  parallelCount: fc.integer({ min: 1, max: 3 }),
  dynamicCount: fc.integer({ min: 0, max: 3 }).map((x) => x === 3),
  sourcePick: fc.nat(),
  countSourcePick: fc.nat(),
  repeatSource: fc.boolean(),
  concurrency: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 2 }),
  container: fc.integer({ min: 0, max: 5 }).map((x) => x === 5),
  itemsLength: fc.integer({ min: 0, max: 3 }),
  count: fc.integer({ min: 0, max: 2 }),
  dependsOnAsString: fc.boolean(),
  orderKey: fc.nat(),
});

/** Plain names, and names long enough that their state names get shortened with a hash. */
const namingArb = fc.constantFrom(
  (i: number) => `t${i}`,
  (i: number) => `Task_${i}`,
  (i: number) => `${'very_long_task_name_'.repeat(5)}${i}`,
);

/**
 * Assembles a workflow from dependency lists (indices, each only to earlier tasks) and per-task genes.
 * `sourcesFrom(j)` are the tasks a fan-out of task j may read from; an earlier task that fans out itself
 * is never a source (ORK304).
 */
function assemble(
  n: number,
  edges: readonly (readonly number[])[],
  genes: readonly TaskGenes[],
  name: (i: number) => string,
  sourcesFrom: (j: number) => readonly number[],
): GenWorkflow {
  const tasks: GenTask[] = [];
  for (let j = 0; j < n; j++) {
    const g = genes[j] as TaskGenes;
    const candidates = sourcesFrom(j).filter((i) => (tasks[i] as GenTask).foreach === undefined && (tasks[i] as GenTask).parallel === undefined);
    const pick = (k: number): string | undefined => (candidates.length === 0 ? undefined : name(candidates[k % candidates.length] as number));
    const foreach = g.fan === 'foreach' || g.fan === 'both' ? pick(g.sourcePick) : undefined;
    let parallel: GenTask['parallel'];
    if (g.fan === 'parallel' || g.fan === 'both') {
      const source = g.dynamicCount ? pick(g.countSourcePick) : undefined;
      parallel = source !== undefined ? { source } : g.parallelCount;
    }
    const explicit = (edges[j] ?? []).map(name);
    const sources = [foreach, typeof parallel === 'object' ? parallel.source : undefined].filter((s): s is string => s !== undefined);
    const deps = [...new Set([...explicit, ...sources])];
    const dependsOn = g.repeatSource ? [...new Set([...explicit, ...sources])] : explicit;
    const fansOut = foreach !== undefined || parallel !== undefined;
    tasks.push({
      name: name(j),
      deps,
      dependsOn,
      dependsOnAsString: g.dependsOnAsString,
      ...(foreach !== undefined ? { foreach } : {}),
      ...(parallel !== undefined ? { parallel } : {}),
      ...(fansOut && g.concurrency !== null ? { concurrency: g.concurrency } : {}),
      executor: g.container ? 'container' : 'python',
      itemsLength: g.itemsLength,
      count: g.count,
    });
  }
  const fileOrder = tasks
    .map((t, i) => ({ name: t.name, key: (genes[i] as TaskGenes).orderKey }))
    .sort((a, b) => a.key - b.key)
    .map((t) => t.name);
  return { tasks, fileOrder };
}

/** Random DAGs: each edge goes from an earlier task to a later one, with a random density. */
const dagArb: fc.Arbitrary<GenWorkflow> = fc
  .record({
    density: fc.integer({ min: 0, max: 70 }),
    // One entry per task: shrinking drops tasks.
    genes: fc.array(genesArb, { minLength: 1, maxLength: MAX_TASKS }),
    name: namingArb,
  })
  .map(({ density, genes, name }) => {
    const n = genes.length;
    const edges = Array.from({ length: n }, (_, j) =>
      Array.from({ length: j }, (_, i) => i).filter((i) => ((genes[j] as TaskGenes).edgeRolls[i] ?? 100) < density),
    );
    return assemble(n, edges, genes, name, (j) => Array.from({ length: j }, (_, i) => i));
  });

/** A series-parallel composition tree over `leaves` tasks, read from a list of random rolls. */
type SpTree = { readonly kind: 'leaf' } | { readonly kind: 'series' | 'parallel'; readonly left: SpTree; readonly right: SpTree };

function spTree(leaves: number, rolls: readonly number[]): SpTree {
  let at = 0;
  const roll = (): number => rolls[at++ % rolls.length] ?? 0;
  const build = (count: number): SpTree => {
    if (count === 1) return { kind: 'leaf' };
    const leftCount = 1 + (roll() % (count - 1));
    const kind = roll() % 2 === 0 ? 'series' : 'parallel';
    return { kind, left: build(leftCount), right: build(count - leftCount) };
  };
  return build(leaves);
}

/**
 * Series-parallel DAGs: series(A, B) makes every source of B depend on every sink of A, plus a few random
 * redundant (transitively implied) edges from A to B; parallel(A, B) is the disjoint union. Leaves are
 * numbered left to right, so every edge goes from a lower to a higher index.
 */
const spDagArb: fc.Arbitrary<GenWorkflow & { readonly tree: SpTree }> = fc
  .record({
    rolls: fc.array(fc.nat(1000), { minLength: 2 * MAX_TASKS, maxLength: 2 * MAX_TASKS }),
    extraRolls: fc.array(fc.nat(99), { minLength: 8, maxLength: 8 }),
    genes: fc.array(genesArb, { minLength: 1, maxLength: MAX_TASKS }),
    name: namingArb,
  })
  .map(({ rolls, extraRolls, genes, name }) => {
    const n = genes.length;
    const tree = spTree(n, rolls);
    const edges: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
    let next = 0;
    let extra = 0;
    const extraRoll = (): number => extraRolls[extra++ % extraRolls.length] ?? 0;
    const build = (node: SpTree): { all: number[]; sources: number[]; sinks: number[] } => {
      if (node.kind === 'leaf') {
        const i = next++;
        return { all: [i], sources: [i], sinks: [i] };
      }
      const a = build(node.left);
      const b = build(node.right);
      if (node.kind === 'parallel') return { all: [...a.all, ...b.all], sources: [...a.sources, ...b.sources], sinks: [...a.sinks, ...b.sinks] };
      for (const s of b.sources) for (const p of a.sinks) edges[s]?.add(p);
      // Redundant edges: implied by the ones above, so the partial order stays series-parallel.
      if (extraRoll() < 40) edges[b.all[extraRoll() % b.all.length] as number]?.add(a.all[extraRoll() % a.all.length] as number);
      return { all: [...a.all, ...b.all], sources: a.sources, sinks: b.sinks };
    };
    build(tree);
    const sorted = edges.map((s) => [...s].sort((x, y) => x - y));
    // Fan-outs read only from direct dependencies, so they add no edge and the DAG stays as built.
    return { ...assemble(n, sorted, genes, name, (j) => sorted[j] ?? []), tree };
  });

function toYaml(w: GenWorkflow): string {
  const byName = new Map(w.tasks.map((t) => [t.name, t]));
  const tasks: Record<string, unknown> = {};
  for (const name of w.fileOrder) {
    const t = byName.get(name) as GenTask;
    const doc: Record<string, unknown> = { file: `tasks/${t.name}.py` };
    if (t.executor === 'container') doc.executor = 'container';
    if (t.dependsOn.length > 0) doc.depends_on = t.dependsOn.length === 1 && t.dependsOnAsString ? t.dependsOn[0] : [...t.dependsOn];
    if (t.foreach !== undefined) doc.foreach = `${t.foreach}.items`;
    if (t.parallel !== undefined) doc.parallel = typeof t.parallel === 'number' ? t.parallel : `${t.parallel.source}.count`;
    if (t.concurrency !== undefined) doc.concurrency = t.concurrency;
    tasks[name] = doc;
  }
  return stringify({ name: 'property', params: { run: 'default' }, tasks });
}

function compileWorkflow(w: GenWorkflow): CompileResult & { readonly yaml: string } {
  const yaml = toYaml(w);
  return { ...compile({ file: '/workflow/workflow.yaml', source: yaml, host: permissiveHost('/workflow') }), yaml };
}

function compiledOk(w: GenWorkflow): CompileResult & { readonly yaml: string } {
  const result = compileWorkflow(w);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, `compile errors for\n${result.yaml}`).toEqual([]);
  expect(result.ok).toBe(true);
  return result;
}

/** Transitive dependencies of each task, in the generated workflow (independent of the compiler). */
function ancestorsOf(tasks: readonly { readonly name: string; readonly deps: readonly string[] }[]): Map<string, Set<string>> {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const memo = new Map<string, Set<string>>();
  const visit = (name: string): Set<string> => {
    const known = memo.get(name);
    if (known) return known;
    const set = new Set<string>();
    for (const d of byName.get(name)?.deps ?? []) {
      set.add(d);
      for (const a of visit(d)) set.add(a);
    }
    memo.set(name, set);
    return set;
  };
  for (const t of tasks) visit(t.name);
  return memo;
}

// ---------------------------------------------------------------------------------------------------------
// (a) Structural analysis of the emitted ASL
// ---------------------------------------------------------------------------------------------------------

interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly ResultPath?: string | null;
  readonly Choices?: readonly { readonly Next?: string }[];
  readonly Default?: string;
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
}

interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** The task a Task state runs, from its resource placeholder (Lambda) or task definition (container). */
function taskOfState(state: AslState): string {
  const lambda = /^\$\{OrkFunction_(\w+)\}$/.exec(state.Resource ?? '');
  if (lambda) return lambda[1] as string;
  const definition = /^\$\{OrkTaskDefinition_(\w+)\}$/.exec(String(state.Parameters?.TaskDefinition ?? ''));
  if (definition) return definition[1] as string;
  throw new Error(`Task state with unknown resource ${state.Resource}`);
}

interface Structure {
  /** For each task: the tasks certainly finished whenever its Task state is entered. */
  readonly before: Map<string, Set<string>>;
  /** For each task: the names of its Task states. */
  readonly states: Map<string, string[]>;
  /** Tasks certainly finished when the machine ends successfully. */
  readonly finished: Set<string>;
}

function intersect(sets: readonly Set<string>[]): Set<string> {
  const [first, ...rest] = sets;
  if (!first) return new Set();
  return new Set([...first].filter((x) => rest.every((s) => s.has(x))));
}

/**
 * A "must" analysis: in(s) = ∩ out(p) over the predecessors p of s; out(s) = in(s) ∪ what s finishes.
 * A Task state outside any Map finishes its task; a Map finishes every task of its processor (all
 * instances are done when it exits); a Parallel finishes what each branch finishes; any state that writes
 * `$.results.<task>` (the zero-instances Pass, the flattening Pass) finishes that task. Inside a Map a Task
 * state finishes only its own instance, so it finishes nothing.
 */
function analyse(definition: AslMachine, taskNames: ReadonlySet<string>): Structure {
  const before = new Map<string, Set<string>>();
  const states = new Map<string, string[]>();
  const seenNames = new Set<string>();

  const tasksInside = (machine: AslMachine): Set<string> => {
    const found = new Set<string>();
    for (const state of Object.values(machine.States)) {
      if (state.Type === 'Task') found.add(taskOfState(state));
      for (const branch of state.Branches ?? []) for (const t of tasksInside(branch)) found.add(t);
      if (state.ItemProcessor) for (const t of tasksInside(state.ItemProcessor)) found.add(t);
    }
    return found;
  };

  /** Returns what is certainly finished when the machine ends (undefined: it never ends successfully). */
  const walk = (machine: AslMachine, entry: Set<string>, inMap: boolean): Set<string> | undefined => {
    const successors = (state: AslState): string[] => {
      if (state.Type === 'Choice') return [...(state.Choices ?? []).map((c) => c.Next ?? ''), state.Default ?? ''].filter((s) => s !== '');
      return state.Next !== undefined ? [state.Next] : [];
    };
    // Reachable states in topological order (the emitted graphs have no loops).
    const order: string[] = [];
    const mark = new Map<string, 'open' | 'done'>();
    const visit = (name: string): void => {
      const m = mark.get(name);
      if (m === 'done') return;
      if (m === 'open') throw new Error(`loop through state ${name}`);
      const state = machine.States[name];
      if (!state) throw new Error(`Next names missing state ${name}`);
      mark.set(name, 'open');
      for (const s of successors(state)) visit(s);
      mark.set(name, 'done');
      order.push(name);
    };
    visit(machine.StartAt);
    order.reverse();
    for (const name of Object.keys(machine.States)) {
      expect(seenNames.has(name), `state name ${name} used twice`).toBe(false);
      seenNames.add(name);
      expect(mark.has(name), `state ${name} is unreachable`).toBe(true);
    }

    const incoming = new Map<string, Set<string>[]>([[machine.StartAt, [entry]]]);
    const exits: Set<string>[] = [];
    for (const name of order) {
      const state = machine.States[name] as AslState;
      const input = intersect(incoming.get(name) ?? []);
      const output = new Set(input);
      if (state.Type === 'Task') {
        const task = taskOfState(state);
        states.set(task, [...(states.get(task) ?? []), name]);
        // A task may have one Task state per Map kind (inline, a Distributed Map's child): each must wait.
        const seen = before.get(task);
        before.set(task, seen ? intersect([seen, input]) : input);
        if (!inMap) output.add(task);
      }
      if (state.Type === 'Map' && state.ItemProcessor) {
        walk(state.ItemProcessor, input, true);
        for (const t of tasksInside(state.ItemProcessor)) output.add(t);
      }
      if (state.Type === 'Parallel') {
        for (const branch of state.Branches ?? []) {
          const done = walk(branch, input, inMap);
          for (const t of done ?? []) output.add(t);
        }
      }
      const written = typeof state.ResultPath === 'string' ? /^\$\.results\.(\w+)$/.exec(state.ResultPath) : null;
      if (written && taskNames.has(written[1] as string)) output.add(written[1] as string);
      if (state.Type === 'Fail') continue;
      if (state.End === true || state.Type === 'Succeed') exits.push(output);
      for (const s of successors(state)) incoming.set(s, [...(incoming.get(s) ?? []), output]);
    }
    return exits.length === 0 ? undefined : intersect(exits);
  };

  const finished = walk(definition, new Set(), false) ?? new Set<string>();
  return { before, states, finished };
}

function checkStructure(w: GenWorkflow, result: CompileResult): Structure {
  const names = new Set(w.tasks.map((t) => t.name));
  const structure = analyse(result.definition as unknown as AslMachine, names);
  for (const t of w.tasks) {
    const taskStates = structure.states.get(t.name) ?? [];
    const entry = result.manifest?.tasks.find((m) => m.name === t.name);
    expect([...taskStates].sort(), `Task states of ${t.name}: one per Map kind, as the manifest lists them`).toEqual([...(entry?.stateNames ?? [])].sort());
    expect(taskStates.length).toBeGreaterThanOrEqual(1);
    const before = structure.before.get(t.name) ?? new Set<string>();
    for (const d of t.deps) expect(before.has(d), `${t.name} can start before its dependency ${d} finished`).toBe(true);
  }
  expect([...structure.finished].sort(), 'every task finished at the end').toEqual([...names].sort());
  return structure;
}

// ---------------------------------------------------------------------------------------------------------
// (b) Execution in aws-local-stepfunctions
// ---------------------------------------------------------------------------------------------------------

interface Invocation {
  readonly task: string;
  readonly payload: Record<string, unknown>;
  readonly start: number;
  end?: number;
}

function outputOf(task: GenTask, itemIndex: number | undefined, parallelIndex: number): Record<string, unknown> {
  return {
    id: `${task.name}/${itemIndex ?? '-'}/${parallelIndex}`,
    items: Array.from({ length: task.itemsLength }, (_, k) => `${task.name}:${k}`),
    count: task.count,
  };
}

/** The instances a task runs (item index, parallel index, item), in the documented output order. */
function instancesOf(
  task: GenTask,
  byName: ReadonlyMap<string, GenTask>,
): { itemIndex?: number; item?: string; parallelIndex: number; parallelCount: number }[] {
  const count = task.parallel === undefined ? 1 : typeof task.parallel === 'number' ? task.parallel : (byName.get(task.parallel.source) as GenTask).count;
  const parallelIndexes = Array.from({ length: count }, (_, p) => p);
  if (task.foreach === undefined) return parallelIndexes.map((p) => ({ parallelIndex: p, parallelCount: count }));
  const source = byName.get(task.foreach) as GenTask;
  const items = outputOf(source, undefined, 0).items as string[];
  return items.flatMap((item, i) => parallelIndexes.map((p) => ({ itemIndex: i, item, parallelIndex: p, parallelCount: count })));
}

/** What downstream tasks receive from a task: its output, or the list of its instances' outputs. */
function expectedResult(task: GenTask, byName: ReadonlyMap<string, GenTask>): unknown {
  if (task.foreach === undefined && task.parallel === undefined) return outputOf(task, undefined, 0);
  return instancesOf(task, byName).map((i) => outputOf(task, i.itemIndex, i.parallelIndex));
}

type LocalHandler = (input: unknown) => Promise<unknown>;

async function execute(w: GenWorkflow, result: CompileResult & { readonly yaml: string }, delays: readonly number[]): Promise<void> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const byName = new Map(w.tasks.map((t) => [t.name, t]));
  const structure = analyse(result.definition as unknown as AslMachine, new Set(byName.keys()));
  const text = JSON.stringify(result.definition)
    .replace(/\$\{OrkFunction_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:ork-property-$1')
    .replace(/\$\{(\w+)\}/g, 'local-$1');
  const definition = JSON.parse(text) as Record<string, unknown>;

  const invocations: Invocation[] = [];
  let clock = 0;
  let calls = 0;
  const handlers: Record<string, LocalHandler> = {};
  for (const [task, stateNames] of structure.states) {
    const spec = byName.get(task) as GenTask;
    for (const stateName of stateNames) {
      handlers[stateName] = async (input) => {
        let payload = input as Record<string, unknown>;
        if (spec.executor === 'container') {
          const overrides = (input as { Overrides: { ContainerOverrides: { Environment: { Name: string; Value: string }[] }[] } }).Overrides;
          const env = overrides.ContainerOverrides[0]?.Environment ?? [];
          payload = JSON.parse(env.find((e) => e.Name === 'ORK_PAYLOAD')?.Value ?? 'null') as Record<string, unknown>;
          expect(env.find((e) => e.Name === 'ORK_TASK_TOKEN')?.Value).toBe('token-1');
        }
        const invocation: Invocation = { task, payload, start: ++clock };
        invocations.push(invocation);
        const delay = delays[calls++ % delays.length] ?? 0;
        if (delay === 0) await Promise.resolve();
        else await new Promise((resolve) => setTimeout(resolve, delay));
        invocation.end = ++clock;
        return outputOf(spec, payload.item_index as number | undefined, payload.parallel_index as number);
      };
    }
  }

  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const params = { run: 'property-test' };
  const execution = machine.run(params as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Id: 'exec-1' }, State: { RetryCount: 0 }, Task: { Token: 'token-1' } } as never,
  });
  // A stuck execution fails the run rather than the whole test file's time limit.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      execution.abort();
      reject(new Error(`execution did not finish within 10 s:\n${result.yaml}`));
    }, 10_000);
  });
  const output = await Promise.race([execution.result, timeout]).finally(() => clearTimeout(timer));

  // The machine's output: every task's result, by task name.
  const expectedResults = Object.fromEntries(w.tasks.map((t) => [t.name, expectedResult(t, byName)]));
  expect(output, `output of the execution of\n${result.yaml}`).toEqual(expectedResults);

  for (const t of w.tasks) {
    const mine = invocations.filter((i) => i.task === t.name);
    // Exactly the documented instances, each once.
    const expectedInstances = instancesOf(t, byName);
    const key = (ii: unknown, pi: unknown): string => `${String(ii)}/${String(pi)}`;
    expect(mine.map((i) => key(i.payload.item_index, i.payload.parallel_index)).sort(), `instances of ${t.name}`).toEqual(
      expectedInstances.map((i) => key(i.itemIndex, i.parallelIndex)).sort(),
    );
    if (t.concurrency !== undefined) {
      // concurrency: N caps the instances running at once.
      let running = 0;
      let most = 0;
      const edges = mine
        .flatMap((i) => [
          { at: i.start, step: 1 },
          { at: i.end ?? Infinity, step: -1 },
        ])
        .sort((a, b) => a.at - b.at);
      for (const e of edges) most = Math.max(most, (running += e.step));
      expect(most, `instances of ${t.name} running at once`).toBeLessThanOrEqual(t.concurrency);
    }
    for (const invocation of mine) {
      const p = invocation.payload;
      const instance = expectedInstances.find((i) => i.itemIndex === p.item_index && i.parallelIndex === p.parallel_index);
      expect(p.task).toBe(t.name);
      expect(p.params).toEqual(params);
      expect(p.parallel_count).toBe(instance?.parallelCount);
      if (t.foreach !== undefined) expect(p.item).toBe(instance?.item);
      else expect('item' in p).toBe(false);
      // Inputs: one field per direct upstream task, a list when that task fanned out.
      expect(p.inputs).toEqual(Object.fromEntries(t.deps.map((d) => [d, expectedResults[d]])));
      // Ordering: every instance of every dependency ended before this instance started.
      for (const d of t.deps) {
        for (const upstream of invocations.filter((i) => i.task === d)) {
          expect(
            upstream.end,
            `${d} (${key(upstream.payload.item_index, upstream.payload.parallel_index)}) still running when ${t.name} started`,
          ).toBeDefined();
          expect(upstream.end as number, `${t.name} started before ${d} ended`).toBeLessThan(invocation.start);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------------------

describe('schedule properties', () => {
  it('random DAG workflows compile, and no task state is entered before its dependencies finished (ASL structure)', () => {
    fc.assert(
      fc.property(dagArb, (w) => {
        const result = compiledOk(w);
        const structure = checkStructure(w, result);
        // Every wait beyond the real dependencies is one the plan reports (directly or through a task it waits for).
        const added = new Map((result.plan?.addedWaits ?? []).map((a) => [a.task, a.waitsFor]));
        const augmented = ancestorsOf(w.tasks.map((t) => ({ name: t.name, deps: [...t.deps, ...(added.get(t.name) ?? [])] })));
        for (const t of w.tasks) {
          const extra = [...(structure.before.get(t.name) ?? [])].filter((x) => !augmented.get(t.name)?.has(x));
          expect(extra, `${t.name} waits for unreported tasks`).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('random DAG workflows run in aws-local-stepfunctions with dependencies respected and outputs delivered as documented', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }), async (w, delays) => {
        const result = compiledOk(w);
        await execute(w, result, delays);
      }),
      // Shrinking runs executions too: bound it so a failure is reported, not timed out.
      { numRuns: 25, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true },
    );
  }, 60_000);

  it('series-parallel DAGs compile to an exact schedule: no added waits, each task waits for exactly its ancestors', () => {
    fc.assert(
      fc.property(spDagArb, (w) => {
        const result = compiledOk(w);
        expect(result.plan?.addedWaits).toEqual([]);
        const structure = checkStructure(w, result);
        const ancestors = ancestorsOf(w.tasks);
        for (const t of w.tasks) {
          expect([...(structure.before.get(t.name) ?? [])].sort(), `tasks finished before ${t.name} starts`).toEqual([...(ancestors.get(t.name) ?? [])].sort());
        }
      }),
      { numRuns: 100 },
    );
  });
});

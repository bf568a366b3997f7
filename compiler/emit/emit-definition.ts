import type { TaskGraph } from '../graph/index.js';
import { spillAbove, type TaskSpec } from '../model/index.js';
import type { PlanNode } from '../plan/index.js';
import type { ParallelState, PassState, StateMachineDefinition } from './asl-types.js';
import { chain, close, single, type Fragment } from './fragment.js';
import { emitTask } from './emit-task.js';
import type { FanOutDecision } from './fan-out-context.js';
import type { FanOutMap } from './fan-out-map.js';
import { walkStates } from './walk-states.js';
import { conditionReferences } from './condition-rule.js';
import { nameFailures, withFailureHandler } from './failure-handler.js';
import { guardTask, requiredUpstreams, skippableTasks } from './skip-guard.js';
import { paramsDefaultsState } from './params-defaults.js';
import { StatePaths } from './payload.js';
import { StateNames } from './state-names.js';

/**
 * `States.JsonMerge` takes two objects; a balanced tree of merges keeps the nesting shallow for many
 * branches. Each branch hands back every result it saw, so a shallow merge is their union.
 */
function mergeExpression(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0] ?? '';
  const middle = Math.ceil(paths.length / 2);
  return `States.JsonMerge(${mergeExpression(paths.slice(0, middle))}, ${mergeExpression(paths.slice(middle))}, false)`;
}

export interface EmitResult {
  readonly definition: StateMachineDefinition;
  /** Task → name of the Task state that runs its instances. */
  readonly taskStates: ReadonlyMap<string, string>;
  /** Task → every Task state that runs its instances (inline Map, Distributed Map child, chunk child). */
  readonly allTaskStates: ReadonlyMap<string, readonly string[]>;
  /** Every fan-out Map and what was decided for it, in definition order (the manifest's `fanOut.maps`). */
  readonly fanOutMaps: readonly FanOutMap[];
  /** Task → the Pass state entered when it is skipped, for the tasks that may be. */
  readonly skipStates: ReadonlyMap<string, string>;
}

type FanOutField = { readonly path: readonly string[]; readonly above: number };

/**
 * Upstream task → its output fields that feed a `foreach:` which may run distributed, with the list length
 * above which the runtime stores the list (docs/scale.md). Several readers of one field: the smallest wins.
 */
function fanOutFieldsOf(tasks: readonly TaskSpec[]): Map<string, FanOutField[]> {
  const found = new Map<string, FanOutField[]>();
  for (const task of tasks) {
    const foreach = task.fanOut?.foreach;
    const above = task.fanOut ? spillAbove(task.fanOut) : undefined;
    if (!foreach || above === undefined) continue;
    const list = found.get(foreach.task) ?? [];
    const same = list.findIndex((f) => f.path.join('.') === foreach.field.join('.'));
    const existing = list[same];
    if (existing === undefined) list.push({ path: foreach.field, above });
    else list[same] = { path: existing.path, above: existing.above === -1 || above === -1 ? -1 : Math.min(existing.above, above) };
    found.set(foreach.task, list);
  }
  return found;
}

/**
 * Upstream task → its output fields that a downstream `when:` reads: the runtime keeps them beside the
 * reference when it stores the output, so the Choice still finds them (docs/conditions.md).
 */
function conditionFieldsOf(tasks: readonly TaskSpec[]): Map<string, string[][]> {
  const found = new Map<string, string[][]>();
  for (const task of tasks) {
    if (!task.when?.condition) continue;
    for (const reference of conditionReferences(task.when.condition)) {
      if (reference.source.kind !== 'task') continue;
      const list = found.get(reference.source.task) ?? [];
      if (!list.some((p) => p.join('.') === reference.path.join('.'))) list.push([...reference.path]);
      found.set(reference.source.task, list);
    }
  }
  return found;
}

/** Stage 5: schedule → Amazon States Language definition. */
export function emitDefinition(graph: TaskGraph, root: PlanNode): EmitResult {
  const names = new StateNames();
  const fanOutFields = fanOutFieldsOf(graph.spec.tasks);
  const decisions = new Map<string, FanOutMap>();
  const conditionFields = conditionFieldsOf(graph.spec.tasks);
  const skippable = skippableTasks(graph.tasks, graph.order);
  const skipStates = new Map<string, string>();
  const handler = graph.spec.onFailure;
  let parallelCount = 0;

  const emitNode = (node: PlanNode): Fragment => {
    if (node.kind === 'task') {
      const task = graph.tasks.get(node.task);
      if (!task) throw new Error(`plan names unknown task '${node.task}'`);
      const fields = fanOutFields.get(task.name);
      const record = (map: FanOutDecision): void => void decisions.set(map.state, { task: task.name, path: [], ...map });
      const read = conditionFields.get(task.name);
      let fragment = emitTask(task, {
        workflow: graph.spec.name,
        names,
        upstream: graph.upstream.get(task.name) ?? [],
        ...(fields ? { fanOutFields: fields } : {}),
        ...(read ? { conditionFields: read } : {}),
        record,
      });
      if (handler) fragment = nameFailures(task, fragment, names);
      if (!skippable.has(task.name)) return fragment;
      const guarded = guardTask(
        task,
        fragment,
        requiredUpstreams(task).filter((u) => skippable.has(u)),
        names,
      );
      skipStates.set(task.name, guarded.guard.skipped);
      return guarded.fragment;
    }
    if (node.kind === 'sequence') return chain(node.steps.map(emitNode));
    const name = names.internal(`Parallel-${++parallelCount}`);
    const branches = node.branches.map((b) => close(emitNode(b)));
    const state: ParallelState = {
      Type: 'Parallel',
      Comment: `Independent branches: ${node.branches.map((b) => firstTask(b)).join(', ')}`,
      Branches: branches,
      ResultSelector: {
        'params.$': '$[0].params',
        'results.$': mergeExpression(branches.map((_, i) => `$[${i}].results`)),
      },
    };
    return single(name, state);
  };

  const defaults = graph.spec.params;
  const hasDefaults = Object.keys(defaults).length > 0;
  const start = names.internal('Start');
  const steps: Fragment[] = [];
  if (hasDefaults) {
    // Params defaults sit in a Pass's Parameters as data, beside the execution input, then merge under it.
    const withDefaults = names.internal('Params');
    steps.push(single(withDefaults, paramsDefaultsState(defaults)));
    steps.push(
      single(start, {
        Type: 'Pass',
        Comment: 'Execution input over params defaults',
        Parameters: { 'params.$': 'States.JsonMerge($.defaults, $.input, false)', results: {} },
      }),
    );
  } else {
    steps.push(single(start, { Type: 'Pass', Comment: 'Execution input becomes the params', Parameters: { 'params.$': '$', results: {} } }));
  }
  if (root.kind !== 'sequence' || root.steps.length > 0) {
    const body = emitNode(root);
    steps.push(handler ? withFailureHandler(body, handler, graph.spec.name, names) : body);
  }
  const done: PassState = { Type: 'Pass', Comment: 'Outputs of every task, by task name', InputPath: StatePaths.results };
  steps.push(single(names.internal('Done'), done));
  const machine = close(chain(steps));
  const definition = {
    Comment: graph.spec.description ? `${graph.spec.name}: ${graph.spec.description}` : `Ork workflow ${graph.spec.name}`,
    ...machine,
  };
  return { definition, taskStates: names.taskStates(), allTaskStates: names.allTaskStates(), fanOutMaps: placed(definition, decisions), skipStates };
}

/** The recorded fan-out Maps with their paths, in definition order: where they sit is known once the machine is whole. */
function placed(definition: StateMachineDefinition, decisions: ReadonlyMap<string, FanOutMap>): FanOutMap[] {
  const maps: FanOutMap[] = [];
  for (const { name, path } of walkStates(definition)) {
    const decision = decisions.get(name);
    if (decision) maps.push({ ...decision, path });
  }
  if (maps.length !== decisions.size)
    throw new Error(`fan-out Maps recorded but not in the definition: ${[...decisions.keys()].filter((n) => !maps.some((m) => m.state === n)).join(', ')}`);
  return maps;
}

function firstTask(node: PlanNode): string {
  if (node.kind === 'task') return node.task;
  const children = node.kind === 'sequence' ? node.steps : node.branches;
  return children[0] ? firstTask(children[0]) : '';
}

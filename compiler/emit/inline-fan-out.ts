import type { CountSource, FieldReference } from '../model/index.js';
import { ARRAY_RANGE_LIMIT, INLINE_FAN_OUT_LIMIT } from '../model/index.js';
import type { MapState, PayloadTemplate, State } from './asl-types.js';
import { chain, single, type Fragment } from './fragment.js';
import { outputSpillBytes, type FanOutContext } from './fan-out-context.js';
import type { FanOutGrouping } from './fan-out-map.js';
import { fieldPath, StatePaths } from './payload.js';
import { runInstance, type InstanceSource } from './run-instance.js';
import { catchInstanceFailure, checkToleratedFailures } from './tolerated-failures.js';

/** A self-contained sub-machine for a Map's ItemProcessor. */
export function processor(fragment: Fragment, config: MapState['ItemProcessor']['ProcessorConfig'] = { Mode: 'INLINE' }): MapState['ItemProcessor'] {
  for (const exit of fragment.exits) {
    const state = fragment.states[exit] as State;
    if (state.Type !== 'Choice' && state.Type !== 'Fail' && state.Type !== 'Succeed') state.End = true;
  }
  return { ProcessorConfig: config, StartAt: fragment.start, States: fragment.states };
}

/** `count` and `indexes` (0 … count-1) of a parallel fan-out, as Pass parameters. */
export function countParameters(count: CountSource): PayloadTemplate {
  if (count.kind === 'static') return { count: count.count, 'indexes.$': `States.ArrayRange(0, ${count.count - 1}, 1)` };
  const path = fieldPath(count.ref.task, count.ref.field);
  // ItemsPath takes only a reference path, so the range is built here; ArrayRange's end is inclusive.
  return { 'count.$': path, 'indexes.$': `States.ArrayRange(0, States.MathAdd(${path}, -1), 1)` };
}

/** Most instances the inline Map may see: bounded by Ork's own choice in auto mode, by ArrayRange otherwise. */
function inlineInstances(context: FanOutContext): number {
  const fanOut = context.task.fanOut;
  if (fanOut?.mode !== 'inline') return INLINE_FAN_OUT_LIMIT;
  if (fanOut.parallel?.kind === 'static' && !fanOut.foreach) return fanOut.parallel.count;
  return ARRAY_RANGE_LIMIT;
}

/** One instance inside an inline Map, with the tolerated-failure catch when the task has one. */
function inlineInstance(context: FanOutContext, source: InstanceSource, fields: { itemIndex: boolean; parallelIndex: boolean }): Fragment {
  const { task, names } = context;
  const caught = task.fanOut?.tolerateFailures ? catchInstanceFailure(names, task, fields) : undefined;
  const run = runInstance(
    task,
    context.workflow,
    source,
    {
      stateName: names.instanceState(task.name, 'inline'),
      outputSpillBytes: outputSpillBytes(inlineInstances(context)),
      ...(caught ? { catchAll: caught.catcher } : {}),
    },
    (s) => names.helper(task.name, s),
  );
  if (!caught) return run;
  return { start: run.start, states: { ...run.states, ...caught.states }, exits: [...run.exits, caught.exit] };
}

/**
 * Names an inline fan-out Map (after its processor's states, as it always was: names are claimed in order) and
 * records what was decided for it.
 */
function inlineFanOutMap(
  context: FanOutContext,
  map: MapState,
  how: {
    readonly grouping: FanOutGrouping;
    readonly instancesPerChild: number | undefined;
    readonly workers?: { readonly state: string; readonly maxConcurrency?: number };
  },
): Fragment {
  const { task, names } = context;
  const name = names.helper(task.name, 'fanout');
  const tolerance = task.fanOut?.tolerateFailures;
  context.record({
    state: name,
    mode: 'inline',
    grouping: how.grouping,
    ...(how.instancesPerChild !== undefined ? { instancesPerChild: how.instancesPerChild } : {}),
    ...(how.workers ? { workers: how.workers } : {}),
    ...(map.MaxConcurrency ? { maxConcurrency: map.MaxConcurrency } : {}),
    ...(tolerance ? { toleratedFailures: tolerance } : {}),
    items: { from: 'state', path: map.ItemsPath ?? '$' },
  });
  return single(name, map);
}

function withToleranceCheck(context: FanOutContext, steps: Fragment[], knownTotal: number | undefined): Fragment {
  const tolerance = context.task.fanOut?.tolerateFailures;
  const check = tolerance ? checkToleratedFailures(context.names, context.task, context.output, tolerance, knownTotal) : undefined;
  return chain(check ? [...steps, check] : steps);
}

export function inlineForeach(context: FanOutContext, foreach: FieldReference): Fragment {
  const { task, inputs } = context;
  const concurrency = task.fanOut?.concurrency;
  const map: MapState = {
    Type: 'Map',
    Comment: `One instance of ${task.name} per element of ${foreach.text}`,
    ItemsPath: fieldPath(foreach.task, foreach.field),
    ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index', 'params.$': StatePaths.params, inputs },
    ItemProcessor: processor(
      inlineInstance(
        context,
        { parallelIndex: 0, parallelCount: 1, item: '$.item', itemIndex: '$.item_index', params: '$.params', inputs: '$.inputs' },
        { itemIndex: true, parallelIndex: false },
      ),
    ),
    ...(concurrency ? { MaxConcurrency: concurrency } : {}),
    ResultPath: context.output,
  };
  return withToleranceCheck(context, [inlineFanOutMap(context, map, { grouping: 'single', instancesPerChild: 1 })], undefined);
}

export function inlineParallel(context: FanOutContext, parallel: CountSource): Fragment {
  const { task, names, inputs } = context;
  const concurrency = task.fanOut?.concurrency;
  const count = single(names.helper(task.name, 'count'), { Type: 'Pass', Parameters: countParameters(parallel), ResultPath: StatePaths.scratch });
  const map: MapState = {
    Type: 'Map',
    Comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} parallel instances of ${task.name}`,
    ItemsPath: `${StatePaths.scratch}.indexes`,
    ItemSelector: { 'parallel_index.$': '$$.Map.Item.Value', 'parallel_count.$': `${StatePaths.scratch}.count`, 'params.$': StatePaths.params, inputs },
    ItemProcessor: processor(
      inlineInstance(
        context,
        { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', params: '$.params', inputs: '$.inputs' },
        { itemIndex: false, parallelIndex: true },
      ),
    ),
    ...(concurrency ? { MaxConcurrency: concurrency } : {}),
    ResultPath: context.output,
  };
  return withToleranceCheck(
    context,
    [count, inlineFanOutMap(context, map, { grouping: 'single', instancesPerChild: 1 })],
    parallel.kind === 'static' ? parallel.count : undefined,
  );
}

/** The workers of one element: an inline Map over `$.indexes` (used inline, and inside a Distributed Map's child). */
export function workersMap(context: FanOutContext, instance: Fragment, concurrency: number | undefined, passExecutionId = false): MapState {
  return {
    Type: 'Map',
    Comment: `Workers of ${context.task.name} for one element`,
    ItemsPath: '$.indexes',
    ItemSelector: {
      'parallel_index.$': '$$.Map.Item.Value',
      'parallel_count.$': '$.parallel_count',
      'item.$': '$.item',
      'item_index.$': '$.item_index',
      'params.$': '$.params',
      'inputs.$': '$.inputs',
      ...(passExecutionId ? { 'execution_id.$': '$.execution_id' } : {}),
    },
    ItemProcessor: processor(instance),
    ...(concurrency ? { MaxConcurrency: concurrency } : {}),
  };
}

/**
 * The ItemSelector of a `foreach:` × `parallel:` element (inline, and in a Distributed Map's parent): the element
 * and its index, with the workers' indexes and count that workersMap reads, beside the params and inputs.
 */
export function elementSelector(inputs: PayloadTemplate): PayloadTemplate {
  return {
    'item.$': '$$.Map.Item.Value',
    'item_index.$': '$$.Map.Item.Index',
    'indexes.$': `${StatePaths.scratch}.indexes`,
    'parallel_count.$': `${StatePaths.scratch}.count`,
    'params.$': StatePaths.params,
    inputs,
  };
}

/** Instances per element when the count is static; concurrency split between the element and worker Maps. */
export function splitConcurrency(concurrency: number | undefined, perItem: number | undefined, innerCap: number): { outer?: number; inner?: number } {
  if (concurrency === undefined) return {};
  const inner = Math.min(concurrency, perItem ?? innerCap, innerCap);
  return { outer: Math.max(1, Math.floor(concurrency / inner)), inner };
}

export function inlineForeachParallel(context: FanOutContext, foreach: FieldReference, parallel: CountSource): Fragment {
  const { task, names, inputs } = context;
  const listPath = fieldPath(foreach.task, foreach.field);
  const count = single(names.helper(task.name, 'count'), {
    Type: 'Pass',
    Parameters: { ...countParameters(parallel), 'items.$': `States.ArrayLength(${listPath})` },
    ResultPath: StatePaths.scratch,
  });
  const empty = names.helper(task.name, 'check-empty');
  const checkEmpty: Fragment = {
    start: empty,
    states: { [empty]: { Type: 'Choice', Choices: [{ Variable: `${StatePaths.scratch}.items`, NumericEquals: 0, Next: context.none }], Default: '' } },
    exits: [empty],
  };
  // Nested Maps: items outside, workers inside. Concurrency caps instances, so with a static count the
  // outer Map runs as many items as fit whole; with a count known only at run time, one item at a time.
  const perItem = parallel.kind === 'static' ? parallel.count : undefined;
  const concurrency = task.fanOut?.concurrency;
  const outer = concurrency === undefined ? undefined : perItem !== undefined ? Math.max(1, Math.floor(concurrency / perItem)) : 1;
  const inner = concurrency === undefined ? undefined : perItem !== undefined ? Math.min(concurrency, perItem) : concurrency;
  const instance = inlineInstance(
    context,
    { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', item: '$.item', itemIndex: '$.item_index', params: '$.params', inputs: '$.inputs' },
    { itemIndex: true, parallelIndex: true },
  );
  const workers = workersMap(context, instance, inner);
  workers.End = true;
  const workersName = names.helper(task.name, 'workers');
  const map: MapState = {
    Type: 'Map',
    Comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} instances of ${task.name} per element of ${foreach.text}`,
    ItemsPath: listPath,
    ItemSelector: elementSelector(inputs),
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: workersName, States: { [workersName]: workers } },
    ...(outer ? { MaxConcurrency: outer } : {}),
    // Outputs arrive as one list per element; downstream wants them flat, in element then index order.
    ResultSelector: { 'outputs.$': '$[*][*]' },
    ResultPath: StatePaths.scratch,
  };
  const flatten = single(names.helper(task.name, 'flatten'), { Type: 'Pass', InputPath: `${StatePaths.scratch}.outputs`, ResultPath: context.output });
  const fanOut = inlineFanOutMap(context, map, {
    grouping: 'workers',
    instancesPerChild: perItem,
    workers: { state: workersName, ...(inner ? { maxConcurrency: inner } : {}) },
  });
  return withToleranceCheck(context, [count, checkEmpty, fanOut, flatten], undefined);
}

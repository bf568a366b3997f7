import type { CountSource, FieldReference, TaskSpec } from '../model/index.js';
import { ARRAY_RANGE_LIMIT, EXPRESS_MAX_SECONDS, INLINE_FAN_OUT_LIMIT, LAMBDA_MAX_TIMEOUT_SECONDS, worstInstanceSeconds } from '../model/index.js';
import type { ItemBatcher, ItemReader, MapState, PayloadTemplate, State } from './asl-types.js';
import { chain, single, type Fragment } from './fragment.js';
import { outputSpillBytes, type FanOutContext } from './fan-out-context.js';
import { resultsPrefix, type FanOutGrouping, type FanOutItems } from './fan-out-map.js';
import { countParameters, elementSelector, processor, splitConcurrency, workersMap } from './inline-fan-out.js';
import { Markers } from '../../lambdas/contract/contract.js';
import { fieldPath, StatePaths } from './payload.js';
import { Placeholders, ref } from './placeholders.js';
import { runInstance } from './run-instance.js';

/** Lambda runs at most 15 minutes, however many instances a batch holds. */

type PerChild = 'one' | 'list';

/**
 * Evaluated in the parent (ItemSelector, BatchInput): the execution the user started. Inside a child,
 * `$$.Execution.Id` is the child's own; instances report the parent's, so `ork logs` and stored outputs
 * find them under the run they belong to.
 */
const PARENT_EXECUTION = { 'execution_id.$': '$$.Execution.Id' } as const;

/** Express children are cheaper, but end after five minutes and cannot wait for a task token (containers). */
function executionType(task: TaskSpec, childSeconds: number | undefined): 'EXPRESS' | 'STANDARD' {
  if (task.executor === 'container') return 'STANDARD';
  return childSeconds !== undefined && childSeconds <= EXPRESS_MAX_SECONDS ? 'EXPRESS' : 'STANDARD';
}

/** The per-attempt timeout of a batch: each instance of it may take the task's timeout. */
function batchTimeout(task: TaskSpec, batchSize: number | undefined): number | undefined {
  if (batchSize === undefined || task.timeoutSeconds === undefined) return undefined;
  return Math.min(LAMBDA_MAX_TIMEOUT_SECONDS, task.timeoutSeconds * batchSize);
}

interface DistributedMapParts {
  /** The Map state's name. */
  readonly name: string;
  readonly comment: string;
  readonly items: { readonly reader: ItemReader; readonly list: string } | { readonly path: string };
  readonly itemSelector: PayloadTemplate;
  readonly batcher?: ItemBatcher;
  readonly child: Fragment;
  readonly childSeconds: number | undefined;
  readonly perChild: PerChild;
  readonly maxConcurrency?: number;
  /** What one child holds, for the manifest (the child's own states say it to the machine). */
  readonly grouping: FanOutGrouping;
  readonly instancesPerChild: number | undefined;
  readonly workers?: { readonly state: string; readonly maxConcurrency?: number };
}

/** The Distributed Map state of a fan-out, recorded with what was decided for it. */
function distributedMap(context: FanOutContext, parts: DistributedMapParts): Fragment {
  const { task } = context;
  const tolerance = task.fanOut?.tolerateFailures;
  const children = executionType(task, parts.childSeconds);
  const writer = { bucket: ref(Placeholders.payloadBucket), prefix: `${resultsPrefix(context.workflow)}${task.name}` };
  const items: FanOutItems = 'reader' in parts.items ? { from: 'stored', path: parts.items.list } : { from: 'state', path: parts.items.path };
  context.record({
    state: parts.name,
    mode: 'distributed',
    executionType: children,
    grouping: parts.grouping,
    ...(parts.instancesPerChild !== undefined ? { instancesPerChild: parts.instancesPerChild } : {}),
    ...(parts.workers ? { workers: parts.workers } : {}),
    ...(parts.maxConcurrency ? { maxConcurrency: parts.maxConcurrency } : {}),
    ...(tolerance ? { toleratedFailures: tolerance } : {}),
    items,
    resultWriter: writer,
  });
  const map: MapState = {
    Type: 'Map',
    Comment: parts.comment,
    ...('reader' in parts.items ? { ItemReader: parts.items.reader } : { ItemsPath: parts.items.path }),
    ItemSelector: parts.itemSelector,
    ...(parts.batcher ? { ItemBatcher: parts.batcher } : {}),
    ItemProcessor: processor(parts.child, { Mode: 'DISTRIBUTED', ExecutionType: children }),
    ...(parts.maxConcurrency ? { MaxConcurrency: parts.maxConcurrency } : {}),
    ...(tolerance?.kind === 'count' ? { ToleratedFailureCount: tolerance.count } : {}),
    ...(tolerance?.kind === 'percent' ? { ToleratedFailurePercentage: tolerance.percent } : {}),
    // Children's outputs go to S3, so the parent's state stays small whatever the fan-out's size; the
    // runtimes read them back through this reference (docs/scale.md).
    ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: writer.bucket, Prefix: writer.prefix } },
    ResultSelector: { [Markers.results]: { 'bucket.$': '$.ResultWriterDetails.Bucket', 'key.$': '$.ResultWriterDetails.Key', per_child: parts.perChild } },
    ResultPath: context.output,
  };
  return single(parts.name, map);
}

/** The list a `foreach:` reads from S3: its path in the state (holding an `ork_items` reference), and the reader. */
function storedItems(foreach: FieldReference): { readonly reader: ItemReader; readonly list: string } {
  const list = fieldPath(foreach.task, foreach.field);
  const path = `${list}.${Markers.items}`;
  return {
    reader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': `${path}.bucket`, 'Key.$': `${path}.key` },
    },
    list,
  };
}

/** The child of one instance, or of one batch of instances. */
function instanceChild(context: FanOutContext, kind: 'foreach' | 'parallel'): { child: Fragment; seconds: number | undefined } {
  const { task, names } = context;
  const batchSize = task.fanOut?.batchSize;
  const stateName = names.instanceState(task.name, 'child');
  const helper = (s: string): string => names.helper(task.name, s);
  const timeout = batchTimeout(task, batchSize);
  const seconds = worstInstanceSeconds(task, batchSize !== undefined ? (timeout ?? LAMBDA_MAX_TIMEOUT_SECONDS) : task.timeoutSeconds);
  if (batchSize !== undefined) {
    const source = {
      parallelCount: kind === 'parallel' ? '$.BatchInput.parallel_count' : 1,
      ...(kind === 'foreach' ? { parallelIndex: 0 } : {}),
      params: '$.BatchInput.params',
      inputs: '$.BatchInput.inputs',
      batch: '$.Items',
      executionId: '$.BatchInput.execution_id',
    };
    return {
      child: runInstance(
        task,
        context.workflow,
        source,
        { stateName, outputSpillBytes: outputSpillBytes(batchSize), ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) },
        helper,
      ),
      seconds,
    };
  }
  const source =
    kind === 'foreach'
      ? { parallelIndex: 0, parallelCount: 1, item: '$.item', itemIndex: '$.item_index', params: '$.params', inputs: '$.inputs', executionId: '$.execution_id' }
      : { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', params: '$.params', inputs: '$.inputs', executionId: '$.execution_id' };
  return { child: runInstance(task, context.workflow, source, { stateName }, helper), seconds };
}

function batcher(context: FanOutContext, batchInput: PayloadTemplate): ItemBatcher | undefined {
  const batchSize = context.task.fanOut?.batchSize;
  return batchSize === undefined ? undefined : { MaxItemsPerBatch: batchSize, BatchInput: batchInput };
}

/**
 * The child of one instance (or one batch of instances) and what the Map says of it: `foreach:` and
 * `parallel:` alike, whichever list the Map runs over. Called before the Map is named: names are claimed in order.
 */
function instanceChildParts(
  context: FanOutContext,
  kind: 'foreach' | 'parallel',
  batch: ItemBatcher | undefined,
): Pick<DistributedMapParts, 'batcher' | 'child' | 'childSeconds' | 'perChild' | 'maxConcurrency' | 'grouping' | 'instancesPerChild'> {
  const concurrency = context.task.fanOut?.concurrency;
  const { child, seconds } = instanceChild(context, kind);
  return {
    ...(batch ? { batcher: batch } : {}),
    child,
    childSeconds: seconds,
    perChild: batch ? 'list' : 'one',
    ...(concurrency ? { maxConcurrency: concurrency } : {}),
    grouping: batch ? 'batch' : 'single',
    instancesPerChild: batch?.MaxItemsPerBatch ?? 1,
  };
}

export function distributedForeach(context: FanOutContext, foreach: FieldReference): Fragment {
  const { task, names, inputs } = context;
  const batch = batcher(context, { 'params.$': StatePaths.params, inputs, ...PARENT_EXECUTION });
  const children = instanceChildParts(context, 'foreach', batch);
  return distributedMap(context, {
    name: names.helper(task.name, 'distributed'),
    comment: `One child execution of ${task.name} per ${batch ? `${batch.MaxItemsPerBatch} elements` : 'element'} of ${foreach.text}`,
    items: storedItems(foreach),
    itemSelector: batch
      ? { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index' }
      : { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index', 'params.$': StatePaths.params, inputs, ...PARENT_EXECUTION },
    ...children,
  });
}

/** Up to 1,000 instances: their indexes fit one ArrayRange, held in the state. */
export function distributedParallel(context: FanOutContext, parallel: CountSource): Fragment {
  const { task, names, inputs } = context;
  const count = single(names.helper(task.name, 'count-d'), { Type: 'Pass', Parameters: countParameters(parallel), ResultPath: StatePaths.scratch });
  const batch = batcher(context, { 'params.$': StatePaths.params, inputs, 'parallel_count.$': `${StatePaths.scratch}.count`, ...PARENT_EXECUTION });
  const children = instanceChildParts(context, 'parallel', batch);
  const map = distributedMap(context, {
    name: names.helper(task.name, 'distributed'),
    comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} parallel instances of ${task.name}, as child executions`,
    items: { path: `${StatePaths.scratch}.indexes` },
    itemSelector: batch
      ? { 'parallel_index.$': '$$.Map.Item.Value' }
      : {
          'parallel_index.$': '$$.Map.Item.Value',
          'parallel_count.$': `${StatePaths.scratch}.count`,
          'params.$': StatePaths.params,
          inputs,
          ...PARENT_EXECUTION,
        },
    ...children,
  });
  return chain([count, map]);
}

/** `count`, `last` (count − 1) and `starts` (0, 1000, 2000 …) of a chunked fan-out, as Pass parameters. */
function chunkStarts(parallel: CountSource): PayloadTemplate {
  if (parallel.kind === 'static')
    return { count: parallel.count, last: parallel.count - 1, 'starts.$': `States.ArrayRange(0, ${parallel.count - 1}, ${ARRAY_RANGE_LIMIT})` };
  const path = fieldPath(parallel.ref.task, parallel.ref.field);
  return { 'count.$': path, 'last.$': `States.MathAdd(${path}, -1)`, 'starts.$': `States.ArrayRange(0, States.MathAdd(${path}, -1), ${ARRAY_RANGE_LIMIT})` };
}

/**
 * Above 1,000 instances ArrayRange cannot list the indexes, so the Map runs over chunk starts (0, 1000,
 * 2000 …) and each child builds its own range and runs it as an inline Map.
 */
export function distributedChunks(context: FanOutContext, parallel: CountSource): Fragment {
  const { task, names, inputs } = context;
  const scratch = StatePaths.scratch;
  const chunkParameters = chunkStarts(parallel);
  const chunks = single(names.helper(task.name, 'chunks'), { Type: 'Pass', Parameters: chunkParameters, ResultPath: scratch });

  const { outer, inner } = splitConcurrency(task.fanOut?.concurrency, undefined, INLINE_FAN_OUT_LIMIT);
  const end = names.helper(task.name, 'chunk-end');
  const clip = names.helper(task.name, 'chunk-clip');
  const last = names.helper(task.name, 'chunk-last');
  const range = names.helper(task.name, 'chunk-range');
  const workers = names.helper(task.name, 'chunk-workers');
  const instance = runInstance(
    task,
    context.workflow,
    { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', params: '$.params', inputs: '$.inputs', executionId: '$.execution_id' },
    { stateName: names.instanceState(task.name, 'chunk-child'), outputSpillBytes: outputSpillBytes(ARRAY_RANGE_LIMIT) },
    (s) => names.helper(task.name, s),
  );
  const workersState: MapState = {
    Type: 'Map',
    Comment: `The instances of ${task.name} in one chunk`,
    ItemsPath: '$.range.indexes',
    ItemSelector: {
      'parallel_index.$': '$$.Map.Item.Value',
      'parallel_count.$': '$.parallel_count',
      'params.$': '$.params',
      'inputs.$': '$.inputs',
      'execution_id.$': '$.execution_id',
    },
    ItemProcessor: processor(instance),
    ...(inner ? { MaxConcurrency: inner } : {}),
  };
  const childStates: Record<string, State> = {
    [end]: { Type: 'Pass', Parameters: { 'end.$': `States.MathAdd($.start, ${ARRAY_RANGE_LIMIT - 1})` }, ResultPath: '$.range', Next: clip },
    [clip]: { Type: 'Choice', Choices: [{ Variable: '$.range.end', NumericGreaterThanPath: '$.last', Next: last }], Default: range },
    [last]: { Type: 'Pass', Parameters: { 'end.$': '$.last' }, ResultPath: '$.range', Next: range },
    [range]: { Type: 'Pass', Parameters: { 'indexes.$': 'States.ArrayRange($.start, $.range.end, 1)' }, ResultPath: '$.range', Next: workers },
    [workers]: workersState,
  };
  const child: Fragment = { start: end, states: childStates, exits: [workers] };
  const seconds = worstInstanceSeconds(task);
  const waves = Math.ceil(ARRAY_RANGE_LIMIT / (inner ?? INLINE_FAN_OUT_LIMIT));
  const map = distributedMap(context, {
    name: names.helper(task.name, 'distributed-chunks'),
    comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} parallel instances of ${task.name}, ${ARRAY_RANGE_LIMIT} per child execution`,
    items: { path: `${scratch}.starts` },
    itemSelector: {
      'start.$': '$$.Map.Item.Value',
      'last.$': `${scratch}.last`,
      'parallel_count.$': `${scratch}.count`,
      'params.$': StatePaths.params,
      inputs,
      ...PARENT_EXECUTION,
    },
    child,
    childSeconds: seconds === undefined ? undefined : seconds * waves,
    perChild: 'list',
    ...(outer ? { maxConcurrency: outer } : {}),
    grouping: 'chunk',
    instancesPerChild: ARRAY_RANGE_LIMIT,
    workers: { state: workers, ...(inner ? { maxConcurrency: inner } : {}) },
  });
  return chain([chunks, map]);
}

/** `foreach:` with `parallel:`: one child per element, running that element's workers inline. */
export function distributedForeachParallel(context: FanOutContext, foreach: FieldReference, parallel: CountSource): Fragment {
  const { task, names, inputs } = context;
  const count = single(names.helper(task.name, 'count-d'), { Type: 'Pass', Parameters: countParameters(parallel), ResultPath: StatePaths.scratch });
  const perItem = parallel.kind === 'static' ? parallel.count : undefined;
  const { outer, inner } = splitConcurrency(task.fanOut?.concurrency, perItem, INLINE_FAN_OUT_LIMIT);
  const instance = runInstance(
    task,
    context.workflow,
    {
      parallelIndex: '$.parallel_index',
      parallelCount: '$.parallel_count',
      item: '$.item',
      itemIndex: '$.item_index',
      params: '$.params',
      inputs: '$.inputs',
      executionId: '$.execution_id',
    },
    { stateName: names.instanceState(task.name, 'child'), outputSpillBytes: outputSpillBytes(perItem ?? ARRAY_RANGE_LIMIT) },
    (s) => names.helper(task.name, s),
  );
  const workers = workersMap(context, instance, inner, true);
  const workersName = names.helper(task.name, 'workers-d');
  const seconds = worstInstanceSeconds(task);
  const map = distributedMap(context, {
    name: names.helper(task.name, 'distributed'),
    comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} instances of ${task.name} per element of ${foreach.text}, one child execution per element`,
    items: storedItems(foreach),
    itemSelector: { ...elementSelector(inputs), ...PARENT_EXECUTION },
    child: single(workersName, workers),
    childSeconds: perItem !== undefined && seconds !== undefined ? seconds * Math.ceil(perItem / (inner ?? INLINE_FAN_OUT_LIMIT)) : undefined,
    perChild: 'list',
    ...(outer ? { maxConcurrency: outer } : {}),
    grouping: 'workers',
    instancesPerChild: perItem,
    workers: { state: workersName, ...(inner ? { maxConcurrency: inner } : {}) },
  });
  return chain([count, map]);
}

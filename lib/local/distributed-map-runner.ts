import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StateMachine as InterpreterStateMachine } from 'aws-local-stepfunctions';
import { DISTRIBUTED_MAX_CONCURRENCY, INLINE_MAP_CONCURRENCY, type TaskManifest } from '../../compiler/index.js';
import type { DistributedMapDefinition } from './distributed-map.js';
import { EXCEEDED_THRESHOLD_ERROR, exceedsThreshold, type FailureThreshold } from './failure-threshold.js';
import { MapRunResults } from './map-run-results.js';
import { evaluatePath, evaluatePayloadTemplate } from './payload-template.js';
import type { AttemptRecord, RunObserver, ToleratedFailure } from './run-events.js';
import { failedAttemptOf } from './attempt-failure.js';
import type { TaskHandler } from './task-handlers.js';

/**
 * Locally, the most children in flight at once, whatever MaxConcurrency says: each holds an interpreter
 * execution, and the worker pool (--max-workers) bounds how many tasks really run.
 */
export const LOCAL_MAX_CHILDREN_IN_FLIGHT = 1_000;
/**
 * Children in flight when MaxConcurrency is absent or 0 (AWS's 10,000). The worker pool starts a worker for
 * an instance that has waited 100 ms, so 1,000 queued no-op instances made it start 132 Python workers on
 * 2 cores, and 10,000 of them took 97 s instead of 8.6 s at 100. Like inline-map-concurrency's 40: about
 * what the machine runs, and an explicit MaxConcurrency (a `concurrency:` for I/O-bound tasks) still wins.
 */
export const LOCAL_DEFAULT_CHILDREN_IN_FLIGHT = 100;

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

type StateMachineClass = typeof InterpreterStateMachine;

/** A Map run that failed: too many children failed (or one did, with no tolerance), or its items could not be read. */
export class MapRunFailure extends Error {
  constructor(
    name: string,
    message: string,
    /** The task attempt whose failure exceeded the threshold, when a task failed. */
    readonly attempt?: AttemptRecord,
    /** That child's error, as its execution reported it. */
    readonly childError?: { readonly error: string; readonly cause: string },
  ) {
    super(message);
    this.name = name;
  }
}

export interface DistributedMapRunnerOptions {
  /** The Distributed Maps the local adaptation replaced, by state name (distributedMapsOf). */
  readonly maps: ReadonlyMap<string, DistributedMapDefinition>;
  /**
   * The handlers children run with: every task handler and the handlers this returns (a Distributed Map may
   * sit inside another one's ItemProcessor). Read when a child starts, so the caller may add these to it.
   */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  readonly StateMachine: StateMachineClass;
  readonly manifest: TaskManifest;
  /** The parent execution's context object (`$$` in ItemReader, ItemSelector and BatchInput). */
  readonly parentContext: Readonly<Record<string, unknown>>;
  readonly observer: RunObserver;
  /** Stops every child (the run was aborted or has ended). */
  readonly signal?: AbortSignal;
  /** Children in flight at once when MaxConcurrency does not say fewer (default: see LOCAL_*_CHILDREN_IN_FLIGHT). */
  readonly maxInFlight?: number;
}

/** One child execution's input, and the items it covers. */
interface ChildUnit {
  readonly index: number;
  readonly firstItem: number;
  readonly items: number;
  readonly input: unknown;
}

/**
 * The task each Distributed Map fans out, by state name, as emit recorded it (the manifest's fanOut.maps).
 * A hand-written Map has no record: its failures are labelled with its state name.
 */
function fanOutTasks(manifest: TaskManifest): ReadonlyMap<string, string> {
  const tasks = new Map<string, string>();
  for (const task of manifest.tasks) for (const map of task.fanOut?.maps ?? []) if (map.mode === 'distributed') tasks.set(map.state, map.task);
  return tasks;
}

function integerField(value: number | undefined, pathField: string | undefined, input: unknown, context: unknown): number | undefined {
  if (pathField === undefined) return value;
  const found = evaluatePath(pathField, input, context);
  if (typeof found !== 'number' || !Number.isFinite(found) || found < 0)
    throw new MapRunFailure('States.Runtime', `'${pathField}' of a Distributed Map must select a non-negative number, not ${JSON.stringify(found)}`);
  return found;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/**
 * Handlers (keyed by state name, as the interpreter's taskResourceLocalHandlers are) for the Tasks that
 * stand in for Distributed Maps. Each does what a Map run does on AWS: reads the items (ItemReader or
 * ItemsPath), shapes each (ItemSelector) and batches them (ItemBatcher), runs each item or batch as a child
 * execution of the ItemProcessor, MaxConcurrency at a time, fails once failed items exceed the tolerated
 * threshold, and returns the children's outputs in item order — or, with a ResultWriter, writes AWS's
 * result files and returns `{MapRunArn, ResultWriterDetails}`. The children's events stay out of the
 * parent's history, as on AWS.
 */
export function createDistributedMapHandlers(options: DistributedMapRunnerOptions): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  const workflow = String((options.parentContext.StateMachine as { Name?: unknown } | undefined)?.Name ?? options.manifest.workflow);
  const fanOuts = fanOutTasks(options.manifest);
  for (const [stateName, map] of options.maps) {
    const { ProcessorConfig: config, ...processor } = map.ItemProcessor;
    // The processor is validated here, once: it has left the parent's definition, which the interpreter validated.
    const machine = new options.StateMachine(processor as never, { validationOptions: { checkArn: true, checkPaths: true } });
    const task = fanOuts.get(stateName);
    const express = config.ExecutionType === 'EXPRESS';
    handlers[stateName] = (input) => runMap({ stateName, map, machine, task, express, workflow, input, options });
  }
  return handlers;
}

interface MapRun {
  readonly stateName: string;
  readonly map: DistributedMapDefinition;
  readonly machine: InterpreterStateMachine;
  /** The task whose instances the children run, when emit recorded the Map as its fan-out. */
  readonly task: string | undefined;
  readonly express: boolean;
  readonly workflow: string;
  readonly input: unknown;
  readonly options: DistributedMapRunnerOptions;
}

function readItems(map: DistributedMapDefinition, input: unknown, context: unknown): unknown[] {
  const reader = map.ItemReader;
  if (!reader) {
    const items = evaluatePath(map.ItemsPath ?? '$', input, context);
    if (!Array.isArray(items)) throw new MapRunFailure('States.Runtime', `the ItemsPath '${map.ItemsPath ?? '$'}' of a Distributed Map must select an array`);
    return items;
  }
  if (reader.Resource !== 'arn:aws:states:::s3:getObject' || reader.ReaderConfig?.InputType !== 'JSON') {
    throw new MapRunFailure(
      'States.Runtime',
      `the local Distributed Map runner reads items only from a JSON file (ItemReader Resource ` +
        `arn:aws:states:::s3:getObject, ReaderConfig.InputType JSON), not ${reader.Resource} / ` +
        `${reader.ReaderConfig?.InputType ?? 'no InputType'}`,
    );
  }
  const { Bucket: bucket, Key: key } = evaluatePayloadTemplate(reader.Parameters ?? {}, input, context) as { Bucket?: unknown; Key?: unknown };
  if (typeof bucket !== 'string' || typeof key !== 'string')
    throw new MapRunFailure('States.Runtime', 'the ItemReader of a Distributed Map needs Parameters Bucket and Key (strings)');
  // Locally a bucket is a directory (the run's payload store, for Ork's own lists).
  const file = path.join(bucket, key);
  let items: unknown;
  try {
    items = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new MapRunFailure('States.ItemReaderFailed', `could not read the items of a Distributed Map from ${file}: ${describe(error)}`);
  }
  if (!Array.isArray(items)) throw new MapRunFailure('States.ItemReaderFailed', `the items file of a Distributed Map (${file}) must hold a JSON array`);
  const maxItems = integerField(reader.ReaderConfig.MaxItems, reader.ReaderConfig.MaxItemsPath, input, context);
  return maxItems ? items.slice(0, maxItems) : items;
}

/** Each child's input, made as the child starts: a 100,000-item Map never holds 100,000 child inputs. */
function* childUnits(
  map: DistributedMapDefinition,
  items: readonly unknown[],
  input: unknown,
  context: Readonly<Record<string, unknown>>,
): Generator<ChildUnit> {
  const selector = map.ItemSelector ?? map.Parameters;
  const select = (index: number): unknown =>
    selector ? evaluatePayloadTemplate(selector, input, { ...context, Map: { Item: { Index: index, Value: items[index] } } }) : items[index];
  const batcher = map.ItemBatcher;
  if (!batcher) {
    for (let i = 0; i < items.length; i++) yield { index: i, firstItem: i, items: 1, input: select(i) };
    return;
  }
  const maxItems = integerField(batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, input, context) || Infinity;
  const maxBytes = integerField(batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, input, context) || Infinity;
  if (maxItems === Infinity && maxBytes === Infinity)
    throw new MapRunFailure('States.Runtime', 'an ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch');
  const batchInput = batcher.BatchInput ? evaluatePayloadTemplate(batcher.BatchInput, input, context) : undefined;
  const wrap = (selected: unknown[]): unknown => (batchInput === undefined ? { Items: selected } : { Items: selected, BatchInput: batchInput });
  let batch: unknown[] = [];
  let bytes = 0;
  let first = 0;
  let index = 0;
  for (let i = 0; i < items.length; i++) {
    const selected = select(i);
    const size = maxBytes === Infinity ? 0 : Buffer.byteLength(JSON.stringify(selected));
    if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes)) {
      yield { index: index++, firstItem: first, items: batch.length, input: wrap(batch) };
      batch = [];
      bytes = 0;
      first = i;
    }
    batch.push(selected);
    bytes += size;
  }
  if (batch.length > 0) yield { index, firstItem: first, items: batch.length, input: wrap(batch) };
}

/** How many task instances the Map will run, when that is clear from its items (for progress). */
function instanceCount(map: DistributedMapDefinition, items: number, firstChildInput: unknown): number | undefined {
  const inner = Object.values(map.ItemProcessor.States).find((s) => s.Type === 'Map');
  if (!inner) return items;
  if (map.ItemBatcher) return undefined;
  // foreach × parallel: each child runs the item's workers as an inline Map over the same indexes. (A chunk
  // of a large `parallel:` builds its range inside the child: its count is not known here.)
  try {
    const workers = evaluatePath(inner.ItemsPath ?? '$', firstChildInput, {});
    return Array.isArray(workers) ? items * workers.length : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default, counted in instances: a child that runs its own inline Map (a chunk of 1,000 indexes, an
 * element's workers) runs that Map's MaxConcurrency instances at once, so fewer such children go at once.
 * 20,000 chunked instances took 38 s with 100 chunks in flight (4,000 instances queued on the workers).
 */
function defaultChildrenInFlight(map: DistributedMapDefinition): number {
  let widest = 1;
  for (const state of Object.values(map.ItemProcessor.States)) {
    if (state.Type === 'Map' && state.ItemProcessor.ProcessorConfig.Mode === 'INLINE')
      widest = Math.max(widest, state.MaxConcurrency || INLINE_MAP_CONCURRENCY);
  }
  return Math.max(1, Math.floor(LOCAL_DEFAULT_CHILDREN_IN_FLIGHT / widest));
}

/** Runs one Map: what a Distributed Map's map run does on AWS. */
async function runMap(run: MapRun): Promise<unknown> {
  const { map, options, stateName } = run;
  const mapRunId = randomUUID();
  const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${run.workflow}/${stateName}`;
  const mapRunArn = `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:${run.workflow}/${stateName}:${mapRunId}`;
  const context = options.parentContext;
  const items = readItems(map, run.input, context);
  const threshold: FailureThreshold = {
    ...(map.ToleratedFailureCount !== undefined || map.ToleratedFailureCountPath !== undefined
      ? { count: integerField(map.ToleratedFailureCount, map.ToleratedFailureCountPath, run.input, context) }
      : {}),
    ...(map.ToleratedFailurePercentage !== undefined || map.ToleratedFailurePercentagePath !== undefined
      ? { percentage: integerField(map.ToleratedFailurePercentage, map.ToleratedFailurePercentagePath, run.input, context) }
      : {}),
  };
  const concurrency = integerField(map.MaxConcurrency, map.MaxConcurrencyPath, run.input, context) || 0;
  const limit =
    concurrency === 0
      ? (options.maxInFlight ?? defaultChildrenInFlight(map))
      : Math.min(concurrency, DISTRIBUTED_MAX_CONCURRENCY, options.maxInFlight ?? LOCAL_MAX_CHILDREN_IN_FLIGHT);

  let writer: MapRunResults | undefined;
  if (map.ResultWriter) {
    if (map.ResultWriter.Resource !== 'arn:aws:states:::s3:putObject')
      throw new MapRunFailure(
        'States.Runtime',
        `the local Distributed Map runner writes results only with arn:aws:states:::s3:putObject, not ${map.ResultWriter.Resource}`,
      );
    const { Bucket: bucket, Prefix: prefix } = evaluatePayloadTemplate(map.ResultWriter.Parameters ?? {}, run.input, context) as {
      Bucket?: unknown;
      Prefix?: unknown;
    };
    if (typeof bucket !== 'string') throw new MapRunFailure('States.Runtime', 'the ResultWriter of a Distributed Map needs a Bucket (a string)');
    writer = new MapRunResults(bucket, typeof prefix === 'string' ? prefix : '', mapRunId, mapRunArn);
  }
  // Without a ResultWriter the Map outputs every child's output, in item order (one per batch).
  const outputs: unknown[] = [];
  const tolerated: ToleratedFailure[] = [];
  let failedItems = 0;
  let exceeded: MapRunFailure | undefined;
  /** An error of the runner itself (writing a result file): it fails the Map state. */
  let internal: unknown;
  const running = new Set<() => void>();
  const stopAll = (): void => running.forEach((abort) => abort());
  const onAbort = (): void => stopAll();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // At most `limit` children in flight: a slot is handed from a child that ends to the loop that starts them.
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  let drained: (() => void) | undefined;
  const release = (): void => {
    inFlight--;
    waiting?.();
    waiting = undefined;
    if (inFlight === 0) drained?.();
  };

  const runChild = async (unit: ChildUnit): Promise<void> => {
    const name = randomUUID();
    const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:${run.express ? 'express' : 'execution'}:${run.workflow}/${stateName}:${name}`;
    const startDate = new Date().toISOString();
    const execution = run.machine.run(unit.input as never, {
      overrides: { taskResourceLocalHandlers: options.handlers as never },
      context: { ...context, Execution: { Id: executionArn, Name: name }, StateMachine: { Id: machineArn, Name: `${run.workflow}/${stateName}` } } as never,
    });
    running.add(execution.abort);
    const common = {
      ExecutionArn: executionArn,
      Input: JSON.stringify(unit.input),
      InputDetails: { Included: true },
      Name: name,
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      StartDate: startDate,
      StateMachineArn: machineArn,
    } as const;
    try {
      const output: unknown = await execution.result;
      if (writer)
        writer.add({ ...common, Output: JSON.stringify(output), OutputDetails: { Included: true }, Status: 'SUCCEEDED', StopDate: new Date().toISOString() });
      else outputs[unit.index] = output;
    } catch (thrown) {
      // Children stopped because the run ended or the threshold was exceeded are ABORTED on AWS: not failures.
      if (exceeded || internal !== undefined || options.signal?.aborted) return;
      const cause = thrown instanceof Error && thrown.name === 'ExecutionError' && thrown.cause !== undefined ? thrown.cause : thrown;
      const error = cause instanceof Error ? cause.name : 'States.Runtime';
      const message = describe(cause);
      writer?.add({ ...common, Error: error, Cause: message, Status: 'FAILED', StopDate: new Date().toISOString() });
      // A child that failed because a Distributed Map inside it did (a nested Map run): the instance that failed that one.
      const attempt = failedAttemptOf(cause) ?? (cause instanceof MapRunFailure ? cause.attempt : undefined);
      const instance =
        attempt?.label ??
        `${run.task ?? stateName}[${unit.items > 1 ? `items ${unit.firstItem}…${unit.firstItem + unit.items - 1}` : `item ${unit.firstItem}`}]`;
      failedItems += unit.items;
      // A tolerated failure's place in the outputs (no ResultWriter) holds null.
      if (!writer) outputs[unit.index] = null;
      if (exceedsThreshold(failedItems, items.length, threshold)) {
        const allowed =
          threshold.count === undefined && threshold.percentage === undefined
            ? 'none tolerated'
            : [
                threshold.count !== undefined ? `${threshold.count} tolerated` : '',
                threshold.percentage !== undefined ? `${threshold.percentage}% tolerated` : '',
              ]
                .filter(Boolean)
                .join(', ');
        exceeded = new MapRunFailure(
          EXCEEDED_THRESHOLD_ERROR,
          `${failedItems} of ${items.length} items failed (${allowed}); ${instance} failed: ${error}: ${message}`,
          attempt,
          { error, cause: message },
        );
        stopAll();
      } else {
        tolerated.push({ task: attempt?.id.task ?? run.task ?? stateName, instance, error, message, ...(attempt ? { key: attempt.key } : {}) });
      }
    } finally {
      running.delete(execution.abort);
    }
  };

  try {
    let first = true;
    for (const unit of childUnits(map, items, run.input, context)) {
      if (first && run.task) {
        const count = instanceCount(map, items.length, unit.input);
        if (count !== undefined) options.observer.fanOutSized?.(run.task, count);
      }
      first = false;
      if (exceeded || internal !== undefined || options.signal?.aborted) break;
      if (inFlight >= limit) await new Promise<void>((resolve) => (waiting = resolve));
      if (exceeded || internal !== undefined || options.signal?.aborted) break;
      inFlight++;
      void runChild(unit)
        .catch((error: unknown) => {
          internal ??= error;
          stopAll();
        })
        .finally(release);
    }
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  } catch (error) {
    // An item that cannot be shaped (a path that selects nothing) fails the Map: stop the children running.
    stopAll();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (options.signal?.aborted) throw new MapRunFailure('Ork.Aborted', 'the run was aborted');
  if (internal !== undefined) throw internal;
  // AWS writes the results of a failed Map run too.
  const details = writer?.finish();
  if (exceeded) throw exceeded;
  for (const failure of tolerated) options.observer.failureTolerated?.(failure);
  return details ? { MapRunArn: mapRunArn, ResultWriterDetails: details } : outputs;
}

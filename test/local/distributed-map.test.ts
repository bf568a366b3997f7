import '../../lib/local/promise-polyfill.js';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FanOutMap, StateMachineDefinition, TaskManifest, TaskManifestEntry } from '../../compiler/index.js';
import { createDistributedMapHandlers, MapRunFailure } from '../../lib/local/distributed-map-runner.js';
import { adaptForLocal } from '../../lib/local/local-adaptation.js';
import { withMovedParameters } from '../../lib/local/task-parameters-in-handler.js';
import type { ToleratedFailure } from '../../lib/local/run-events.js';
import type { TaskHandler } from '../../lib/local/task-handlers.js';
import { LOCAL_SUCCEEDED_KEYS } from '../support/result-file-records.js';

/**
 * The local Distributed Map runner (lib/local/distributed-map-runner.ts) on hand-written ASL, with stub
 * task handlers in place of workers: items from a file or ItemsPath, ItemSelector, batching, tolerated
 * failures by count and percentage, exceeding them, ResultWriter files in AWS's format, nested Maps in a
 * child, MaxConcurrency, and a parent history that does not grow with the item count.
 */

const lambda = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-distributed-map-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const task: TaskManifestEntry = {
  name: 'work',
  executor: 'python',
  file: 'tasks/work.py',
  memoryMb: 128,
  env: {},
  dependsOn: ['make'],
  stateName: 'work-child',
  stateNames: ['work-child'],
  placeholders: [],
};

/**
 * A manifest as emit writes it: `work` fans out over `make.items` through the Distributed Map `fan-out`,
 * whose record (fanOut.maps) is how the runner knows which task its children run.
 */
const manifest: TaskManifest = {
  workflow: 'dm',
  params: {},
  tasks: [
    {
      ...task,
      fanOut: {
        foreach: 'make.items',
        mode: 'distributed',
        kinds: { inline: false, distributed: true },
        maps: [
          {
            task: 'work',
            state: 'fan-out',
            path: ['fan-out'],
            mode: 'distributed',
            executionType: 'STANDARD',
            grouping: 'single',
            instancesPerChild: 1,
            items: { from: 'state', path: '$.list' },
          },
        ],
      },
    },
  ],
};

/** The manifest with `fan-out`'s record changed: what emit records for another shape of Map. */
function withRecord(changes: Partial<FanOutMap>): TaskManifest {
  const fanOut = manifest.tasks[0]!.fanOut!;
  return { ...manifest, tasks: [{ ...task, fanOut: { ...fanOut, maps: fanOut.maps.map((m) => ({ ...m, ...changes })) } }] };
}

/** A definition whose only state is `map` (a Distributed Map running `child` states), then a Pass. */
function withMap(
  map: Record<string, unknown>,
  child: Record<string, unknown> = { 'work-child': { Type: 'Task', Resource: lambda('work'), End: true } },
): StateMachineDefinition {
  return {
    StartAt: 'fan-out',
    States: {
      'fan-out': {
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: Object.keys(child)[0], States: child },
        ResultPath: '$.out',
        Next: 'done',
        ...map,
      },
      done: { Type: 'Pass', End: true },
    },
  } as unknown as StateMachineDefinition;
}

interface Outcome {
  output?: Record<string, unknown>;
  error?: Error;
  events: number;
  tolerated: ToleratedFailure[];
  sized: number[];
}

/** Adapts and runs `definition` as `runLocally` does, with `handlers` for the task states. */
async function run(
  definition: StateMachineDefinition,
  handlers: Record<string, TaskHandler>,
  input: unknown = {},
  taskManifest: TaskManifest = manifest,
): Promise<Outcome> {
  const { definition: local, distributedMaps } = adaptForLocal(definition);
  const tolerated: ToleratedFailure[] = [];
  const sized: number[] = [];
  const all = withMovedParameters(definition, handlers);
  const parentContext = { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:execution:dm:run' }, StateMachine: { Name: 'dm' }, State: { RetryCount: 0 } };
  Object.assign(
    all,
    createDistributedMapHandlers({
      maps: distributedMaps,
      handlers: all,
      StateMachine,
      manifest: taskManifest,
      parentContext,
      observer: { failureTolerated: (f) => tolerated.push(f), fanOutSized: (_, n) => sized.push(n) },
    }),
  );
  const machine = new StateMachine(local as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: all as never }, context: parentContext as never });
  let events = 0;
  const counted = (async () => {
    for await (const _ of execution.eventLogs) events++;
  })();
  try {
    const output = (await execution.result) as Record<string, unknown>;
    await counted;
    return { output, events, tolerated, sized };
  } catch (thrown) {
    await counted;
    const cause = thrown instanceof Error && thrown.cause instanceof Error ? thrown.cause : (thrown as Error);
    return { error: cause, events, tolerated, sized };
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const double: TaskHandler = async (input) => ({ doubled: (input as { item: number }).item * 2 });
/** Fails for the items listed. */
const failingOn =
  (bad: readonly number[]): TaskHandler =>
  async (input) => {
    const { item } = input as { item: number };
    if (bad.includes(item)) throw Object.assign(new Error(`item ${item} is bad`), { name: 'Bad.Item' });
    return { item };
  };

describe('Distributed Map, locally', () => {
  it('reads items from a JSON file (ItemReader, Bucket and Key by path), selects each, returns outputs in item order', async () => {
    const bucket = path.join(work, 'bucket');
    mkdirSync(path.join(bucket, 'lists'), { recursive: true });
    writeFileSync(path.join(bucket, 'lists', 'items.json'), JSON.stringify(range(25)));
    const definition = withMap({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.where.bucket', Key: 'lists/items.json' },
      },
      ItemSelector: { 'item.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
    });
    const seen: unknown[] = [];
    const outcome = await run(definition, { 'work-child': async (input) => (seen.push(input), double(input)) }, { where: { bucket }, tag: 'x' });
    expect(outcome.error).toBeUndefined();
    expect(outcome.output?.out).toEqual(range(25).map((i) => ({ doubled: i * 2 })));
    expect(seen).toContainEqual({ item: 7, index: 7, tag: 'x' });
    expect(outcome.sized).toEqual([25]);
  });

  it('takes items from ItemsPath, with the child execution’s own $$.Execution', async () => {
    const definition = withMap(
      { ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value', 'parent.$': '$$.Execution.Id' } },
      {
        'work-child': {
          Type: 'Task',
          Resource: lambda('work'),
          Parameters: { 'item.$': '$.item', 'parent.$': '$.parent', 'self.$': '$$.Execution.Id' },
          End: true,
        },
      },
    );
    const outcome = await run(definition, { 'work-child': async (input) => input }, { list: ['a', 'b'] });
    const out = outcome.output?.out as { item: string; parent: string; self: string }[];
    expect(out.map((o) => o.item)).toEqual(['a', 'b']);
    expect(out[0]?.parent).toBe('arn:aws:states:us-east-1:000000000000:execution:dm:run');
    expect(out[0]?.self).toMatch(/^arn:aws:states:us-east-1:000000000000:execution:dm\/fan-out:/);
    expect(out[0]?.self).not.toBe(out[1]?.self);
  });

  it('batches items (ItemBatcher): each child gets {Items, BatchInput}', async () => {
    const definition = withMap({
      ItemsPath: '$.list',
      ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index' },
      ItemBatcher: { MaxItemsPerBatch: 4, BatchInput: { 'params.$': '$.params', fixed: 1 } },
    });
    const batches: unknown[] = [];
    const outcome = await run(
      definition,
      { 'work-child': async (input) => (batches.push(input), (input as { Items: unknown[] }).Items.length) },
      { list: range(10).map((i) => `i${i}`), params: { p: true } },
    );
    expect(outcome.output?.out).toEqual([4, 4, 2]);
    expect(batches[0]).toEqual({ Items: range(4).map((i) => ({ item: `i${i}`, item_index: i })), BatchInput: { params: { p: true }, fixed: 1 } });
    expect(outcome.sized).toEqual([10]);
  });

  it('tolerates failures up to ToleratedFailureCount, and reports them', async () => {
    const definition = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' }, ToleratedFailureCount: 2 });
    const outcome = await run(definition, { 'work-child': failingOn([3, 8]) }, { list: range(10) });
    expect(outcome.error).toBeUndefined();
    expect(outcome.tolerated.map((f) => [f.task, f.instance, f.error])).toEqual(
      expect.arrayContaining([
        ['work', 'work[item 3]', 'Bad.Item'],
        ['work', 'work[item 8]', 'Bad.Item'],
      ]),
    );
    const out = outcome.output?.out as unknown[];
    expect(out.filter((o) => o !== null)).toHaveLength(8);
  });

  it('names the task from the manifest’s record of the Map; a Map emit did not record is named by its state', async () => {
    const definition = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' }, ToleratedFailureCount: 1 });
    const unrecorded: TaskManifest = { ...manifest, tasks: [task] };
    const outcome = await run(definition, { 'work-child': failingOn([1]) }, { list: range(3) }, unrecorded);
    expect(outcome.tolerated.map((f) => [f.task, f.instance])).toEqual([['fan-out', 'fan-out[item 1]']]);
    expect(outcome.sized).toEqual([]);
  });

  it('fails with States.ExceedToleratedFailureThreshold above the count, and starts no more children', async () => {
    const definition = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' }, ToleratedFailureCount: 2, MaxConcurrency: 1 });
    const started: number[] = [];
    const failing = failingOn([0, 1, 2, 3]);
    const outcome = await run(
      definition,
      { 'work-child': async (input) => (started.push((input as { item: number }).item), failing(input)) },
      { list: range(50) },
    );
    expect(outcome.error?.name).toBe('States.ExceedToleratedFailureThreshold');
    expect(outcome.error?.message).toMatch(/3 of 50 items failed \(2 tolerated\); work\[item 2\] failed: Bad.Item: item 2 is bad/);
    expect(started).toEqual([0, 1, 2]);
    expect(outcome.tolerated).toEqual([]);
  });

  it('ToleratedFailurePercentage: 20% of 10 items tolerates 2 failures, not 3', async () => {
    const definition = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' }, ToleratedFailurePercentage: 20 });
    expect((await run(definition, { 'work-child': failingOn([1, 5]) }, { list: range(10) })).error).toBeUndefined();
    expect((await run(definition, { 'work-child': failingOn([1, 5, 9]) }, { list: range(10) })).error?.name).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('with no tolerance, any failure fails the Map; a Catch on it still catches that', async () => {
    const plain = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' } });
    const failed = await run(plain, { 'work-child': failingOn([4]) }, { list: range(10) });
    expect(failed.error).toBeInstanceOf(MapRunFailure);
    expect(failed.error?.name).toBe('States.ExceedToleratedFailureThreshold');
    const caught = withMap({
      ItemsPath: '$.list',
      ItemSelector: { 'item.$': '$$.Map.Item.Value' },
      Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.caught', Next: 'done' }],
    });
    const outcome = await run(caught, { 'work-child': failingOn([4]) }, { list: range(10) });
    expect((outcome.output?.caught as { Error: string }).Error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('ResultWriter: writes AWS’s manifest and result files; the Map outputs MapRunArn and ResultWriterDetails', async () => {
    const bucket = path.join(work, 'results');
    const definition = withMap({
      ItemsPath: '$.list',
      ItemSelector: { 'item.$': '$$.Map.Item.Value' },
      ToleratedFailureCount: 1,
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: bucket, Prefix: 'ork-results/dm/work' } },
      ResultSelector: {
        ork_results: { 'bucket.$': '$.ResultWriterDetails.Bucket', 'key.$': '$.ResultWriterDetails.Key', per_child: 'one' },
        'arn.$': '$.MapRunArn',
      },
    });
    const outcome = await run(definition, { 'work-child': failingOn([2]) }, { list: range(5) });
    const out = outcome.output?.out as { ork_results: { bucket: string; key: string }; arn: string };
    expect(out.ork_results.bucket).toBe(bucket);
    expect(out.ork_results.key).toMatch(/^ork-results\/dm\/work\/[0-9a-f-]{36}\/manifest\.json$/);
    expect(out.arn).toMatch(/^arn:aws:states:us-east-1:000000000000:mapRun:dm\/fan-out:[0-9a-f-]{36}$/);
    const manifestFile = JSON.parse(readFileSync(path.join(bucket, out.ork_results.key), 'utf8')) as {
      DestinationBucket: string;
      MapRunArn: string;
      ResultFiles: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]>;
    };
    const directory = path.posix.dirname(out.ork_results.key);
    expect(manifestFile).toEqual({
      DestinationBucket: bucket,
      MapRunArn: out.arn,
      ResultFiles: {
        FAILED: [{ Key: `${directory}/FAILED_0.json`, Size: expect.any(Number) }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${directory}/SUCCEEDED_0.json`, Size: expect.any(Number) }],
      },
    });
    const succeeded = readFileSync(path.join(bucket, directory, 'SUCCEEDED_0.json'), 'utf8');
    expect(Buffer.byteLength(succeeded)).toBe(manifestFile.ResultFiles.SUCCEEDED[0]?.Size);
    const records = JSON.parse(succeeded) as Record<string, unknown>[];
    expect(records).toHaveLength(4);
    const record = records.find((r) => JSON.parse(r.Input as string).item === 0)!;
    expect(Object.keys(record).sort()).toEqual(LOCAL_SUCCEEDED_KEYS);
    expect(record).toMatchObject({
      Input: '{"item":0}',
      InputDetails: { Included: true },
      Output: '{"item":0}',
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      Status: 'SUCCEEDED',
      StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:dm/fan-out',
    });
    expect(record.ExecutionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:dm/fan-out:${record.Name as string}`);
    expect(Date.parse(record.StopDate as string)).toBeGreaterThanOrEqual(Date.parse(record.StartDate as string));
    const failed = JSON.parse(readFileSync(path.join(bucket, directory, 'FAILED_0.json'), 'utf8')) as Record<string, unknown>[];
    expect(failed).toEqual([expect.objectContaining({ Input: '{"item":2}', Error: 'Bad.Item', Cause: 'item 2 is bad', Status: 'FAILED' })]);
    expect(failed[0]).not.toHaveProperty('Output');
    expect(readdirSync(path.join(bucket, directory)).sort()).toEqual(['FAILED_0.json', 'SUCCEEDED_0.json', 'manifest.json']);
  });

  it('runs an inline Map inside each child (foreach × parallel)', async () => {
    const definition = withMap(
      { ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value', 'indexes.$': '$.indexes' } },
      {
        workers: {
          Type: 'Map',
          ItemsPath: '$.indexes',
          ItemSelector: { 'item.$': '$.item', 'parallel_index.$': '$$.Map.Item.Value' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'work-child',
            States: { 'work-child': { Type: 'Task', Resource: lambda('work'), End: true } },
          },
          End: true,
        },
      },
    );
    const outcome = await run(
      definition,
      { 'work-child': async (input) => `${(input as { item: string }).item}/${(input as { parallel_index: number }).parallel_index}` },
      { list: ['a', 'b', 'c'], indexes: [0, 1] },
      withRecord({ grouping: 'workers', instancesPerChild: 2, workers: { state: 'workers' } }),
    );
    expect(outcome.output?.out).toEqual([
      ['a/0', 'a/1'],
      ['b/0', 'b/1'],
      ['c/0', 'c/1'],
    ]);
    expect(outcome.sized).toEqual([6]);
  });

  it('runs a Distributed Map inside a Distributed Map’s child', async () => {
    const inner = {
      Type: 'Map',
      ItemsPath: '$.inner',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
        StartAt: 'work-child',
        States: { 'work-child': { Type: 'Task', Resource: lambda('work'), End: true } },
      },
      End: true,
    };
    const definition = withMap({ ItemsPath: '$.outer', ItemSelector: { 'inner.$': '$$.Map.Item.Value' } }, { 'inner-map': inner });
    const outcome = await run(definition, { 'work-child': async (input) => (input as number) * 10 }, { outer: [[1, 2], [3]] });
    expect(outcome.output?.out).toEqual([[10, 20], [30]]);
  });

  it('honours MaxConcurrency', async () => {
    let running = 0;
    let peak = 0;
    const slow: TaskHandler = async (input) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return input;
    };
    const outcome = await run(withMap({ ItemsPath: '$.list', MaxConcurrency: 3 }), { 'work-child': slow }, { list: range(30) });
    expect(outcome.error).toBeUndefined();
    expect(peak).toBe(3);
    peak = 0;
    await run(withMap({ ItemsPath: '$.list' }), { 'work-child': slow }, { list: range(30) });
    expect(peak).toBe(30);
  });

  it('the parent’s history does not grow with the number of items', async () => {
    const definition = withMap({ ItemsPath: '$.list', ItemSelector: { 'item.$': '$$.Map.Item.Value' } });
    const small = await run(definition, { 'work-child': double }, { list: range(5) });
    const large = await run(definition, { 'work-child': double }, { list: range(2000) });
    expect((large.output?.out as unknown[]).length).toBe(2000);
    expect(large.events).toBe(small.events);
    expect(small.events).toBeLessThan(10);
  });

  it('says clearly what it does not support', async () => {
    const csv = withMap({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV' }, Parameters: { Bucket: work, Key: 'x.csv' } },
    });
    expect((await run(csv, { 'work-child': double })).error?.message).toMatch(/only from a JSON file/);
    const intrinsic = withMap({ ItemsPath: '$.list', ItemSelector: { 'n.$': 'States.MathAdd($$.Map.Item.Index, 1)' } });
    expect((await run(intrinsic, { 'work-child': double }, { list: [1] })).error?.message).toMatch(/intrinsic functions are not supported/);
    const missing = withMap({
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: work, Key: 'absent.json' } },
    });
    expect((await run(missing, { 'work-child': double })).error?.name).toBe('States.ItemReaderFailed');
  });
});

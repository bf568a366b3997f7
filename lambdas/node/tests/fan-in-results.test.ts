/**
 * The downstream side of large fan-outs (docs/scale.md): a Distributed Map's results (`ork_results`: the
 * ResultWriter manifest and its result files) read back as the list of outputs in item order, and tolerated
 * failures (`ork_failed` markers, FAILED records) left out of that list and reported in `ctx.failures`. The
 * directory store (local runs) and S3 (moto), and the same lists as the Python SDK reads.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../ork/errors.js';
import { splitFailures } from '../ork/failures.js';
import { defineTask, z } from '../ork/index.js';
import { DirectoryStore, References, S3Store } from '../ork/payload-store.js';
import { motoServerAvailable } from '../../../test/support/moto-server.js';
import { EXECUTION, makePayload, python, run, runOk, useMotoS3 } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

const consumer = defineTask({ handler: (input, ctx) => ({ process: input.process, failures: ctx.failures }) });
// Reads nothing from its input: its context still reports the failures upstream.
const contextOnly = defineTask({ handler: (_input, ctx) => ctx.failures });
const strictContextOnly = defineTask({ input: z.strictObject({}), handler: (_input, ctx) => ctx.failures });

const ARN = 'arn:aws:states:us-east-1:123456789012:mapRun:etl/process:1';
type Rec = Record<string, unknown>;
const succeeded = (input: unknown, output: unknown): Rec => ({
  ExecutionArn: `${ARN}:child`,
  Input: JSON.stringify(input),
  InputDetails: { Included: true },
  Name: 'child',
  Output: JSON.stringify(output),
  Status: 'SUCCEEDED',
});
const failed = (input: unknown, error: string, cause: string): Rec => ({
  ExecutionArn: `${ARN}:bad`,
  Input: JSON.stringify(input),
  Name: 'bad',
  Status: 'FAILED',
  Error: error,
  Cause: cause,
});

type Write = (key: string, data: string) => Promise<void>;

/** Writes a manifest and its result files (one per list of records) and returns the Map's reference. */
async function writeResults(write: Write, bucket: string, prefix: string, files: { SUCCEEDED?: Rec[][]; FAILED?: Rec[][] }, perChild = 'one'): Promise<Rec> {
  const manifest = { DestinationBucket: bucket, MapRunArn: ARN, ResultFiles: { SUCCEEDED: [] as Rec[], FAILED: [] as Rec[], PENDING: [] as Rec[] } };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    for (const [n, records] of (files[status] ?? []).entries()) {
      const key = `${prefix}/${status}_${n}.json`;
      const data = JSON.stringify(records);
      await write(key, data);
      manifest.ResultFiles[status].push({ Key: key, Size: Buffer.byteLength(data) });
    }
  }
  await write(`${prefix}/manifest.json`, JSON.stringify(manifest));
  return { ork_results: { bucket, key: `${prefix}/manifest.json`, per_child: perChild } };
}

const batch = (...indexes: number[]): Rec => ({ Items: indexes.map((i) => ({ item: `i${i}`, item_index: i })), BatchInput: { params: {} } });

/** What the Python SDK makes of the same input, with the same store: the resolved list and the failures. */
function pythonReads(value: unknown, storeDir: string): unknown {
  return JSON.parse(
    python(
      `import json, sys
from ork.payload_store import References, store_from_environment
kept, failures = References(store_from_environment()).resolve_outputs(json.load(sys.stdin))
print(json.dumps({"kept": kept, "failures": [{k: v for k, v in f.to_json().items() if v is not None} for f in failures]}))`,
      { ORK_PAYLOAD_DIR: storeDir },
      JSON.stringify(value),
    ),
  );
}
const camel = (failures: unknown[]): unknown[] =>
  (failures as Rec[]).map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v])));

describe('results and failures (directory store)', () => {
  let tmp: ReturnType<typeof temporaryDirectory>;
  let store: DirectoryStore;
  let write: Write;
  beforeEach(() => {
    tmp = temporaryDirectory('ork-node-results-');
    store = new DirectoryStore(tmp.dir);
    write = async (key, data) => {
      mkdirSync(path.dirname(path.join(tmp.dir, key)), { recursive: true });
      writeFileSync(path.join(tmp.dir, key), data);
    };
  });
  afterEach(() => tmp.remove());

  it('records are put in item order (also an offloaded output), FAILED ones reported, as in Python', async () => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '10';
    const big = await new References(store).offload({ rows: 2, blob: 'x'.repeat(100) }, 'wf/run-1/process/p2.json');
    delete process.env.ORK_LARGE_OUTPUT_BYTES;
    const results = await writeResults(write, tmp.dir, 'ork-results/wf/process/run', {
      SUCCEEDED: [
        [succeeded({ item: 'c', item_index: 3, params: {} }, { rows: 3 }), succeeded({ item: 'a', item_index: 0 }, { rows: 0 })],
        [succeeded({ item: 'c', item_index: 2 }, big), succeeded({ item: 'b', item_index: 10 }, { rows: 10 })],
      ],
      FAILED: [[failed({ item: 'x', item_index: 1 }, 'ValueError', 'bad row in x')]],
    });
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { process: results } }), store);
    expect(output).toStrictEqual({
      process: [{ rows: 0 }, { rows: 2, blob: 'x'.repeat(100) }, { rows: 3 }, { rows: 10 }],
      failures: { process: [{ error: 'ValueError', cause: 'bad row in x', itemIndex: 1 }] },
    });
    const fromPython = pythonReads(results, tmp.dir) as { kept: unknown; failures: unknown[] };
    expect(fromPython.kept).toStrictEqual((output as Rec).process);
    expect(camel(fromPython.failures)).toStrictEqual(((output as Rec).failures as Rec).process);
  });

  it('a batch with per_child list is flattened in order; a failed batch fails each of its instances', async () => {
    const results = await writeResults(
      write,
      tmp.dir,
      'batched',
      {
        SUCCEEDED: [[succeeded(batch(4, 5), [{ i: 4 }, { i: 5 }]), succeeded(batch(0, 1), [{ i: 0 }, { i: 1 }])]],
        FAILED: [[failed(batch(2, 3), 'Ork.OutputValidationError', 'batch element 1 of 2 (item_index 2) failed')]],
      },
      'list',
    );
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { process: results } }), store);
    const out = output as { process: unknown; failures: { process: Rec[] } };
    expect(out.process).toStrictEqual([{ i: 0 }, { i: 1 }, { i: 4 }, { i: 5 }]);
    expect(out.failures.process.map((f) => [f.itemIndex, f.error])).toStrictEqual([
      [2, 'Ork.OutputValidationError'],
      [3, 'Ork.OutputValidationError'],
    ]);
    expect(pythonReads(results, tmp.dir)).toMatchObject({ kept: out.process });
  });

  it('chunks of indexes are ordered by start and flattened', async () => {
    const chunk = (start: number, n: number): Rec =>
      succeeded(
        { start, count: 2500 },
        Array.from({ length: n }, (_, i) => ({ p: start + i })),
      );
    const results = await writeResults(write, tmp.dir, 'chunks', { SUCCEEDED: [[chunk(2000, 500), chunk(0, 1000)], [chunk(1000, 1000)]] }, 'list');
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { process: results } }), store);
    expect((output as { process: { p: number }[] }).process.map((o) => o.p)).toStrictEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect((output as Rec).failures).toStrictEqual({});
  });

  it('parallel_index orders when there is no item_index; records without an index come last', async () => {
    const results = await writeResults(write, tmp.dir, 'parallel', {
      SUCCEEDED: [[...[7, 2, 9, 0].map((i) => succeeded({ parallel_index: i }, i)), succeeded({ other: 1 }, 'unindexed')]],
    });
    expect(await new References(store).resolve(results)).toStrictEqual([0, 2, 7, 9, 'unindexed']);
  });

  it('inline failure markers, also inside the workers of one item, are removed and reported', async () => {
    const marker = { ork_failed: { error: 'States.Timeout', cause: 'too slow', item_index: 1, parallel_index: 1 } };
    const results = await writeResults(
      write,
      tmp.dir,
      'workers',
      { SUCCEEDED: [[succeeded({ item: 'b', item_index: 1 }, [{ w: '1.0' }, marker]), succeeded({ item: 'a', item_index: 0 }, [{ w: '0.0' }, { w: '0.1' }])]] },
      'list',
    );
    const inline = [{ rows: 1 }, { ork_failed: { error: 'KeyError', cause: "'id'", item_index: 1 } }, { rows: 3 }];
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { process: results, other: inline, plain: { x: 1 } } }), store);
    expect(output).toStrictEqual({
      process: [{ w: '0.0' }, { w: '0.1' }, { w: '1.0' }],
      failures: {
        process: [{ error: 'States.Timeout', cause: 'too slow', itemIndex: 1, parallelIndex: 1 }],
        other: [{ error: 'KeyError', cause: "'id'", itemIndex: 1 }],
      },
    });
  });

  it('no failures: an empty object', async () => {
    expect((await runOk(consumer, makePayload('consumer', { inputs: { process: [1, 2] } }), store)).output).toStrictEqual({ process: [1, 2], failures: {} });
  });

  it('failures of fields the task does not read are reported without reading their outputs', async () => {
    const results = await writeResults(write, tmp.dir, 'unread', {
      SUCCEEDED: [[succeeded({ item_index: 0 }, 0)]],
      FAILED: [[failed({ item_index: 1 }, 'ValueError', 'boom')]],
    });
    // Outputs are never read for a field the task ignores: a missing SUCCEEDED file goes unnoticed.
    unlinkSync(path.join(tmp.dir, 'unread', 'SUCCEEDED_0.json'));
    const inline = [{ ork_failed: { error: 'E', cause: 'c', item_index: 5 } }, { ok: true }];
    const { output } = await runOk(strictContextOnly, makePayload('context_only', { inputs: { process: results, inline, fine: [1] } }), store);
    expect(output).toStrictEqual({ process: [{ error: 'ValueError', cause: 'boom', itemIndex: 1 }], inline: [{ error: 'E', cause: 'c', itemIndex: 5 }] });
    // A task without input schema reads every field: the missing file is then an error.
    const { error } = await run(contextOnly, makePayload('context_only', { inputs: { process: results } }), store);
    expect(describeFailure(error).type).toBe('Ork.PayloadStoreError');
  });

  it('splitFailures leaves other values alone', () => {
    expect(splitFailures({ ork_failed: { error: 'x' } })).toStrictEqual({ kept: { ork_failed: { error: 'x' } }, failures: [] });
    expect(splitFailures([1, { ork_failed: 'not an object' }])).toStrictEqual({ kept: [1, { ork_failed: 'not an object' }], failures: [] });
    expect(splitFailures([{ ork_failed: { error: 'E', cause: 'C', item_index: 2, extra: 1 } }])).toStrictEqual({
      kept: [],
      failures: [{ error: 'E', cause: 'C', itemIndex: 2 }],
    });
  });

  it('a missing manifest, or items that are not a list, are an Ork.PayloadStoreError with the cause', async () => {
    const { error } = await run(
      consumer,
      makePayload('consumer', { inputs: { process: { ork_results: { bucket: tmp.dir, key: 'nowhere/manifest.json', per_child: 'one' } } } }),
      store,
    );
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.PayloadStoreError', retryable: true });
    expect(describeFailure(error).message).toContain('nowhere/manifest.json');
    expect((error as Error).cause).toBeDefined();
    await write('items.json', '{"not": "a list"}');
    const notList = await new References(store).resolve({ ork_items: { bucket: tmp.dir, key: 'items.json', count: 1 } }).catch((e: unknown) => e);
    expect(describeFailure(notList).message).toContain('not a JSON array');
  });
});

describe.skipIf(!motoServerAvailable())('results and items on S3 (moto)', () => {
  const bucket = 'ork-node-results';
  const s3 = useMotoS3(bucket);

  it('a Distributed Map result set and a spilled list, read through GetObject', async () => {
    const store = new S3Store(bucket, 'runs');
    const references = new References(store);
    process.env.ORK_LARGE_OUTPUT_BYTES = '10';
    const big = await references.offload({ i: 1, blob: 'y'.repeat(50) }, 'wf/run-1/process/p1.json');
    delete process.env.ORK_LARGE_OUTPUT_BYTES;
    const write: Write = async (key, data) => {
      await s3().client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }));
    };
    const results = await writeResults(write, bucket, 'ork-results/wf/process/0123', {
      // Each child's Input carries the parent execution's id, as the Map's ItemSelector hands it down.
      SUCCEEDED: [
        [
          succeeded({ item_index: 2, execution_id: EXECUTION }, { i: 2 }),
          succeeded({ item_index: 1, execution_id: EXECUTION }, big),
          succeeded({ item_index: 0, execution_id: EXECUTION }, { i: 0 }),
        ],
      ],
      FAILED: [[failed({ item_index: 3, execution_id: EXECUTION }, 'States.TaskFailed', 'lambda failed')]],
    });
    const items = await references.storeItems(['a', 'b'], 'wf/run-1/discover/discover-attempt1-items-files.json');
    expect(items).toStrictEqual({ ork_items: { bucket, key: 'runs/wf/run-1/discover/discover-attempt1-items-files.json', count: 2 } });
    const task = defineTask({
      handler: (input, ctx) => ({
        process: input.process,
        files: (input.discover as { files: unknown }).files,
        failed: ctx.failures.process?.map((f) => f.itemIndex),
      }),
    });
    const { output } = await runOk(task, makePayload('consumer', { inputs: { process: results, discover: { files: items } } }), store);
    expect(output).toStrictEqual({ process: [{ i: 0 }, { i: 1, blob: 'y'.repeat(50) }, { i: 2 }], files: ['a', 'b'], failed: [3] });
  });
});

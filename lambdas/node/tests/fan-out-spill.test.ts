/**
 * The upstream side of large fan-outs (docs/scale.md): `fan_out_fields` spill a `foreach:` source list to the
 * payload store as `{"ork_items": …}`, and `output_spill_bytes` lowers an instance's offload threshold. The
 * directory store (local runs) and S3 (moto), and the same keys as the Python SDK.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../ork/errors.js';
import { itemsKey } from '../ork/fan-out.js';
import { defineTask, z } from '../ork/index.js';
import { DirectoryStore, References, S3Store } from '../ork/payload-store.js';
import { motoServerAvailable } from '../../../test/support/moto-server.js';
import { makePayload, python, restoreEnvironmentAfterEach, run, runOk, useMotoS3 } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

const kept = { files: [1, 2, 3] };
const discover = defineTask({
  input: z.object({ params: z.object({ n: z.number().default(0), own: z.boolean().default(false) }) }),
  handler: (input) =>
    input.params.own
      ? kept
      : {
          files: Array.from({ length: input.params.n }, (_, i) => `f${i}.csv`),
          few: ['a', 'b'],
          empty: [],
          name: 'not a list',
          nested: { parts: Array.from({ length: input.params.n }, (_, i) => i) },
        },
});

const consumer = defineTask({
  handler: (input) => {
    const up = input.discover as { files: unknown; nested: { parts: unknown } };
    return { files: up.files, parts: up.nested.parts, item: input.item ?? null };
  },
});

const spill = (fields: [(string | number)[], number][], params: Record<string, unknown> = {}): Record<string, unknown> =>
  makePayload('discover', { params, fan_out_fields: fields.map(([p, above]) => ({ path: p, above })) });

type Items = { ork_items: { bucket: string; key: string; count: number } };
const isRef = (value: unknown): boolean => typeof (value as { $ork_ref?: unknown })?.$ork_ref === 'string';

restoreEnvironmentAfterEach();
beforeEach(() => {
  delete process.env.ORK_LARGE_OUTPUT_BYTES;
});

describe('spilling fan-out sources (directory store)', () => {
  let tmp: ReturnType<typeof temporaryDirectory>;
  let store: DirectoryStore;
  beforeEach(() => {
    tmp = temporaryDirectory('ork-node-spill-');
    store = new DirectoryStore(path.join(tmp.dir, 'payloads'));
  });
  afterEach(() => tmp.remove());

  it('the items key is derived from the output key, as in Python', () => {
    expect(itemsKey('wf/run-1/discover/discover-attempt1.json', ['files'])).toBe('wf/run-1/discover/discover-attempt1-items-files.json');
    const fromPython = python(`from ork.fan_out import items_key\nprint(items_key("wf/r/p/p_item_3_-attempt2.json", ("a", "b c")))`).trim();
    expect(itemsKey('wf/r/p/p_item_3_-attempt2.json', ['a', 'b c'])).toBe(fromPython);
  });

  it('a list above the threshold becomes an ork_items reference to the stored list; the others stay', async () => {
    const { output } = await runOk(
      discover,
      spill(
        [
          [['files'], 3],
          [['few'], 3],
          [['nested', 'parts'], 40],
        ],
        { n: 5 },
      ),
      store,
    );
    const out = output as { files: Items; few: unknown; nested: unknown };
    expect(out.files).toStrictEqual({
      ork_items: { bucket: path.join(tmp.dir, 'payloads'), key: 'wf/run-1/discover/discover-attempt1-items-files.json', count: 5 },
    });
    expect(JSON.parse(readFileSync(path.join(out.files.ork_items.bucket, out.files.ork_items.key), 'utf8'))).toStrictEqual([
      'f0.csv',
      'f1.csv',
      'f2.csv',
      'f3.csv',
      'f4.csv',
    ]);
    expect(out.few).toStrictEqual(['a', 'b']);
    expect(out.nested).toStrictEqual({ parts: [0, 1, 2, 3, 4] });
  });

  it('above -1 spills every list, even an empty one; absent fields and non-lists are left alone', async () => {
    const { output } = await runOk(
      discover,
      spill(
        [
          [['empty'], -1],
          [['nested', 'parts'], -1],
          [['name'], -1],
          [['missing'], -1],
          [['name', 'deeper'], -1],
        ],
        { n: 2 },
      ),
      store,
    );
    const out = output as Record<string, unknown> & { empty: Items; nested: { parts: Items } };
    expect(out.empty.ork_items.count).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out.empty.ork_items.bucket, out.empty.ork_items.key), 'utf8'))).toStrictEqual([]);
    expect(out.nested.parts.ork_items).toMatchObject({ count: 2 });
    expect(out.nested.parts.ork_items.key).toMatch(/-attempt1-items-nested\.parts\.json$/);
    expect(out.name).toBe('not a list');
    expect(out).not.toHaveProperty('missing');
    expect(out.files).toStrictEqual(['f0.csv', 'f1.csv']);
  });

  it("the task's own objects are not changed", async () => {
    const { output } = await runOk(discover, spill([[['files'], 0]], { own: true }), store);
    expect((output as { files: Items }).files.ork_items.count).toBe(3);
    expect(kept).toStrictEqual({ files: [1, 2, 3] });
  });

  it('spilled items resolve downstream, also inside a whole output that was offloaded after spilling', async () => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '300';
    const { output } = await runOk(discover, spill([[['files'], 10]], { n: 100 }), store);
    expect(isRef(output)).toBe(true);
    const references = new References(store);
    const result = await references.resolve((await runOk(consumer, makePayload('consumer', { inputs: { discover: output } }), store)).output);
    expect(result).toMatchObject({ files: Array.from({ length: 100 }, (_, i) => `f${i}.csv`), parts: Array.from({ length: 100 }, (_, i) => i) });
  });

  it('a short list is stored when the output would otherwise travel whole (the machine could not see it)', async () => {
    const big = defineTask({ handler: () => ({ files: Array.from({ length: 5 }, (_, i) => `${'x'.repeat(100)}${i}`), name: 'small' }) });
    process.env.ORK_LARGE_OUTPUT_BYTES = '200';
    const { output } = await runOk(big, spill([[['files'], 40]]), store);
    expect(isRef(output)).toBe(false);
    expect((output as { files: Items; name: string }).files.ork_items.count).toBe(5);
    expect((output as { name: string }).name).toBe('small');
    // Below the threshold the same short list stays in the state.
    process.env.ORK_LARGE_OUTPUT_BYTES = String(64 * 1024);
    expect(((await runOk(big, spill([[['files'], 40]]), store)).output as { files: unknown[] }).files).toHaveLength(5);
  });

  it('an items reference the Python SDK wrote resolves in Node', async () => {
    const dir = path.join(tmp.dir, 'payloads');
    const reference = JSON.parse(
      python(
        `import json\nfrom ork.payload_store import References, DirectoryStore\nprint(json.dumps(References(DirectoryStore(${JSON.stringify(dir)})).store_items([{"a": 1}], "x/items.json")))`,
      ),
    ) as Items;
    expect(reference.ork_items).toStrictEqual({ bucket: dir, key: 'x/items.json', count: 1 });
    const { output } = await runOk(
      consumer,
      makePayload('consumer', { inputs: { discover: { files: reference, nested: { parts: [] } } }, item: reference, item_index: 0 }),
      store,
    );
    expect(output).toStrictEqual({ files: [{ a: 1 }], parts: [], item: [{ a: 1 }] });
  });

  it.each([[{ path: ['files'] }], [{ path: 'files', above: 1 }], [{ path: [], above: 1 }], ['files'], [{ path: ['f'], above: true }]])(
    'malformed fan_out_fields %j: Ork.InvalidPayload',
    async (field) => {
      const { error } = await run(discover, makePayload('discover', { fan_out_fields: [field] }), store);
      expect(describeFailure(error).type).toBe('Ork.InvalidPayload');
      expect(describeFailure(error).message).toContain('fan_out_fields');
    },
  );

  it('unknown payload fields are still tolerated', async () => {
    const { output } = await runOk(discover, makePayload('discover', { some_future_field: { x: 1 }, fan_out_fields: null }), store);
    expect(output).toMatchObject({ name: 'not a list' });
  });

  it('output_spill_bytes lowers the offload threshold, never raises it', async () => {
    const payload = (fields: Record<string, unknown> = {}) => makePayload('discover', { params: { n: 10 }, ...fields });
    expect(isRef((await runOk(discover, payload(), store)).output)).toBe(false);
    const spilled = (await runOk(discover, payload({ output_spill_bytes: 100 }), store)).output as { bytes: number };
    expect(isRef(spilled) && spilled.bytes > 100).toBe(true);
    expect(isRef((await runOk(discover, payload({ output_spill_bytes: 100_000 }), store)).output)).toBe(false);
    process.env.ORK_LARGE_OUTPUT_BYTES = '100';
    expect(isRef((await runOk(discover, payload({ output_spill_bytes: 100_000 }), store)).output)).toBe(true);
    const { error } = await run(discover, payload({ output_spill_bytes: 'lots' }), store);
    expect(describeFailure(error).type).toBe('Ork.InvalidPayload');
  });
});

describe.skipIf(!motoServerAvailable())('spilling to S3 (moto)', () => {
  const bucket = 'ork-node-spill';
  const s3 = useMotoS3(bucket);

  it('the reference names the bucket and the full key; a runner of the same store reads it back, one with a directory store refuses it', async () => {
    const { output } = await runOk(discover, spill([[['files'], 40]], { n: 41 }), new S3Store(bucket, 'runs'));
    const files = (output as { files: Items }).files;
    expect(files).toStrictEqual({ ork_items: { bucket, key: 'runs/wf/run-1/discover/discover-attempt1-items-files.json', count: 41 } });
    const object = await s3().client.send(new GetObjectCommand({ Bucket: bucket, Key: files.ork_items.key }));
    expect(JSON.parse((await object.Body?.transformToString()) ?? '')).toHaveLength(41);
    const { output: result } = await runOk(consumer, makePayload('consumer', { inputs: { discover: output } }), new S3Store(bucket, 'runs'));
    expect((result as { files: unknown[] }).files).toStrictEqual(Array.from({ length: 41 }, (_, i) => `f${i}.csv`));
    const { error } = await run(consumer, makePayload('consumer', { inputs: { discover: output } }), new DirectoryStore('/unused'));
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.ForeignReference', retryable: false });
    expect(describeFailure(error).message).toContain(`${bucket}/runs/wf/run-1/discover/`);
  });

  it('a list that cannot be stored is an Ork.PayloadStoreError with its cause', async () => {
    const { error } = await run(discover, spill([[['files'], 0]], { n: 3 }), new S3Store('no-such-bucket-ork'));
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.PayloadStoreError', retryable: true });
    expect(describeFailure(error).message).toContain('list of 3 items');
    expect((error as Error).cause).toBeDefined();
  });
});

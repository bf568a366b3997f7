/**
 * Large outputs travel as payload references (`{"$ork_ref": url, "bytes": n}`), written by the task that
 * made them and read back as input downstream: through the directory store (local runs) and S3 (moto), and
 * across languages: a reference the Python SDK wrote is read by the Node SDK and the other way round.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../ork/errors.js';
import { defineTask, z } from '../ork/index.js';
import { DEFAULT_THRESHOLD, DirectoryStore, References, S3Store, Scope, storeFromEnvironment } from '../ork/payload-store.js';
import { outputKey } from '../ork/runtime.js';
import { parsePayload } from '../ork/payload.js';
import { motoServerAvailable } from '../../../test/support/moto-server.js';
import { ROOT } from '../../../test/support/workflows.js';
import { makePayload, motoAwsEnv, python, restoreEnvironmentAfterEach, run, runOk, useMotoS3 } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

/** Even instances make 5,000 two-byte characters (over a 1,000-byte threshold), odd ones stay inline. */
const big = defineTask({
  output: z.object({ index: z.number(), blob: z.string() }),
  handler: (_input, ctx) => ({ index: ctx.parallelIndex, blob: 'é'.repeat(ctx.parallelIndex % 2 ? 10 : 5000) }),
});

const Big = z.object({ index: z.number(), blob: z.string() });
const consumer = defineTask({
  input: z.object({ big: z.array(Big), item: Big.optional() }),
  handler: (input) => ({
    indexes: input.big.map((b) => b.index),
    sizes: input.big.map((b) => b.blob.length),
    item: input.item ? input.item.blob.length : null,
  }),
});

const fanOut = async (store: DirectoryStore | S3Store, count = 4): Promise<unknown[]> => {
  const outputs: unknown[] = [];
  for (let i = 0; i < count; i++) outputs.push((await runOk(big, makePayload('big', { parallel_index: i, parallel_count: count }), store)).output);
  return outputs;
};

const isRef = (value: unknown): value is { $ork_ref: string; bytes: number } => typeof (value as { $ork_ref?: unknown })?.$ork_ref === 'string';

const PYTHON_OFFLOAD = `import json, os, sys
from ork.payload_store import References, store_from_environment
request = json.load(sys.stdin)
print(json.dumps(References(store_from_environment()).offload(request["value"], request["key"])))`;

const PYTHON_RESOLVE = `import json, sys
from ork.payload_store import References, store_from_environment
print(json.dumps(References(store_from_environment()).resolve(json.load(sys.stdin))))`;

restoreEnvironmentAfterEach();
beforeEach(() => {
  process.env.ORK_LARGE_OUTPUT_BYTES = '1000';
});

describe('directory store (local runs)', () => {
  let tmp: ReturnType<typeof temporaryDirectory>;
  beforeAll(() => {
    tmp = temporaryDirectory('ork-node-refs-');
  });
  afterAll(() => tmp.remove());

  it('outputs above ORK_LARGE_OUTPUT_BYTES become references; downstream gets them resolved, in a fan-out list and as item', async () => {
    const store = new DirectoryStore(path.join(tmp.dir, 'payloads'));
    const outputs = await fanOut(store);
    expect(outputs.map(isRef)).toEqual([true, false, true, false]);
    const ref = outputs[0] as { $ork_ref: string; bytes: number };
    expect(Object.keys(ref)).toEqual(['$ork_ref', 'bytes']);
    const file = fileURLToPath(ref.$ork_ref);
    expect(file).toBe(path.join(tmp.dir, 'payloads', 'wf', 'run-1', 'big', 'big_0_-attempt1.json'));
    expect(ref.bytes).toBe(readFileSync(file).length);
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { big: outputs }, item: outputs[2], item_index: 0 }), store);
    expect(output).toStrictEqual({ indexes: [0, 1, 2, 3], sizes: [5000, 10, 5000, 10], item: 5000 });
  });

  it('the default threshold is 64 KiB; a small output stays inline', async () => {
    delete process.env.ORK_LARGE_OUTPUT_BYTES;
    expect(DEFAULT_THRESHOLD).toBe(65_536);
    const references = new References(new DirectoryStore(tmp.dir));
    expect(await references.offload({ blob: 'x'.repeat(65_000) }, 'k.json')).toStrictEqual({ blob: 'x'.repeat(65_000) });
    expect(isRef(await references.offload({ blob: 'x'.repeat(66_000) }, 'k.json'))).toBe(true);
  });

  it('the key is the Python SDK key for the same payload', () => {
    const payloads = [
      makePayload('big', { parallel_index: 2, parallel_count: 4, attempt: 1 }),
      makePayload('p', { item: 'x', item_index: 3, parallel_index: 1, parallel_count: 2 }),
      makePayload('solo', { execution_id: '' }),
    ];
    const fromPython = JSON.parse(
      python(
        `import json, sys\nfrom ork.payload import Payload\nfrom ork.runtime import output_key\nprint(json.dumps([output_key(Payload.parse(p)) for p in json.load(sys.stdin)]))`,
        {},
        JSON.stringify(payloads),
      ),
    ) as string[];
    expect(payloads.map((p) => outputKey(parsePayload(p)))).toStrictEqual(fromPython);
  });

  it('a reference that cannot be read fails with Ork.PayloadStoreError (retryable), naming it', async () => {
    const missing = `file://${tmp.dir}/nowhere.json`;
    const { error } = await run(consumer, makePayload('consumer', { inputs: { big: [{ $ork_ref: missing, bytes: 3 }] } }), new DirectoryStore(tmp.dir));
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.PayloadStoreError', retryable: true });
    expect(describeFailure(error).message).toContain(missing);
  });

  it('across languages: Python writes, Node reads; Node writes, Python reads', async () => {
    const env = { ORK_PAYLOAD_DIR: path.join(tmp.dir, 'shared'), ORK_LARGE_OUTPUT_BYTES: '1000' };
    const value = { rows: Array.from({ length: 200 }, (_, i) => ({ i, name: `row-${i}` })) };
    const pythonRef = JSON.parse(python(PYTHON_OFFLOAD, env, JSON.stringify({ value, key: 'wf/run/py/py-attempt1.json' }))) as unknown;
    expect(isRef(pythonRef)).toBe(true);
    process.env.ORK_PAYLOAD_DIR = env.ORK_PAYLOAD_DIR;
    const references = new References(storeFromEnvironment());
    expect(await references.resolve({ upstream: pythonRef })).toStrictEqual({ upstream: value });
    const nodeRef = await references.offload(value, 'wf/run/node/node-attempt1.json');
    expect(isRef(nodeRef) && existsSync(fileURLToPath(nodeRef.$ork_ref))).toBe(true);
    expect(JSON.parse(python(PYTHON_RESOLVE, env, JSON.stringify([nodeRef])))).toStrictEqual([value]);
  });
});

describe.skipIf(!motoServerAvailable())('S3 store (moto)', () => {
  const bucket = 'ork-node-payloads';
  const settings = { AWS_DEFAULT_REGION: 'us-east-1', ORK_PAYLOAD_BUCKET: bucket, ORK_PAYLOAD_PREFIX: 'runs/' };
  const awsEnv = (url: string): Record<string, string> => ({ ...motoAwsEnv(url), ...settings });
  const s3 = useMotoS3(bucket, settings);

  it('ORK_PAYLOAD_BUCKET selects S3: outputs are written under the prefix and read back downstream', async () => {
    const store = storeFromEnvironment();
    expect(store).toBeInstanceOf(S3Store);
    const outputs = await fanOut(store as S3Store);
    expect(outputs.map(isRef)).toEqual([true, false, true, false]);
    const ref = outputs[2] as { $ork_ref: string; bytes: number };
    expect(ref.$ork_ref).toBe(`s3://${bucket}/runs/wf/run-1/big/big_2_-attempt1.json`);
    // the object is there, as JSON of the declared size
    const client = new S3Client({ endpoint: s3().moto.url, region: 'us-east-1', forcePathStyle: true });
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'runs/wf/run-1/big/big_2_-attempt1.json' }));
    const text = (await object.Body?.transformToString()) ?? '';
    expect(Buffer.byteLength(text)).toBe(ref.bytes);
    expect(JSON.parse(text)).toStrictEqual({ index: 2, blob: 'é'.repeat(5000) });
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { big: outputs } }), store as S3Store);
    expect(output).toStrictEqual({ indexes: [0, 1, 2, 3], sizes: [5000, 10, 5000, 10], item: null });
    // a consumer whose store is a directory refuses s3:// references: not its store
    const { error } = await run(consumer, makePayload('consumer', { inputs: { big: outputs } }), new DirectoryStore(path.join(process.cwd(), 'unused')));
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.ForeignReference', retryable: false });
  });

  it('across languages on S3: Python writes, Node reads; Node writes, Python reads', async () => {
    const env = awsEnv(s3().moto.url);
    const value = { regions: Array.from({ length: 100 }, (_, i) => ({ region: `r${i}`, sales: i * 7 })) };
    const pythonRef = JSON.parse(
      python(PYTHON_OFFLOAD, { ...env, ORK_LARGE_OUTPUT_BYTES: '1000' }, JSON.stringify({ value, key: 'wf/run/py/py-attempt1.json' })),
    ) as { $ork_ref: string };
    expect(pythonRef.$ork_ref).toBe(`s3://${bucket}/runs/wf/run/py/py-attempt1.json`);
    const references = new References(storeFromEnvironment());
    expect(await references.resolve([pythonRef])).toStrictEqual([value]);
    const nodeRef = await references.offload(value, 'wf/run/node/node-attempt1.json');
    expect(nodeRef).toMatchObject({ $ork_ref: `s3://${bucket}/runs/wf/run/node/node-attempt1.json` });
    expect(JSON.parse(python(PYTHON_RESOLVE, env, JSON.stringify({ x: nodeRef })))).toStrictEqual({ x: value });
  });

  it('a missing object is an Ork.PayloadStoreError', async () => {
    const references = new References(storeFromEnvironment());
    const error = await references.resolve({ $ork_ref: `s3://${bucket}/runs/none.json` }).catch((e: unknown) => e);
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.PayloadStoreError', retryable: true });
  });
});

// --- Which references are honoured: the cases both SDKs share (lambdas/contract/cases/references.json) ---

interface ScopeCase {
  readonly name: string;
  readonly store: 'directory' | 's3';
  readonly files?: Record<string, unknown>;
  readonly links?: Record<string, string>;
  readonly value: unknown;
  readonly expect: unknown;
  readonly names?: string;
}
const SHARED = JSON.parse(readFileSync(path.join(ROOT, 'lambdas', 'contract', 'cases', 'references.json'), 'utf8')) as {
  workflow: string;
  execution_id: string;
  secret: unknown;
  cases: ScopeCase[];
};
const SCOPE = new Scope(SHARED.workflow, SHARED.execution_id);

function fill<T>(value: T, places: Record<string, string>): T {
  if (typeof value === 'string') return Object.entries(places).reduce((text, [name, replacement]) => text.split(name).join(replacement), value as string) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => fill(v, places)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, places)])) as T;
  return value;
}

const contentOf = (content: unknown, places: Record<string, string>): unknown => (content === '{secret}' ? SHARED.secret : fill(content, places));

async function expectCase(references: References, scopeCase: ScopeCase, places: Record<string, string>): Promise<void> {
  const value = fill(scopeCase.value, places);
  if (scopeCase.expect !== 'Ork.ForeignReference') {
    expect(await references.resolve(value, SCOPE)).toStrictEqual(scopeCase.expect);
    return;
  }
  const error = await references.resolve(value, SCOPE).then(
    (resolved) => ({ resolved }),
    (e: unknown) => e,
  );
  expect(describeFailure(error)).toMatchObject({ type: 'Ork.ForeignReference', retryable: false });
  expect(describeFailure(error).message).toContain(fill(scopeCase.names ?? '', places));
  expect(describeFailure(error).message).not.toContain('TOP-SECRET');
}

describe('reference scope (directory store): shared cases', () => {
  it.each(SHARED.cases.filter((c) => c.store === 'directory').map((c) => [c.name, c] as const))('%s', async (_name, scopeCase) => {
    const tmp = temporaryDirectory('ork-node-scope-');
    try {
      const places = { '{root}': path.join(tmp.dir, 'payloads'), '{outside}': path.join(tmp.dir, 'outside'), '{earlier}': path.join(tmp.dir, 'earlier') };
      for (const folder of Object.values(places)) mkdirSync(folder);
      for (const [where, content] of Object.entries(scopeCase.files ?? {})) {
        const file = fill(where, places);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, JSON.stringify(contentOf(content, places)));
      }
      for (const [link, target] of Object.entries(scopeCase.links ?? {})) {
        mkdirSync(path.dirname(fill(link, places)), { recursive: true });
        symlinkSync(fill(target, places), fill(link, places));
      }
      await expectCase(new References(new DirectoryStore(places['{root}'], [places['{earlier}']])), scopeCase, places);
    } finally {
      tmp.remove();
    }
  });

  it('the scope prefix is how output keys begin, and the read roots come from ORK_PAYLOAD_READ_DIRS', () => {
    for (const executionId of ['arn:aws:states:us-east-1:1:execution:wf:run-1', '', 'run id/with:odd*chars']) {
      expect(outputKey(parsePayload(makePayload('t', { execution_id: executionId })))).toMatch(new RegExp(`^${new Scope('wf', executionId).prefix}`));
    }
    const tmp = temporaryDirectory('ork-node-scope-');
    try {
      const earlier = path.join(tmp.dir, 'earlier');
      mkdirSync(earlier);
      writeFileSync(path.join(earlier, 'x.json'), '1');
      process.env.ORK_PAYLOAD_DIR = path.join(tmp.dir, 'now');
      delete process.env.ORK_PAYLOAD_BUCKET;
      process.env.ORK_PAYLOAD_READ_DIRS = earlier;
      expect((storeFromEnvironment() as DirectoryStore).ownsPath(path.join(earlier, 'x.json'))).toBe(true);
      process.env.ORK_PAYLOAD_READ_DIRS = '';
      expect((storeFromEnvironment() as DirectoryStore).ownsPath(path.join(earlier, 'x.json'))).toBe(false);
    } finally {
      tmp.remove();
    }
  });
});

describe.skipIf(!motoServerAvailable())('reference scope (S3 store, moto): shared cases', () => {
  const s3 = useMotoS3('ork-payloads');

  it.each(SHARED.cases.filter((c) => c.store === 's3').map((c) => [c.name, c] as const))('%s', async (_name, scopeCase) => {
    for (const [where, content] of Object.entries(scopeCase.files ?? {})) {
      const [bucketName, ...key] = where.split('/');
      await s3().client.send(new PutObjectCommand({ Bucket: bucketName, Key: key.join('/'), Body: JSON.stringify(contentOf(content, {})) }));
    }
    await expectCase(new References(new S3Store('ork-payloads', 'runs/')), scopeCase, {});
  });
});

describe('forged references reaching a task', () => {
  const echoItem = defineTask({ handler: (input) => ({ got: input.item }) });
  const passOn = defineTask({ handler: (input) => ({ files: (input.params as { files: unknown }).files }) });
  let tmp: ReturnType<typeof temporaryDirectory>;
  beforeAll(() => {
    tmp = temporaryDirectory('ork-node-forged-');
  });
  afterAll(() => tmp.remove());

  it('a forged item fails the instance with Ork.ForeignReference, not retried, naming it', async () => {
    const secret = path.join(tmp.dir, 'secret.json');
    writeFileSync(secret, '{"secret": "TOP-SECRET"}');
    const url = pathToFileURL(secret).href;
    const { output, error } = await run(
      echoItem,
      makePayload('each', { item: { $ork_ref: url, bytes: 10 }, item_index: 0 }),
      new DirectoryStore(path.join(tmp.dir, 'payloads')),
    );
    expect(output).toBeUndefined();
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.ForeignReference', retryable: false });
    expect(describeFailure(error).message).toContain(url);
    expect(describeFailure(error).message).not.toContain('TOP-SECRET');
  });

  it('a foreach source holding a foreign ork_items is refused; one of this store is passed on', async () => {
    writeFileSync(path.join(tmp.dir, 'secret-list.json'), '["TOP-SECRET"]');
    const store = new DirectoryStore(path.join(tmp.dir, 'payloads'));
    const fields = [{ path: ['files'], above: 40 }];
    const forged = { ork_items: { bucket: tmp.dir, key: 'secret-list.json', count: 1 } };
    const { error } = await run(passOn, makePayload('list', { params: { files: forged }, fan_out_fields: fields }), store);
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.ForeignReference', retryable: false });
    expect(describeFailure(error).message).toContain(`${tmp.dir}/secret-list.json`);
    const own = await new References(store).storeItems(['a'], 'wf/run-1/up/up-attempt1-items-files.json');
    const { output } = await runOk(passOn, makePayload('list', { params: { files: own }, fan_out_fields: fields }), store);
    expect(output).toStrictEqual({ files: own });
  });
});

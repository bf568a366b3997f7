/**
 * `condition_fields`: a stored output keeps, beside its reference, the fields a downstream `when:` reads
 * (docs/payload.md, References), and a reference holding them still reads as what it points to. The shared
 * cases (lambdas/contract/cases/kept-fields.json) are run by the Python SDK too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Markers } from '../../contract/contract.js';
import { spillFanOutFields } from '../ork/fan-out.js';
import { defineTask, z } from '../ork/index.js';
import { DirectoryStore, isReference, References } from '../ork/payload-store.js';
import { containsReference } from '../ork/read-cache.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';
import { makePayload, restoreEnvironmentAfterEach, runOk } from './support.js';

interface KeptCase {
  readonly name: string;
  readonly output: unknown;
  readonly fan_out_fields?: { path: (string | number)[]; above: number }[];
  readonly condition_fields: string[][];
  readonly stored: boolean;
  readonly expect: unknown;
}
const CASES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'contract', 'cases');
const CASES = JSON.parse(readFileSync(path.join(CASES_DIR, 'kept-fields.json'), 'utf8')) as {
  threshold: number;
  cases: KeptCase[];
};
const KEY = 'wf/run-1/up/up-attempt1.json';

/** `expected` with '{size}' and '{items}' replaced by what they stand for in `actual`. */
function placeholders(expected: unknown, actual: unknown, size?: number): unknown {
  if (expected === '{size}') return size;
  if (expected === '{items}') {
    expect(Object.keys(actual as object)).toStrictEqual([Markers.items]);
    return actual;
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && actual !== null && typeof actual === 'object') {
    return Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, placeholders(v, (actual as Record<string, unknown>)[k], size)]));
  }
  return expected;
}

restoreEnvironmentAfterEach();
let tmp: ReturnType<typeof temporaryDirectory>;
beforeEach(() => {
  tmp = temporaryDirectory('ork-node-kept-');
  delete process.env.ORK_LARGE_OUTPUT_BYTES;
});
afterEach(() => tmp.remove());

describe('kept fields: shared cases', () => {
  it.each(CASES.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const references = new References(new DirectoryStore(tmp.dir));
    const spilled = await spillFanOutFields(c.output, c.fan_out_fields ?? [], references, KEY, CASES.threshold);
    const itemsPaths = (c.fan_out_fields ?? []).map((f) => f.path).filter((p): p is string[] => p.every((step) => typeof step === 'string'));
    const handedOn = await references.offload(spilled, KEY, CASES.threshold, c.condition_fields, itemsPaths);
    if (c.stored) {
      expect(isReference(handedOn)).toBe(true);
      const { [Markers.reference]: _url, ...rest } = handedOn as Record<string, unknown>;
      const size = readFileSync(path.join(tmp.dir, KEY)).length;
      expect(rest).toStrictEqual(placeholders(c.expect, rest, size));
    } else if (c.expect === 'unchanged') {
      expect(handedOn).toStrictEqual(c.output);
    } else {
      expect(isReference(handedOn)).toBe(false);
      expect(handedOn).toStrictEqual(placeholders(c.expect, handedOn));
    }
    // The kept fields are ignored when the reference is read: it stands for the whole output.
    expect(await references.resolve(handedOn)).toStrictEqual(c.output);
  });

  it('a kept field named __proto__ is a field, not a prototype', async () => {
    const references = new References(new DirectoryStore(tmp.dir));
    const output = JSON.parse(`{"__proto__": {"polluted": true}, "meta": {"__proto__": 1}, "pad": "${'x'.repeat(200)}"}`) as unknown;
    const handedOn = (await references.offload(output, KEY, CASES.threshold, [['meta', '__proto__']])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(handedOn)).toBe(Object.prototype);
    expect(JSON.stringify(handedOn.meta)).toBe('{"__proto__":1}');
  });
});

const producer = defineTask({
  input: z.object({ params: z.object({ rows: z.array(z.string()), mode: z.string() }) }),
  handler: ({ params }) => ({ count: params.rows.length, meta: { mode: params.mode }, rows: params.rows }),
});
const typedConsumer = defineTask({
  input: z.object({ up: z.object({ count: z.number(), rows: z.array(z.string()) }) }),
  handler: ({ up }) => ({ count: up.count, rows: up.rows.length }),
});
const untypedConsumer = defineTask({
  handler: (input) => {
    const up = input.up as { count: number; rows: string[] };
    return { count: up.count, rows: up.rows.length };
  },
});
const discover = defineTask({
  input: z.object({ params: z.object({ n: z.number() }) }),
  handler: ({ params }) => ({
    files: Array.from({ length: params.n }, (_, i) => `f${String(i).padStart(4, '0')}.csv`),
    count: params.n,
    notes: 'x'.repeat(500),
  }),
});
const rows = Array.from({ length: 50 }, (_, i) => `row-${String(i).padStart(4, '0')}`);

describe('condition_fields through a task', () => {
  it('a task whose payload names condition_fields keeps them when its output is stored', async () => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '200';
    const store = new DirectoryStore(tmp.dir);
    const payload = makePayload('up', { params: { rows, mode: 'full' }, condition_fields: [['count'], ['meta', 'mode'], ['rows']] });
    const { output } = await runOk(producer, payload, store);
    const { [Markers.reference]: url, bytes, ...kept } = output as Record<string, unknown>;
    expect(typeof url === 'string' && typeof bytes === 'number').toBe(true);
    expect(kept).toStrictEqual({ count: 50, meta: { mode: 'full' } });
    // Without condition_fields the reference is the same as ever.
    const plain = await runOk(producer, makePayload('up', { params: { rows, mode: 'full' } }), store);
    expect(Object.keys(plain.output as object)).toStrictEqual([Markers.reference, 'bytes']);
  });

  it.each([
    ['typed', typedConsumer],
    ['untyped', untypedConsumer],
  ] as const)('a reference with kept fields reaches a %s task downstream as the whole output', async (_, consumer) => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '200';
    const store = new DirectoryStore(tmp.dir);
    const up = (await runOk(producer, makePayload('up', { params: { rows, mode: 'full' }, condition_fields: [['count']] }), store)).output;
    expect(Object.keys(up as object)).toHaveLength(3);
    expect(containsReference({ up })).toBe(true);
    const { output } = await runOk(consumer, makePayload('consumer', { inputs: { up } }), store);
    expect(output).toStrictEqual({ count: 50, rows: 50 });
  });

  it('a fan-out source whose rest is still large keeps its stored list and its condition fields beside the reference', async () => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '300';
    const store = new DirectoryStore(tmp.dir);
    const payload = makePayload('discover', { params: { n: 100 }, fan_out_fields: [{ path: ['files'], above: 1000 }], condition_fields: [['count']] });
    const { output } = await runOk(discover, payload, store);
    const ref = output as { $ork_ref: string; count: number; files: { ork_items: { count: number } } };
    expect(isReference(ref) && ref.count === 100).toBe(true);
    expect(Object.keys(ref.files)).toStrictEqual([Markers.items]);
    expect(ref.files.ork_items.count).toBe(100);
    const whole = (await new References(store).resolve(ref)) as { files: string[]; count: number };
    expect([whole.files.length, whole.files[99], whole.count]).toStrictEqual([100, 'f0099.csv', 100]);
  });
});

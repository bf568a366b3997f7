/**
 * Issue 13, "Untyped tasks are quadratic", in the Node SDK: every instance of a foreach is handed its
 * upstream's output, whose list is a reference to the payload store (`ork_items`). A task that takes every
 * field (no schema, `z.any()`) used to resolve them all, so every instance read and walked the whole list.
 * Now what the store holds is read once per process and execution (read-cache.ts), and a task that takes
 * every field parses a stored field when it first reads it: the reads do not grow with n, whatever the schema.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineTask, z } from '../ork/index.js';
import { DirectoryStore, References } from '../ork/payload-store.js';
import { invoke } from '../ork/runtime.js';
import { ListSink } from '../ork/sink.js';
import type { OrkTask } from '../ork/task.js';
import { makePayload } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

const ITEMS_KEY = 'wf/run-1/discover/discover-attempt1-items-files.json';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** A store whose upstream output holds a stored list of n file names, as an instance's payload holds it. */
function storedList(n: number): { store: DirectoryStore; upstream: unknown; dir: string } {
  const { dir, remove } = temporaryDirectory('ork-untyped-');
  cleanup = remove;
  mkdirSync(path.dirname(path.join(dir, ITEMS_KEY)), { recursive: true });
  writeFileSync(path.join(dir, ITEMS_KEY), JSON.stringify(Array.from({ length: n }, (_, i) => `f${i}.csv`)));
  return { store: new DirectoryStore(dir), upstream: { files: { ork_items: { bucket: path.resolve(dir), key: ITEMS_KEY, count: n } }, note: 'small' }, dir };
}

/** Counts the store reads of `references` (machine-written locations and `$ork_ref` URLs). */
function counting(references: References): string[] {
  const reads: string[] = [];
  const spied = references as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['readJson', 'load']) {
    const original = spied[name]?.bind(references);
    if (!original) throw new Error(`References has no ${name}: the spy needs updating`);
    spied[name] = (...args: unknown[]) => {
      reads.push(name);
      return original(...args);
    };
  }
  return reads;
}

/** Every instance of the foreach on one worker (one References, as the node worker has). */
async function runInstances(
  task: OrkTask,
  upstream: unknown,
  n: number,
  references: References,
  executionId = 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1',
): Promise<unknown[]> {
  const outputs: unknown[] = [];
  for (let index = 0; index < n; index++) {
    const payload = makePayload('process', { inputs: { discover: upstream }, item: `f${index}.csv`, item_index: index, execution_id: executionId });
    outputs.push(await invoke(payload, task, { references, logSink: new ListSink(), metricSink: new ListSink() }));
  }
  return outputs;
}

type Files = { discover: { files: string[]; note: string }; item: string };

const itemOnly = defineTask({ handler: (input) => ({ item: input.item, fields: Object.keys(input).sort() }) });
const readsUpstream = defineTask({
  handler: (input, ctx) => {
    const { discover } = input as unknown as Files;
    return { count: discover.files.length, mine: discover.files[ctx.itemIndex ?? -1], note: discover.note };
  },
});
const anyReadsUpstream = defineTask({ input: z.any(), handler: (input) => ({ count: (input as Files).discover.files.length }) });
const typedUpstream = defineTask({
  input: z.object({ item: z.string(), discover: z.object({ files: z.array(z.string()) }) }),
  handler: (input) => ({ count: input.discover.files.length }),
});

describe('a foreach over a stored list, whatever the task takes', () => {
  for (const n of [10, 1000]) {
    it(`n = ${n}: the list is read once per process, by a task that takes every field or declares it`, async () => {
      for (const task of [itemOnly, readsUpstream, anyReadsUpstream, typedUpstream]) {
        const { store, upstream } = storedList(n);
        const references = new References(store);
        const reads = counting(references);
        const outputs = (await runInstances(task, upstream, n, references)) as Record<string, unknown>[];
        expect(reads).toEqual(['readJson']);
        if (task === itemOnly) expect(outputs[n - 1]).toEqual({ item: `f${n - 1}.csv`, fields: ['discover', 'item', 'params'] });
        else expect(outputs.map((o) => o.count)).toEqual(Array.from({ length: n }, () => n));
        if (task === readsUpstream) expect(outputs.map((o) => o.mine)).toEqual(Array.from({ length: n }, (_, i) => `f${i}.csv`));
        cleanup?.();
      }
    });
  }

  it('each execution reads for itself: the cache answers only what was read for the same execution', async () => {
    const { store, upstream } = storedList(5);
    const references = new References(store);
    const reads = counting(references);
    await runInstances(readsUpstream, upstream, 5, references, 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1');
    await runInstances(readsUpstream, upstream, 5, references, 'arn:aws:states:us-east-1:123456789012:execution:wf:run-2');
    expect(reads).toEqual(['readJson', 'readJson']);
  });

  it('an instance that changes its input does not change the next ones', async () => {
    const { store, upstream } = storedList(20);
    const mutating = defineTask({
      handler: (input) => {
        const { discover } = input as unknown as Files;
        const seen = discover.files.length;
        discover.files.length = 0;
        discover.note = 'changed';
        return { seen };
      },
    });
    const outputs = await runInstances(mutating, upstream, 3, new References(store));
    expect(outputs).toEqual([{ seen: 20 }, { seen: 20 }, { seen: 20 }]);
  });

  it('the whole input is there for whoever looks at all of it (JSON, spread, structuredClone)', async () => {
    const { store, upstream } = storedList(3);
    const whole = { discover: { files: ['f0.csv', 'f1.csv', 'f2.csv'], note: 'small' }, item: 'f0.csv', params: {} };
    const looking = defineTask({
      handler: (input) => ({ json: JSON.parse(JSON.stringify(input)) as unknown, spread: { ...input }, clone: structuredClone(input) }),
    });
    const [output] = await runInstances(looking, upstream, 1, new References(store));
    expect(output).toEqual({ json: whole, spread: whole, clone: whole });
  });
});

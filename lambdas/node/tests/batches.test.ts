/**
 * Batches (`batch_size:`, docs/scale.md): one invocation runs the task once per element of `batch`, each with
 * its own input, Context, validation and offloading, and returns the outputs in order. A failing element fails
 * the batch with its own error name and a message that says which element it was; in process and through the
 * Lambda handler (the worker's batch is in worker.test.ts).
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchElementError } from '../ork/batch.js';
import { describeFailure } from '../ork/errors.js';
import { defineTask, z } from '../ork/index.js';
import { lambdaHandler } from '../ork/lambda-handler.js';
import { DirectoryStore, References } from '../ork/payload-store.js';
import { makePayload, restoreEnvironmentAfterEach, run, runOk } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

class QuotaExceeded extends Error {}

const process_ = defineTask({
  input: z.object({ item: z.string(), discover: z.object({ suffix: z.string() }) }),
  output: z.object({ text: z.string(), itemIndex: z.number().nullable(), parallelIndex: z.number(), instance: z.string() }),
  handler: (input, ctx) => {
    if (input.item === 'bad') throw new TypeError(`cannot process ${input.item}`, { cause: new RangeError('root') });
    if (input.item === 'quota') throw new QuotaExceeded('over quota');
    if (input.item === 'wrong') return { text: 5 } as never;
    ctx.log.info('processing', { item: input.item });
    return {
      text: input.item.repeat(input.item === 'big' ? 300 : 1) + input.discover.suffix,
      itemIndex: ctx.itemIndex ?? null,
      parallelIndex: ctx.parallelIndex,
      instance: ctx.instance,
    };
  },
});

const batchPayload = (items: string[], first = 0, fields: Record<string, unknown> = {}): Record<string, unknown> =>
  makePayload('process', { inputs: { discover: { suffix: '!' } }, batch: items.map((item, n) => ({ item, item_index: first + n })), ...fields });

let tmp: ReturnType<typeof temporaryDirectory>;
restoreEnvironmentAfterEach();
beforeEach(() => {
  tmp = temporaryDirectory('ork-node-batch-');
  delete process.env.ORK_LARGE_OUTPUT_BYTES;
});
afterEach(() => {
  tmp.remove();
});

describe('batches', () => {
  it('runs each element in order, with its own context', async () => {
    const { output, logs } = await runOk(process_, batchPayload(['a', 'b', 'c'], 40));
    expect(output).toStrictEqual([
      { text: 'a!', itemIndex: 40, parallelIndex: 0, instance: 'process[item 40]' },
      { text: 'b!', itemIndex: 41, parallelIndex: 0, instance: 'process[item 41]' },
      { text: 'c!', itemIndex: 42, parallelIndex: 0, instance: 'process[item 42]' },
    ]);
    expect(logs.map((l) => [l.item, l.instance])).toStrictEqual([
      ['a', 'process[item 40]'],
      ['b', 'process[item 41]'],
      ['c', 'process[item 42]'],
    ]);
  });

  it("an element's fields win over the payload's", async () => {
    const payload = makePayload('process', {
      inputs: { discover: { suffix: '?' } },
      item: "payload's",
      item_index: 99,
      parallel_index: 5,
      parallel_count: 8,
      batch: [
        { item: 'x', parallel_index: 1 },
        { item: 'y', item_index: 3, parallel_index: 2 },
      ],
    });
    const { output } = await runOk(process_, payload);
    expect((output as { text: string; itemIndex: number; parallelIndex: number }[]).map((o) => [o.text, o.itemIndex, o.parallelIndex])).toStrictEqual([
      ['x?', 99, 1],
      ['y?', 3, 2],
    ]);
  });

  it('each output is offloaded on its own; output_spill_bytes applies to each', async () => {
    process.env.ORK_LARGE_OUTPUT_BYTES = '200';
    const store = new DirectoryStore(tmp.dir);
    const { output } = await runOk(process_, batchPayload(['a', 'big', 'c'], 7), store);
    const outputs = output as Record<string, unknown>[];
    expect(outputs.map((o) => '$ork_ref' in o)).toStrictEqual([false, true, false]);
    expect(String(outputs[1]?.$ork_ref)).toMatch(/\/wf\/run-1\/process\/process_item_8_-attempt1\.json$/);
    expect(((await new References(store).resolve(outputs)) as { text: string }[])[1]?.text).toBe(`${'big'.repeat(300)}!`);
    const spilled = (await runOk(process_, batchPayload(['a', 'b'], 0, { output_spill_bytes: 10 }), store)).output as Record<string, unknown>[];
    expect(spilled.map((o) => '$ork_ref' in o)).toStrictEqual([true, true]);
  });

  it('an empty batch returns an empty list', async () => {
    expect((await runOk(process_, batchPayload([]))).output).toStrictEqual([]);
  });

  it('a failing element fails the batch with its error name, saying which element, with its cause', async () => {
    const { error } = await run(process_, batchPayload(['a', 'bad', 'c'], 16));
    expect(error).toBeInstanceOf(BatchElementError);
    const failure = describeFailure(error);
    expect(failure).toMatchObject({ type: 'TypeError', message: 'batch element 2 of 3 (item_index 17) failed: cannot process bad', retryable: true });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(failure.traceback).toMatch(/TypeError: cannot process bad[\s\S]*RangeError: root/);
    const quota = await run(process_, batchPayload(['quota']));
    expect(describeFailure(quota.error).type).toBe('QuotaExceeded');
  });

  it("Ork's errors keep their name and are not retried", async () => {
    const payload = makePayload('process', {
      inputs: { discover: { suffix: '!' } },
      parallel_count: 4,
      batch: [
        { item: 'a', parallel_index: 2 },
        { item: 'wrong', parallel_index: 3 },
      ],
    });
    const failure = describeFailure((await run(process_, payload)).error);
    expect(failure).toMatchObject({ type: 'Ork.OutputValidationError', retryable: false });
    expect(failure.message).toMatch(/^batch element 2 of 2 \(parallel_index 3\) failed: output of task 'process'/);
    const missing = describeFailure((await run(process_, makePayload('process', { batch: [{ item: 'a' }] }))).error);
    expect(missing.type).toBe('Ork.InputValidationError');
    expect(missing.message).toContain('batch element 1 of 1');
  });

  it.each([['a'], [[1, 2]], [{ item: 1 }]])('a malformed batch %j is Ork.InvalidPayload', async (batch) => {
    const failure = describeFailure((await run(process_, makePayload('process', { batch }))).error);
    expect(failure.type).toBe('Ork.InvalidPayload');
    expect(failure.message).toContain('batch');
  });

  it('the Lambda handler runs batches and reports a failing element under its name', async () => {
    process.env.ORK_PAYLOAD_DIR = path.join(tmp.dir, 'payloads');
    delete process.env.ORK_PAYLOAD_BUCKET;
    const handler = lambdaHandler(process_);
    const write = process.stdout.write;
    const lines: string[] = [];
    process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write;
    try {
      expect(((await handler(batchPayload(['a', 'b']))) as { text: string }[]).map((o) => o.text)).toStrictEqual(['a!', 'b!']);
      await expect(handler(batchPayload(['a', 'bad'], 3))).rejects.toMatchObject({
        name: 'TypeError',
        message: 'batch element 2 of 2 (item_index 4) failed: cannot process bad',
      });
    } finally {
      process.stdout.write = write;
    }
    const logged = JSON.parse(lines.at(-1) ?? '{}') as { error: { type: string } };
    expect(logged.error.type).toBe('TypeError');
  });
});

/**
 * Input assembly of the Node SDK, as the Python SDK does it (docs/python-sdk.md "Input"): `item`, one field
 * per upstream task (its output, or the list of a fan-out's outputs), `params`; fields the schema does not
 * declare are left out before validation.
 */
import { describe, expect, it } from 'vitest';
import { defineTask, z } from '../ork/index.js';
import { inputFields } from '../ork/runtime.js';
import { makePayload, run, runOk } from './support.js';

/** A task that returns the input it was handed, to look at. */
const echo = <S extends z.ZodType>(input: S) => defineTask({ input, handler: (value) => ({ received: value }) });

describe('input assembly', () => {
  it('plain: one field per upstream task, holding its output, and params', async () => {
    const task = echo(z.object({ discover: z.object({ files: z.array(z.string()) }), params: z.object({ date: z.string() }) }));
    const { output } = await runOk(task, makePayload('process', { params: { date: '2024-01-15' }, inputs: { discover: { files: ['a.csv', 'b.csv'] } } }));
    expect(output).toStrictEqual({ received: { discover: { files: ['a.csv', 'b.csv'] }, params: { date: '2024-01-15' } } });
  });

  it('parallel upstream: the list of every instance output, in index order', async () => {
    const task = echo(z.object({ process: z.array(z.object({ processed: z.number() })) }));
    const outputs = [0, 1, 2, 3].map((i) => ({ processed: i * 10 }));
    const { output } = await runOk(task, makePayload('aggregate', { inputs: { process: outputs } }));
    expect(output).toStrictEqual({ received: { process: outputs } });
  });

  it('foreach: the instance element as item (any JSON value), beside the upstream output', async () => {
    const task = echo(z.object({ item: z.object({ region: z.string() }), discover: z.object({ regions: z.array(z.object({ region: z.string() })) }) }));
    const regions = [{ region: 'eu' }, { region: 'us' }];
    const { output } = await runOk(task, makePayload('process', { inputs: { discover: { regions } }, item: regions[1], item_index: 1 }));
    expect(output).toStrictEqual({ received: { item: { region: 'us' }, discover: { regions } } });
  });

  it('foreach × parallel: a downstream task gets one flat list, item order then parallel index', async () => {
    const Out = z.object({ region: z.string(), worker: z.number() });
    const task = echo(z.object({ process_region: z.array(Out) }));
    const flat = ['apac', 'eu', 'us'].flatMap((region) => [0, 1, 2, 3].map((worker) => ({ region, worker })));
    const { output } = await runOk(task, makePayload('aggregate', { inputs: { process_region: flat } }));
    expect(output).toStrictEqual({ received: { process_region: flat } });
    // and an instance of the fan-out itself sees both its item and its index
    const instance = defineTask({
      input: z.object({ item: z.string() }),
      handler: (input, ctx) => ({
        item: input.item,
        itemIndex: ctx.itemIndex,
        parallelIndex: ctx.parallelIndex,
        parallelCount: ctx.parallelCount,
        instance: ctx.instance,
      }),
    });
    const { output: seen } = await runOk(instance, makePayload('process_region', { item: 'eu', item_index: 1, parallel_index: 2, parallel_count: 4 }));
    expect(seen).toStrictEqual({ item: 'eu', itemIndex: 1, parallelIndex: 2, parallelCount: 4, instance: 'process_region[item 1, 2]' });
  });

  it('params: the workflow input, validated like any field (defaults applied by the schema)', async () => {
    const task = echo(z.object({ params: z.object({ n: z.number(), mode: z.string().default('fast') }) }));
    const { output } = await runOk(task, makePayload('t', { params: { n: 3 } }));
    expect(output).toStrictEqual({ received: { params: { n: 3, mode: 'fast' } } });
    // absent or null params are an empty object, as in Python
    const { output: none } = await runOk(echo(z.object({ params: z.object({}) })), makePayload('t', { params: null }));
    expect(none).toStrictEqual({ received: { params: {} } });
  });

  it('undeclared fields are dropped: upstream outputs, params and item the schema does not name', async () => {
    const task = echo(z.object({ wanted: z.number() }));
    const payload = makePayload('t', { inputs: { wanted: 1, other: { big: 'x'.repeat(100) } }, params: { p: 1 }, item: 'i', item_index: 0 });
    expect((await runOk(task, payload)).output).toStrictEqual({ received: { wanted: 1 } });
    // a strict object would reject any extra key: none reaches it (Python's extra="forbid" behaves the same)
    expect((await runOk(echo(z.strictObject({ wanted: z.number() })), payload)).output).toStrictEqual({ received: { wanted: 1 } });
    // an undeclared upstream output is not even resolved: a dangling reference there does not matter
    const dangling = makePayload('t', { inputs: { wanted: 2, other: { $ork_ref: 'file:///nonexistent/ork/ref.json', bytes: 10 } } });
    expect((await runOk(task, dangling)).output).toStrictEqual({ received: { wanted: 2 } });
  });

  it('a loose object (Python extra="allow") and a task without input schema receive every field', async () => {
    const payload = makePayload('t', { inputs: { a: 1, b: 2 }, params: { p: true }, item: 'x', item_index: 0 });
    const all = { a: 1, b: 2, params: { p: true }, item: 'x' };
    expect((await runOk(echo(z.looseObject({ a: z.number() })), payload)).output).toStrictEqual({ received: all });
    expect((await runOk(defineTask({ handler: (input) => ({ received: input }) }), payload)).output).toStrictEqual({ received: all });
  });

  it('a null item is still an item; no item field outside a foreach', async () => {
    const task = echo(z.object({ item: z.null().optional() }));
    expect((await runOk(task, makePayload('t', { item: null, item_index: 0 }))).output).toStrictEqual({ received: { item: null } });
    expect((await runOk(task, makePayload('t'))).output).toStrictEqual({ received: {} });
  });

  it('inputFields (the worker reply `reads`): declared names, or null when the schema takes everything', () => {
    expect(inputFields(echo(z.object({ item: z.string(), discover: z.object({}), params: z.object({}) })))).toEqual(['discover', 'item', 'params']);
    expect(inputFields(echo(z.object({ a: z.string() }).transform((v) => v.a)))).toEqual(['a']);
    expect(inputFields(echo(z.strictObject({ a: z.string() })))).toEqual(['a']);
    expect(inputFields(echo(z.looseObject({ a: z.string() })))).toBeNull();
    expect(inputFields(echo(z.object({ a: z.string() }).catchall(z.number())))).toBeNull();
    expect(inputFields(defineTask({ handler: () => null }))).toBeNull();
  });

  it('the schema transforms and async refinements apply to the input the handler gets', async () => {
    const task = echo(
      z.object({
        item: z
          .string()
          .transform((s) => s.toUpperCase())
          .refine(async (s) => s.length > 0, 'empty'),
      }),
    );
    expect((await runOk(task, makePayload('t', { item: 'abc', item_index: 0 }))).output).toStrictEqual({ received: { item: 'ABC' } });
    const { error } = await run(task, makePayload('t', { item: '', item_index: 0 }));
    expect(error).toMatchObject({ name: 'Ork.InputValidationError' });
  });
});

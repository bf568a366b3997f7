/**
 * The `on_failure:` handler's input: the payload's `failure` (docs/node-sdk.md, "Failure handler"), validated
 * by `failureSchema` in an input schema, as data in an untyped input, and as `ctx.failure`.
 */
import { describe, expect, it } from 'vitest';
import { errorName } from '../ork/errors.js';
import { defineTask, failureSchema, z, type Failure } from '../ork/index.js';
import { makePayload, run, runOk } from './support.js';

const FAILURE: Failure = {
  task: 'process',
  instance: 'process[item 3]',
  error: 'ValueError',
  cause: 'bad row 7',
  execution_id: 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1',
};

const handlerPayload = (failure: unknown = FAILURE): Record<string, unknown> =>
  makePayload('on_failure', { params: { channel: '#data' }, inputs: {}, failure });

const typed = defineTask({
  input: z.object({ failure: failureSchema, params: z.object({ channel: z.string() }) }),
  handler: ({ failure, params }, ctx) => ({
    text: `${failure.task} (${failure.instance}) failed: ${failure.error}: ${failure.cause}`,
    to: params.channel,
    sameAsContext: JSON.stringify(ctx.failure) === JSON.stringify(failure),
  }),
});
const untyped = defineTask({ handler: (input) => ({ failure: input.failure, params: input.params, fields: Object.keys(input).sort() }) });
const contextOnly = defineTask({ handler: (_input, ctx) => ({ failure: ctx.failure ?? null }) });

describe('the on_failure handler', () => {
  it('a typed handler gets a validated failure and its params', async () => {
    const { output } = await runOk(typed, handlerPayload());
    expect(output).toStrictEqual({ text: 'process (process[item 3]) failed: ValueError: bad row 7', to: '#data', sameAsContext: true });
  });

  it('an untyped handler gets the failure as data', async () => {
    const { output } = await runOk(untyped, handlerPayload());
    expect(output).toStrictEqual({ failure: FAILURE, params: { channel: '#data' }, fields: ['failure', 'params'] });
  });

  it('a failure of no one task has task and instance null', async () => {
    const plain = { ...FAILURE, task: null, instance: null, error: 'States.Runtime' };
    expect((await runOk(contextOnly, handlerPayload(plain))).output).toStrictEqual({ failure: plain });
  });

  it('an ordinary task has no failure', async () => {
    expect((await runOk(contextOnly, makePayload('t'))).output).toStrictEqual({ failure: null });
    expect(((await runOk(untyped, makePayload('t'))).output as { fields: string[] }).fields).toStrictEqual(['params']);
  });

  it('an input schema that declares failure refuses a payload without one', async () => {
    const { error } = await run(typed, makePayload('on_failure', { params: { channel: '#data' } }));
    expect(errorName(error)).toBe('Ork.InputValidationError');
    expect((error as Error).message).toContain("field 'failure'");
  });

  it('a malformed failure is an invalid payload', async () => {
    const { error } = await run(untyped, handlerPayload({ task: 'process', cause: 'C', execution_id: 'x' }));
    expect(errorName(error)).toBe('Ork.InvalidPayload');
    expect((error as Error).message).toContain('failure.error');
  });

  it('failureSchema reads task and instance left out as null', () => {
    expect(failureSchema.parse({ error: 'E', cause: 'C', execution_id: 'x' })).toStrictEqual({
      task: null,
      instance: null,
      error: 'E',
      cause: 'C',
      execution_id: 'x',
    });
  });
});

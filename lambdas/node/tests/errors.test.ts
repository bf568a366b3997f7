/**
 * Errors of the Node SDK, named as the Python SDK names them: Ork's own with dotted names (never retried when
 * retrying cannot help), a task's own errors with their own name and the whole cause chain.
 */
import { describe, expect, it } from 'vitest';
import { describeFailure, errorName, OrkError } from '../ork/errors.js';
import { defineTask, z } from '../ork/index.js';
import { lambdaHandler } from '../ork/lambda-handler.js';
import { makePayload, run } from './support.js';

const rows = defineTask({
  input: z.object({ item: z.string(), discover: z.object({ count: z.number().int() }) }),
  output: z.object({ rows: z.number().int(), file: z.string() }),
  handler: (input) => ({ rows: input.discover.count, file: input.item }),
});

describe('validation errors', () => {
  it('Ork.InputValidationError names each wrong field and what it received; not retryable', async () => {
    const { error } = await run(rows, makePayload('process', { inputs: { discover: { count: 'seven' } }, item: 42, item_index: 3 }));
    expect(error).toBeInstanceOf(OrkError);
    const failure = describeFailure(error);
    expect(failure.type).toBe('Ork.InputValidationError');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain("input of task 'process' (process[item 3])");
    expect(failure.message).toMatch(/field 'item': .*expected string.*\(received 42\)/);
    expect(failure.message).toMatch(/field 'discover\.count': .*expected number.*\(received "seven"\)/);
    // the zod error is the cause, in the traceback too
    expect((error as Error).cause).toBeInstanceOf(z.ZodError);
    expect(failure.traceback).toContain('The above error was caused by:');
  });

  it('a missing field is reported as received nothing', async () => {
    const { error } = await run(rows, makePayload('process', { inputs: {} }));
    expect(describeFailure(error).message).toMatch(/field 'item': .*\(received nothing\); field 'discover': .*\(received nothing\)/);
  });

  it('Ork.OutputValidationError names the field and the value returned; not retryable', async () => {
    const bad = defineTask({ output: z.object({ rows: z.number().int() }), handler: () => ({ rows: 2.5 }) });
    const { error } = await run(bad, makePayload('count', { parallel_index: 1, parallel_count: 2 }));
    const failure = describeFailure(error);
    expect(failure).toMatchObject({ type: 'Ork.OutputValidationError', retryable: false });
    expect(failure.message).toContain("output of task 'count' (count[1]) does not fit its output schema");
    expect(failure.message).toMatch(/field 'rows': .*\(received 2\.5\)/);
  });

  it('an output that is not JSON data (NaN, a BigInt) is an Ork.OutputValidationError', async () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 10n]) {
      const { error } = await run(defineTask({ handler: () => ({ value }) }));
      expect(describeFailure(error)).toMatchObject({ type: 'Ork.OutputValidationError', retryable: false });
      expect(describeFailure(error).message).toMatch(/is not JSON data/);
    }
  });

  it('a payload of another version is Ork.InvalidPayload', async () => {
    const { error } = await run(rows, { ...makePayload(), ork: 2 });
    expect(describeFailure(error)).toMatchObject({ type: 'Ork.InvalidPayload', retryable: false });
  });
});

describe("a task's own errors", () => {
  it('a thrown TypeError keeps its name, and the traceback holds the whole cause chain', async () => {
    const task = defineTask({
      handler: () => {
        try {
          JSON.parse('{not json');
        } catch (parseError) {
          const middle = new RangeError('page 3 is unreadable', { cause: parseError });
          // eslint-disable-next-line preserve-caught-error -- the test builds a two-link cause chain on purpose
          throw new TypeError('cannot summarise the export', { cause: middle });
        }
      },
    });
    const { error } = await run(task);
    expect(error).toBeInstanceOf(TypeError);
    const failure = describeFailure(error);
    expect(failure).toMatchObject({ type: 'TypeError', message: 'cannot summarise the export', retryable: true });
    const lines = failure.traceback.split('\n');
    const order = ['TypeError: cannot summarise the export', 'RangeError: page 3 is unreadable', 'SyntaxError:'].map((start) =>
      lines.findIndex((l) => l.startsWith(start)),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(failure.traceback.match(/The above error was caused by:/g)).toHaveLength(2);
  });

  it('a custom error class is named after the class, locally and by the Lambda handler', async () => {
    class QuotaExceeded extends Error {}
    class Named extends Error {
      override name = 'Vendor.Throttled';
    }
    expect(errorName(new QuotaExceeded('x'))).toBe('QuotaExceeded');
    expect(errorName(new Named('x'))).toBe('Vendor.Throttled');
    expect(errorName('a string')).toBe('Error');
    // The Lambda runtime reports error.name: the handler gives it the same name the local worker reports.
    const handler = lambdaHandler(defineTask({ handler: () => Promise.reject(new QuotaExceeded('over quota')) }));
    const write = process.stdout.write;
    const lines: string[] = [];
    process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await expect(handler(makePayload('call'))).rejects.toMatchObject({ name: 'QuotaExceeded', message: 'over quota' });
    } finally {
      process.stdout.write = write;
    }
    const logged = JSON.parse(lines.join('')) as { level: string; message: string; error: { type: string }; task: string };
    expect(logged).toMatchObject({ level: 'error', message: 'task failed: QuotaExceeded: over quota', error: { type: 'QuotaExceeded' }, task: 'call' });
  });

  it('a thrown non-Error is described, and retryable', async () => {
    const { error } = await run(defineTask({ handler: () => Promise.reject('plain string') }));
    expect(describeFailure(error)).toMatchObject({ type: 'Error', message: 'plain string', retryable: true });
  });
});

/**
 * Types flow from the zod schemas: the handler's `input` is the input schema's output type, its return must
 * fit the output schema's input type. Checked by `tsc --noEmit -p .` (this file is in the project) through
 * expectTypeOf and @ts-expect-error lines; the examples' task files are type-checked here as well, since the
 * project's tsconfig does not include examples/.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Context, defineTask, z, type OrkTask } from '../ork/index.js';
import { EXAMPLES_DIR, ROOT } from '../../../test/support/workflows.js';

describe('typed handler', () => {
  it('input and return are typed from the schemas', () => {
    const task = defineTask({
      input: z.object({ item: z.string(), discover: z.object({ files: z.array(z.string()) }), count: z.string().transform(Number) }),
      output: z.object({ rows: z.number(), note: z.string().optional() }),
      handler: (input, ctx) => {
        expectTypeOf(input).toEqualTypeOf<{ item: string; discover: { files: string[] }; count: number }>();
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        expectTypeOf(ctx.parallelIndex).toEqualTypeOf<number>();
        expectTypeOf(ctx.itemIndex).toEqualTypeOf<number | undefined>();
        expectTypeOf(ctx.metrics.record).parameter(1).toEqualTypeOf<number>();
        return { rows: input.discover.files.length + input.count };
      },
    });
    expectTypeOf(task).toExtend<OrkTask>();
    type Returned = ReturnType<typeof task.handler>;
    expectTypeOf<Returned>().toEqualTypeOf<{ rows: number; note?: string | undefined } | Promise<{ rows: number; note?: string | undefined }>>();
  });

  it('a wrong return or a wrong field use does not compile', () => {
    defineTask({
      input: z.object({ item: z.string() }),
      output: z.object({ rows: z.number() }),
      // @ts-expect-error rows must be a number
      handler: () => ({ rows: 'three' }),
    });
    defineTask({
      input: z.object({ item: z.string() }),
      handler: (input) => {
        // @ts-expect-error item is a string, not a number
        const n: number = input.item;
        return n;
      },
    });
    defineTask({
      output: z.object({ rows: z.number() }),
      // @ts-expect-error an async handler must resolve to the output too
      handler: async () => ({ files: [] }),
    });
    expect(true).toBe(true);
  });

  it('without schemas: the input is the raw record, any return', () => {
    defineTask({
      handler: (input, ctx) => {
        expectTypeOf(input).toEqualTypeOf<Record<string, unknown>>();
        return ctx.task;
      },
    });
    defineTask({ input: z.object({ a: z.number() }), handler: (input) => expectTypeOf(input).toEqualTypeOf<{ a: number }>() });
  });

  it("the examples' TypeScript task files type-check (strict, NodeNext, `ork/task` as users import it)", () => {
    const files = readdirSync(EXAMPLES_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.includes('node_modules') && !f.split(path.sep).includes('.ork'))
      .map((f) => path.join('examples', f));
    expect(files.length).toBeGreaterThanOrEqual(13);
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = [
      '--noEmit',
      '--strict',
      '--noUncheckedIndexedAccess',
      '--target',
      'ES2022',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--skipLibCheck',
      '--types',
      'node',
    ];
    const result = spawnSync(process.execPath, [tsc, ...options, ...files], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});

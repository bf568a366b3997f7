import type { z } from 'zod';
import type { Context } from './context.js';

type Schema = z.ZodType;
type InputOf<I> = I extends Schema ? z.output<I> : Record<string, unknown>;
type OutputOf<O> = O extends Schema ? z.input<O> : unknown;

export interface TaskDefinition<I extends Schema | undefined, O extends Schema | undefined> {
  /** Input model: `item`, one field per upstream task, `params`. Undeclared fields are left out. */
  readonly input?: I;
  /** Output model: what the handler returns is validated against it. */
  readonly output?: O;
  readonly handler: (input: InputOf<I>, ctx: Context) => OutputOf<O> | Promise<OutputOf<O>>;
}

export interface OrkTask<I extends Schema | undefined = Schema | undefined, O extends Schema | undefined = Schema | undefined> extends TaskDefinition<I, O> {
  readonly __orkTask: true;
}

/**
 * Defines the task of a file: `export default defineTask({ input, output, handler })`. The handler's input
 * and return are typed from the zod schemas.
 */
export function defineTask<I extends Schema | undefined = undefined, O extends Schema | undefined = undefined>(
  definition: TaskDefinition<I, O>,
): OrkTask<I, O> {
  if (typeof definition?.handler !== 'function') throw new TypeError('defineTask needs a handler function');
  return { ...definition, __orkTask: true };
}

export function isTask(value: unknown): value is OrkTask {
  return value !== null && typeof value === 'object' && (value as { __orkTask?: unknown }).__orkTask === true;
}

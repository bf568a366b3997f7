/**
 * The schema of the payload the compiled state machine hands every task instance (docs/payload.md), and of
 * the references and markers that travel inside its data (docs/scale.md). zod, so that TypeScript gets its
 * types and json-schema.ts its JSON Schema (payload.schema.json) from the same definition.
 *
 * The SDKs parse the payload by hand (lambdas/python/ork/payload.py, lambdas/node/ork/payload.ts): a worker
 * should not load zod to read a dozen fields, and Python has no zod. cases/payloads.json holds the cases all
 * three are tested against, so none of them drifts from the others.
 */
import { z } from 'zod';
import { Markers, PAYLOAD_VERSION } from './contract.js';
import { failureSchema } from './failure-schema.js';

/** A JSON number without a fraction: JavaScript cannot tell `3.0` from `3`, so neither SDK does. */
const whole = z.number().int();

/** An optional field: absent or null both mean its default. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const jsonObject = z.record(z.string(), z.unknown());

export const fanOutFieldSchema = z
  .object({
    path: z
      .array(z.union([z.string(), whole]))
      .min(1)
      .describe('the output field: names of objects, indexes of lists'),
    above: whole.describe('store the list when it has more elements than this; -1: always'),
  })
  .describe('An output field that feeds a `foreach:`, stored when it is a long list (docs/scale.md)');

export const conditionFieldSchema = z
  .array(z.string())
  .min(1)
  .describe('the path of an output field a `when:` condition reads: names of objects, e.g. ["meta", "n"]');

export const payloadSchema = z
  .looseObject({
    ork: z.literal(PAYLOAD_VERSION).describe('payload version: a runtime refuses one it does not know'),
    workflow: z.string(),
    task: z.string(),
    execution_id: optional(z.string()).describe("$$.Execution.Id (a Distributed Map's children get the parent's); default ''"),
    attempt: optional(whole).describe('$$.State.RetryCount: 0 on the first attempt; default 0'),
    params: optional(jsonObject).describe('the execution input over `params:` defaults; default {}'),
    inputs: optional(jsonObject).describe("one field per direct upstream task, holding that task's output; default {}"),
    parallel_index: optional(whole).describe("this instance's index of `parallel:`; default 0"),
    parallel_count: optional(whole).describe('the instance count of `parallel:`; default 1'),
    item: z.unknown().optional().describe("only for `foreach:`: this instance's element (any JSON, null included)"),
    item_index: optional(whole).describe("only for `foreach:`: the element's position"),
    fan_out_fields: optional(z.array(fanOutFieldSchema)),
    output_spill_bytes: optional(whole).describe('outputs above this many bytes are stored and handed on as references'),
    batch: optional(z.array(jsonObject)).describe('a batch (ItemBatcher): the per-instance fields of each instance, merged over the rest'),
    condition_fields: optional(z.array(conditionFieldSchema)).describe(
      'output fields a downstream `when:` reads: kept beside the reference when the output is stored (docs/payload.md, References)',
    ),
    failure: optional(failureSchema).describe('only for the `on_failure:` handler: why the workflow failed'),
  })
  .describe('The payload of one task instance (docs/payload.md). Fields not listed here are ignored.');

export type PayloadJson = z.input<typeof payloadSchema>;

/**
 * The payload's field names: what the compiler may write into a Task state's Parameters. From the schema's
 * shape, not its inferred type: a loose object's type also has an index signature, whose keys are any string.
 */
export type PayloadKey = keyof (typeof payloadSchema)['shape'] & string;

export const referenceSchema = z
  .looseObject({
    [Markers.reference]: z.string().describe('file:// or s3:// URL'),
    // Not typed as a number: the output's own field of that name, when kept, takes the size's place.
    bytes: z
      .unknown()
      .optional()
      .describe(
        "the stored JSON's size in bytes, a whole number; when `condition_fields` or `fan_out_fields` name the output's own top-level `bytes`, that field as kept (or absent)",
      ),
  })
  .describe(
    'A value too large for the state, stored by a runtime (docs/payload.md, References). Its other fields are those of `condition_fields` the runtime kept at their paths (null, booleans, numbers, strings up to 1,024 UTF-8 bytes), and the ork_items of `fan_out_fields`; reading the reference ignores them',
  );

export const itemsReferenceSchema = z
  .object({ [Markers.items]: z.object({ bucket: z.string(), key: z.string(), count: whole }) })
  .describe("A fan-out's source list, stored by the upstream runtime (fan_out_fields); read by the Distributed Map's ItemReader too");

export const resultsReferenceSchema = z
  .object({ [Markers.results]: z.object({ bucket: z.string(), key: z.string(), per_child: z.enum(['one', 'list']) }) })
  .describe("A Distributed Map's results (its ResultWriter manifest), written by the machine's ResultSelector");

export const failureMarkerSchema = z
  .object({
    [Markers.failed]: z.object({
      error: z.string(),
      cause: z.string(),
      item_index: whole.optional(),
      parallel_index: whole.optional(),
      start: whole.optional().describe('a failed chunk of indexes: its first index'),
    }),
  })
  .describe('A tolerated failure in a list of outputs (tolerate_failures:); the runtimes report it in ctx.failures');

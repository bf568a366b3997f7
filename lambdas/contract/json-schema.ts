import { z } from 'zod';
import { failureMarkerSchema, itemsReferenceSchema, payloadSchema, referenceSchema, resultsReferenceSchema } from './payload-schema.js';
import { readyMessageSchema, workerReplySchema, workerRequestSchema } from './worker-protocol.js';

const options = { io: 'input', unrepresentable: 'any', target: 'draft-7' } as const;
const jsonSchema = (schema: z.ZodType): Record<string, unknown> => z.toJSONSchema(schema, options) as Record<string, unknown>;

/**
 * JSON Schema of the payload and of what travels in its data, derived from the zod schemas as `ork schema`
 * derives workflow.yaml's: lambdas/contract/payload.schema.json is this, checked by a test.
 */
export function payloadJsonSchema(): Record<string, unknown> {
  return {
    ...jsonSchema(payloadSchema),
    $id: 'https://ork.dev/schemas/payload.json',
    title: 'Ork task payload',
    definitions: {
      reference: jsonSchema(referenceSchema),
      itemsReference: jsonSchema(itemsReferenceSchema),
      resultsReference: jsonSchema(resultsReferenceSchema),
      failureMarker: jsonSchema(failureMarkerSchema),
    },
  };
}

/** JSON Schema of the local workers' messages (lambdas/contract/worker-protocol.schema.json, checked by a test). */
export function workerProtocolJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://ork.dev/schemas/worker-protocol.json',
    title: 'Ork local worker protocol',
    definitions: { ready: jsonSchema(readyMessageSchema), request: jsonSchema(workerRequestSchema), reply: jsonSchema(workerReplySchema) },
  };
}

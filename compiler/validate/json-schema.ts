import { z } from 'zod';
import { IDENTIFIER_PATTERN, workflowSchema } from './workflow-schema.js';

/**
 * JSON Schema of workflow.yaml, derived from the zod schema so the two cannot drift. Editors use it through
 * yaml-language-server (`# yaml-language-server: $schema=…`) for completion and checks.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(workflowSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  const tasks = properties?.tasks;
  // Task names are checked by a rule (for better messages); editors get the same constraint as a pattern.
  if (tasks) {
    tasks.propertyNames = { pattern: IDENTIFIER_PATTERN, not: { enum: ['item', 'params', '__proto__', 'constructor', 'prototype'] } };
    tasks.minProperties = 1;
  }
  // One source per trigger, and a bus only for an event pattern (ORK240), as far as JSON Schema can say it.
  const triggers = properties?.triggers?.items as Record<string, unknown> | undefined;
  if (triggers) {
    triggers.oneOf = [{ required: ['s3'] }, { required: ['event'] }];
    triggers.dependencies = { bus: { required: ['event'] } };
  }
  return { ...schema, $id: 'https://ork.dev/schemas/workflow.json', title: 'Ork workflow' };
}

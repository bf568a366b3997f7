import { z } from 'zod';
import { Context } from './context.js';
import { InputValidationError, OutputValidationError, TaskDefinitionError } from './errors.js';
import { parsePayload, type Payload } from './payload.js';
import type { References } from './payload-store.js';
import type { Sink } from './sink.js';
import { isTask, type OrkTask } from './task.js';

function render(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** One line per wrong field: where, what is wrong, and what was received. */
export function explainValidation(error: z.ZodError, data: unknown, what: string): string {
  const lines = error.issues.map((issue) => `field '${issue.path.map(String).join('.') || '(root)'}': ${issue.message} (received ${render(valueAt(data, issue.path))})`);
  return `${what}: ${lines.join('; ')}`;
}

/** The fields an input model reads, or null when it takes everything (no model, or not an object). */
export function inputFields(task: OrkTask): string[] | null {
  const schema = task.input;
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  return null;
}

export async function assembleInput(task: OrkTask, payload: Payload, references: References): Promise<unknown> {
  const wanted = inputFields(task);
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload.inputs)) if (!wanted || wanted.includes(name)) fields[name] = await references.resolve(value);
  fields.params = payload.params;
  if (payload.hasItem) fields.item = await references.resolve(payload.item);
  if (!task.input) return fields;
  const parsed = task.input.safeParse(fields);
  if (!parsed.success) throw InputValidationError(explainValidation(parsed.error, fields, `input of task '${payload.task}' (${payload.instance}) does not fit its input schema`), parsed.error);
  return parsed.data;
}

export function validateOutput(task: OrkTask, payload: Payload, result: unknown): unknown {
  let output = result;
  if (task.output) {
    const parsed = task.output.safeParse(result);
    if (!parsed.success) throw OutputValidationError(explainValidation(parsed.error, result, `output of task '${payload.task}' (${payload.instance}) does not fit its output schema`), parsed.error);
    output = parsed.data;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(output, (_, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} is not JSON`);
      if (typeof value === 'bigint') throw new Error('a BigInt is not JSON');
      return value;
    });
  } catch (error) {
    throw OutputValidationError(`output of task '${payload.task}' (${payload.instance}) is not JSON data: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export function outputKey(payload: Payload): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_');
  const execution = safe(payload.executionId.split(':').pop() || 'local');
  return `${payload.workflow}/${execution}/${payload.task}/${safe(payload.instance)}-attempt${payload.attempt + 1}.json`;
}

/** The task a module defines: its default export, or its only exported task. */
export function findTask(module: Record<string, unknown>, file: string): OrkTask {
  if (isTask(module.default)) return module.default;
  const tasks = Object.values(module).filter(isTask);
  if (tasks.length === 1 && tasks[0]) return tasks[0];
  if (tasks.length === 0) throw TaskDefinitionError(`${file} exports no task: export default defineTask({ … })`);
  throw TaskDefinitionError(`${file} exports several tasks; make the one to run the default export`);
}

export interface InvokeOptions {
  readonly references: References;
  readonly logSink: Sink;
  readonly metricSink: Sink;
}

/** Parses the payload, runs the task, validates and (when large) offloads its output. */
export async function invoke(rawPayload: unknown, task: OrkTask, options: InvokeOptions): Promise<unknown> {
  const payload = parsePayload(rawPayload);
  const input = await assembleInput(task, payload, options.references);
  const context = new Context(payload, options.logSink, options.metricSink);
  const result = await task.handler(input as never, context);
  const output = validateOutput(task, payload, result);
  return options.references.offload(output, outputKey(payload));
}

import type { z } from 'zod';
import { runBatch } from './batch.js';
import { Context } from './context.js';
import { InputValidationError, OutputValidationError, TaskDefinitionError } from './errors.js';
import { splitFailures, type ToleratedFailure } from './failures.js';
import { spillFanOutFields } from './fan-out.js';
import { parsePayload, type Payload } from './payload.js';
import { cacheFor, containsReference } from './read-cache.js';
import { executionPrefix, Scope, type References } from './payload-store.js';
import type { Sink } from './sink.js';
import { isTask, type OrkTask } from './task.js';

function render(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
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
  const lines = error.issues.map(
    (issue) => `field '${issue.path.map(String).join('.') || '(root)'}': ${issue.message} (received ${render(valueAt(data, issue.path))})`,
  );
  return `${what}: ${lines.join('; ')}`;
}

interface ZodDef {
  readonly type?: string;
  readonly shape?: Record<string, unknown>;
  readonly catchall?: { readonly _zod?: { readonly def?: ZodDef } };
  readonly in?: { readonly _zod?: { readonly def?: ZodDef } };
}

const fieldsCache = new WeakMap<OrkTask, readonly string[] | null>();

/**
 * The top-level fields an input schema reads, or null when it takes everything: no schema, an object that
 * keeps unknown keys (`z.looseObject`, `.passthrough()`, `.catchall(…)`: Python's `extra="allow"`), or a
 * schema that is not an object. A pipe (`z.object(…).transform(…)`) reads what its input side reads.
 * Read from the schema's definition rather than with `instanceof`, so a task built with another copy of zod
 * is understood too.
 */
export function inputFields(task: OrkTask): string[] | null {
  if (fieldsCache.has(task)) {
    const cached = fieldsCache.get(task);
    return cached ? [...cached] : null;
  }
  let def = (task.input as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;
  while (def?.type === 'pipe') def = def.in?._zod?.def;
  const catchall = def?.catchall?._zod?.def?.type;
  const fields = def?.type === 'object' && def.shape && (catchall === undefined || catchall === 'never') ? Object.keys(def.shape).sort() : null;
  fieldsCache.set(task, fields);
  return fields ? [...fields] : null;
}

export interface ResolvedInputs {
  /** The upstream fields the task reads, resolved, without tolerated failures. */
  readonly fields: Record<string, unknown>;
  /** The tolerated failures of every upstream task by name (also of those the task does not read). */
  readonly failures: Record<string, ToleratedFailure[]>;
}

/** The execution whose references this instance may read: the one its payload names. */
export function scopeOf(payload: Payload): Scope {
  return new Scope(payload.workflow, payload.executionId);
}

/**
 * Upstream fields the schema does not declare are left out before references are resolved: an ignored
 * upstream output is never fetched, and never walked (a fan-out hands every instance its upstream's whole
 * output). Their failures are still read, as cheaply as can be, for the context.
 */
export async function resolveInputs(task: OrkTask, payload: Payload, references: References): Promise<ResolvedInputs> {
  const wanted = inputFields(task);
  const scope = scopeOf(payload);
  const fields: Record<string, unknown> = {};
  const failures: Record<string, ToleratedFailure[]> = {};
  for (const [name, value] of Object.entries(payload.inputs)) {
    let failed: ToleratedFailure[];
    if ((wanted === null || wanted.includes(name)) && containsReference(value)) {
      // Held in the store: read once per process and execution (read-cache.ts), not once per instance —
      // every instance of a foreach is handed its upstream's output, whose list is stored.
      const cache = cacheFor(references);
      const key = JSON.stringify([payload.workflow, payload.executionId, value]);
      const text = await cache.text(key, () => references.resolve(value, scope));
      failed = await cache.fact(key, 'failures', async () => splitFailures(JSON.parse(text)).failures);
      // A task that takes every field (no schema, z.any()) parses it when it first reads it: one that reads
      // only its item costs the same whatever the size of the list.
      if (wanted === null) defineParsedOnRead(fields, name, text);
      else fields[name] = splitFailures(JSON.parse(text)).kept;
    } else if (wanted === null || wanted.includes(name)) {
      const resolved = await references.resolveOutputs(value, scope);
      fields[name] = resolved.kept;
      failed = resolved.failures;
    } else {
      failed = await references.failuresIn(value, scope);
    }
    if (failed.length > 0) failures[name] = failed;
  }
  return { fields, failures };
}

/**
 * `fields[name]` as an enumerable property that parses `text` (without tolerated failures) on first read: a
 * copy of its own for each instance, made only when the task reads the field. JSON.stringify, spreading and
 * structuredClone read it like any other field; assigning it replaces it.
 */
function defineParsedOnRead(fields: Record<string, unknown>, name: string, text: string): void {
  let value: unknown;
  let parsed = false;
  Object.defineProperty(fields, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      if (!parsed) {
        value = splitFailures(JSON.parse(text)).kept;
        parsed = true;
      }
      return value;
    },
    set: (replacement: unknown) => {
      value = replacement;
      parsed = true;
    },
  });
}

/**
 * `item`, one field per upstream task, `params` (and the on_failure handler's `failure`); fields the schema
 * does not declare are left out, as in
 * the Python SDK: before references are resolved (an ignored upstream output is never fetched), and
 * `params`/`item` too, so that a strict object (`z.strictObject`) that declares neither still accepts its input.
 * `resolved`: the upstream fields as resolveInputs returned them, when the caller has them already.
 */
export async function assembleInput(task: OrkTask, payload: Payload, references: References, resolved?: Record<string, unknown>): Promise<unknown> {
  const wanted = inputFields(task);
  const wants = (name: string): boolean => wanted === null || wanted.includes(name);
  // Copied with their accessors: spreading would read (and parse) every field left to be read on use.
  const fields: Record<string, unknown> = Object.defineProperties(
    {},
    Object.getOwnPropertyDescriptors(resolved ?? (await resolveInputs(task, payload, references)).fields),
  );
  if (wants('params')) fields.params = payload.params;
  if (payload.hasItem && wants('item')) fields.item = await references.resolve(payload.item, scopeOf(payload));
  // The on_failure handler's: a copy, so that a handler changing its input leaves the context's alone.
  if (payload.failure && wants('failure')) fields.failure = { ...payload.failure };
  if (!task.input) return fields;
  const parsed = await task.input.safeParseAsync(fields);
  if (!parsed.success)
    throw InputValidationError(
      explainValidation(parsed.error, fields, `input of task '${payload.task}' (${payload.instance}) does not fit its input schema`),
      parsed.error,
    );
  return parsed.data;
}

export async function validateOutput(task: OrkTask, payload: Payload, result: unknown): Promise<unknown> {
  let output = result;
  if (task.output) {
    const parsed = await task.output.safeParseAsync(result);
    if (!parsed.success)
      throw OutputValidationError(
        explainValidation(parsed.error, result, `output of task '${payload.task}' (${payload.instance}) does not fit its output schema`),
        parsed.error,
      );
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
    throw OutputValidationError(
      `output of task '${payload.task}' (${payload.instance}) is not JSON data: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

export function outputKey(payload: Payload): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${executionPrefix(payload.workflow, payload.executionId)}${payload.task}/${safe(payload.instance)}-attempt${payload.attempt + 1}.json`;
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

/** Runs one instance: its input, the task, then the output validated, its fan-out lists spilled and (when large) offloaded. */
export async function runTask(task: OrkTask, payload: Payload, options: InvokeOptions): Promise<unknown> {
  const { fields, failures } = await resolveInputs(task, payload, options.references);
  const input = await assembleInput(task, payload, options.references, fields);
  const context = new Context(payload, options.logSink, options.metricSink, failures);
  const result = await task.handler(input as never, context);
  const output = await validateOutput(task, payload, result);
  const key = outputKey(payload);
  const spilled = await spillFanOutFields(output, payload.fanOutFields, options.references, key, payload.outputSpillBytes, scopeOf(payload));
  // A fan-out list at a path through a list index cannot be kept at its path beside a reference.
  const itemsPaths = payload.fanOutFields.map((f) => f.path).filter((path): path is string[] => path.every((step) => typeof step === 'string'));
  return options.references.offload(spilled, key, payload.outputSpillBytes, payload.conditionFields, itemsPaths);
}

/** Parses the payload and runs the task: once, or once per batch element (returning the list of outputs). */
export async function invoke(rawPayload: unknown, task: OrkTask, options: InvokeOptions): Promise<unknown> {
  const payload = parsePayload(rawPayload);
  if (payload.batch !== undefined) return runBatch(payload, (instance) => runTask(task, instance, options));
  return runTask(task, payload, options);
}

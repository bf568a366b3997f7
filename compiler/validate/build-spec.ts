import type { SourceMap } from '../parse/index.js';
import {
  DEFAULT_HEARTBEAT_SECONDS,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  ON_FAILURE_TASK,
  type CountSource,
  type Dependency,
  type FailureTolerance,
  type FanOut,
  type FieldReference,
  type ScheduleSpec,
  type TaskSpec,
  type TriggerSource,
  type TriggerSpec,
  type EventPattern,
  type WorkflowSpec,
} from '../model/index.js';
import { parseWhen } from './condition/index.js';
import { buildSecrets } from './build-secrets.js';
import {
  defaultsSchema,
  NOT_FOR_FAILURE_HANDLER,
  s3TriggerSchema,
  scheduleObjectSchema,
  taskSchema,
  triggerSchema,
  type DefaultsDocument,
  type S3TriggerDocument,
  type ScheduleDocument,
  type TaskDocument,
} from './workflow-schema.js';
import { parseDuration, parseMemory } from './units.js';

/** Lambda's default of Ork; a container task gets more because Fargate's smallest useful size is larger. */
export const DEFAULT_MEMORY_MB = { python: 1024, node: 1024, container: 2048 } as const;
/** Lambda's hard limit, and so the default limit of a Lambda-run task. */

export function parseFieldReference(text: string, span: FieldReference['span']): FieldReference {
  const [task = '', ...field] = text.split('.');
  return { task, field, text, span };
}

function toDependencies(document: TaskDocument, taskPath: readonly string[], sourceMap: SourceMap): Dependency[] {
  const list = document.depends_on === undefined ? [] : Array.isArray(document.depends_on) ? document.depends_on : [document.depends_on];
  const explicit = list.map((entry, i): Dependency => {
    const at = Array.isArray(document.depends_on) ? [...taskPath, 'depends_on', i] : [...taskPath, 'depends_on'];
    if (typeof entry === 'string') return { task: entry, span: sourceMap.locate(at), implicit: false };
    return { task: entry.task, span: sourceMap.locate([...at, 'task']), implicit: false, ...(entry.if === 'always' ? { always: true } : {}) };
  });
  const implicit: Dependency[] = [];
  for (const key of ['foreach', 'parallel'] as const) {
    const value = document[key];
    if (typeof value === 'string') {
      const ref = parseFieldReference(value, sourceMap.locate([...taskPath, key]));
      implicit.push({ task: ref.task, span: ref.span, implicit: true });
    }
  }
  return [...explicit, ...implicit];
}

function toleranceOf(value: TaskDocument['tolerate_failures']): FailureTolerance | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { kind: 'count', count: value };
  return { kind: 'percent', percent: Number(value.slice(0, -1)) };
}

function buildTask(
  name: string,
  document: TaskDocument,
  defaults: DefaultsDocument,
  sourceMap: SourceMap,
  taskPath: readonly string[] = ['tasks', name],
): TaskSpec {
  const pick = <K extends keyof DefaultsDocument>(key: K): DefaultsDocument[K] => (document[key] !== undefined ? document[key] : defaults[key]);
  const executor = pick('executor') ?? 'python';
  let parallel: CountSource | undefined;
  if (typeof document.parallel === 'number') {
    parallel = { kind: 'static', count: document.parallel, span: sourceMap.locate([...taskPath, 'parallel']) };
  } else if (typeof document.parallel === 'string') {
    parallel = { kind: 'reference', ref: parseFieldReference(document.parallel, sourceMap.locate([...taskPath, 'parallel'])) };
  }
  const foreach = document.foreach === undefined ? undefined : parseFieldReference(document.foreach, sourceMap.locate([...taskPath, 'foreach']));
  const concurrency = document.concurrency;
  const tolerance = toleranceOf(document.tolerate_failures);
  const fanOut: FanOut | undefined =
    parallel || foreach
      ? {
          ...(foreach ? { foreach } : {}),
          ...(parallel ? { parallel } : {}),
          ...(concurrency ? { concurrency } : {}),
          ...(document.mode ? { mode: document.mode } : {}),
          ...(document.batch_size ? { batchSize: document.batch_size } : {}),
          ...(tolerance ? { tolerateFailures: tolerance } : {}),
        }
      : undefined;

  const timeout = parseDuration(pick('timeout'));
  const maxDelay = parseDuration(pick('max_retry_delay'));
  // fromEntries defines keys, so a variable named `__proto__` is kept as one rather than assigned as a prototype.
  const env: Record<string, string> = Object.fromEntries(
    Object.entries({ ...(defaults.env ?? {}), ...(document.env ?? {}) }).map(([key, value]) => [key, String(value)]),
  );
  const image = pick('image');
  const dockerfile = pick('dockerfile');
  const cpu = pick('cpu');
  const heartbeat = parseDuration(pick('heartbeat'));
  return {
    name,
    ...(document.description !== undefined ? { description: document.description } : {}),
    executor,
    file: document.file,
    dependsOn: toDependencies(document, taskPath, sourceMap),
    ...(fanOut ? { fanOut } : {}),
    ...(document.when !== undefined ? { when: parseWhen(String(document.when), sourceMap, [...taskPath, 'when']) } : {}),
    retry: {
      retries: pick('retries') ?? 0,
      delaySeconds: parseDuration(pick('retry_delay')) ?? 1,
      backoff: pick('backoff') ?? 2,
      ...(maxDelay !== undefined ? { maxDelaySeconds: maxDelay } : {}),
      jitter: pick('jitter') ?? false,
    },
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : executor === 'container' ? {} : { timeoutSeconds: LAMBDA_MAX_TIMEOUT_SECONDS }),
    ...(executor === 'container' ? { heartbeatSeconds: heartbeat ?? DEFAULT_HEARTBEAT_SECONDS } : {}),
    memoryMb: parseMemory(pick('memory')) ?? DEFAULT_MEMORY_MB[executor],
    ...(cpu !== undefined ? { cpu } : {}),
    env,
    ...(image !== undefined ? { image } : {}),
    ...(dockerfile !== undefined ? { dockerfile } : {}),
    secrets: buildSecrets(document.secrets, sourceMap, taskPath),
    span: sourceMap.locate(taskPath, 'key'),
  };
}

/** The schedule as far as it is valid, so a bad `flexible_window:` does not hide a bad expression or time zone. */
function buildSchedule(raw: unknown): ScheduleSpec | undefined {
  if (typeof raw === 'string') return { expression: raw.trim(), enabled: true };
  const parsed = salvage(scheduleObjectSchema, raw) as Partial<ScheduleDocument> | undefined;
  if (parsed?.expression === undefined) return undefined;
  const window = parseDuration(parsed.flexible_window);
  return {
    expression: parsed.expression.trim(),
    ...(parsed.timezone !== undefined ? { timezone: parsed.timezone } : {}),
    enabled: parsed.enabled ?? true,
    ...(window !== undefined ? { flexibleWindowSeconds: window } : {}),
    ...(parsed.input !== undefined ? { input: parsed.input } : {}),
  };
}

/**
 * The triggers as far as they are valid. An entry whose source is not exactly one valid `s3:` or `event:` is
 * left out (the schema or the trigger rules report it); one with some bad params keeps the good ones, so the
 * required-params check still sees what it maps.
 */
function buildTriggers(raw: unknown, sourceMap: SourceMap): TriggerSpec[] {
  if (!Array.isArray(raw)) return [];
  const triggers: TriggerSpec[] = [];
  for (const [index, entry] of raw.entries()) {
    const kept = salvage(triggerSchema as unknown as ObjectSchema, entry);
    if (kept === undefined) continue;
    const written = entry as Record<string, unknown>;
    const hasS3 = Object.hasOwn(written, 's3');
    const hasEvent = Object.hasOwn(written, 'event');
    let source: TriggerSource | undefined;
    if (hasS3 && !hasEvent) {
      const s3 = salvage(s3TriggerSchema as unknown as ObjectSchema, written.s3) as Partial<S3TriggerDocument> | undefined;
      if (s3?.bucket !== undefined) {
        source = {
          kind: 's3',
          buckets: typeof s3.bucket === 'string' ? [s3.bucket] : s3.bucket,
          ...(s3.prefix !== undefined ? { prefix: s3.prefix } : {}),
          ...(s3.suffix !== undefined ? { suffix: s3.suffix } : {}),
        };
      }
    } else if (hasEvent && !hasS3 && kept.event !== undefined) {
      source = { kind: 'event', pattern: kept.event as EventPattern, ...(typeof kept.bus === 'string' ? { bus: kept.bus } : {}) };
    }
    if (!source) continue;
    const rawParams = written.params;
    const params =
      rawParams !== null && typeof rawParams === 'object' && !Array.isArray(rawParams)
        ? Object.fromEntries(Object.entries(rawParams).filter((pair): pair is [string, string] => typeof pair[1] === 'string'))
        : {};
    triggers.push({ source, params, span: sourceMap.locate(['triggers', index]) });
  }
  return triggers;
}

/** A workflow name the state machine can take: letters, digits, `-` and `_`, at most 80 characters. */
export function sanitiseWorkflowName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return (cleaned || 'workflow').slice(0, 80);
}

interface ObjectSchema {
  readonly shape: Record<string, { safeParse(value: unknown): { success: boolean; data?: unknown } }>;
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/**
 * The settings of a mapping that are valid on their own, the rest dropped (their errors are reported by the
 * schema): one bad setting must not hide the checks of the others. Undefined when it is not a mapping.
 */
function salvage(schema: ObjectSchema, raw: unknown): Record<string, unknown> | undefined {
  const whole = schema.safeParse(raw);
  if (whole.success) return whole.data as Record<string, unknown>;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = Object.hasOwn(schema.shape, key) ? schema.shape[key] : undefined;
    const parsed = field?.safeParse(value);
    if (parsed?.success) kept[key] = parsed.data;
  }
  return kept;
}

/**
 * The task as far as it is valid: a task with one bad setting keeps its other settings, so its
 * dependencies, file and the rest are still checked and every problem is reported in one pass. Without a
 * valid `file` it still takes part in the graph, with an empty file that the file rule skips.
 */
function salvageTask(raw: unknown): TaskDocument | undefined {
  const kept = salvage(taskSchema as unknown as ObjectSchema, raw);
  return kept === undefined ? undefined : ({ file: '', ...kept } as TaskDocument);
}

/** Builds the spec task by task; invalid settings are dropped (their errors are already reported). */
export function buildSpec(raw: Record<string, unknown>, file: string, directoryName: string, sourceMap: SourceMap): WorkflowSpec {
  // Defaults as far as they are valid: a bad `defaults.executor` must not hide a `defaults.timeout` that is too long.
  const defaults = (salvage(defaultsSchema as unknown as ObjectSchema, raw.defaults ?? {}) ?? {}) as DefaultsDocument;
  const tasks: TaskSpec[] = [];
  const rawTasks = raw.tasks;
  if (rawTasks !== null && typeof rawTasks === 'object' && !Array.isArray(rawTasks)) {
    for (const name of Object.keys(rawTasks)) {
      const document = salvageTask((rawTasks as Record<string, unknown>)[name]);
      if (document) tasks.push(buildTask(name, document, defaults, sourceMap));
    }
  }
  const schedule = raw.schedule === undefined ? undefined : buildSchedule(raw.schedule);
  // The handler as far as it is valid, like a task; the settings it may not take are reported by the schema.
  const handler = raw.on_failure === undefined ? undefined : salvageTask(raw.on_failure);
  const onFailure = handler ? buildTask(ON_FAILURE_TASK, onlyHandlerSettings(handler), defaults, sourceMap, ['on_failure']) : undefined;
  const triggers = buildTriggers(raw.triggers, sourceMap);
  const params = raw.params !== null && typeof raw.params === 'object' && !Array.isArray(raw.params) ? (raw.params as Record<string, unknown>) : {};
  return {
    name: typeof raw.name === 'string' ? raw.name : sanitiseWorkflowName(directoryName),
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    params,
    ...(schedule ? { schedule } : {}),
    triggers,
    tasks,
    ...(onFailure ? { onFailure } : {}),
    file,
  };
}

/** A handler has no dependencies, fan-out or condition, even when it was given some (an error already). */
function onlyHandlerSettings(document: TaskDocument): TaskDocument {
  const kept: Record<string, unknown> = { ...document };
  for (const key of NOT_FOR_FAILURE_HANDLER) delete kept[key];
  return kept as TaskDocument;
}

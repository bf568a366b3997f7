import { z } from 'zod';
import { DURATION_PATTERN, MEMORY_PATTERN, parseDuration, parseMemory } from './units.js';

/**
 * The workflow.yaml language. This schema is the single source of truth: validation runs it, and
 * `ork schema` prints the JSON Schema derived from it for editors. Checks that need more than one field
 * (defaults merged into tasks, files on disk, references between tasks) live in the validation rules
 * and the graph stage.
 */

export const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** `task.field` or `task.field.nested`. */
export const FIELD_REFERENCE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)+$';

export const EXECUTORS = ['python', 'node', 'container'] as const;
export const FAN_OUT_MODES = ['inline', 'distributed'] as const;
/** A whole-number percentage, `0%` to `100%`. */
export const PERCENT_PATTERN = '^(?:0|[1-9][0-9]{0,2})%$';

// `0s` matches the pattern but is no duration: a zero timeout or retry delay is refused, as `0` is.
const duration = z
  .union([
    z.int().positive(),
    z
      .string()
      .regex(new RegExp(DURATION_PATTERN))
      .refine((text) => parseDuration(text) !== undefined),
  ])
  .describe('A duration: `30s`, `15m`, `2h`, `1d`, `1h30m`, or a whole number of seconds.');

// Likewise `0MB`, which would otherwise be dropped and silently replaced by the default.
const memory = z
  .union([
    z.int().positive(),
    z
      .string()
      .regex(new RegExp(MEMORY_PATTERN, 'i'))
      .refine((text) => parseMemory(text) !== undefined),
  ])
  .describe('Memory in MB (`1024`) or with a unit (`512MB`, `2GB`).');

const positiveCount = z.int().min(1);

const fieldReference = z.string().regex(new RegExp(FIELD_REFERENCE_PATTERN));

const envValue = z.union([z.string(), z.number(), z.boolean()]);

function optionalAll<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as { [K in keyof T]: z.ZodOptional<T[K]> };
}

/** Settings a task may inherit from `defaults:`. */
const inheritable = {
  executor: z.enum(EXECUTORS).describe('Where the task runs: `python` (Lambda), `node` (Lambda) or `container` (ECS Fargate).'),
  retries: z.int().min(0).describe('How many times a failed instance is retried. @default 0'),
  retry_delay: duration.describe('Wait before the first retry. @default 1s'),
  backoff: z.number().min(1).describe('Multiplier applied to the retry delay after each attempt. @default 2'),
  max_retry_delay: duration.describe('Upper bound of the delay between retries.'),
  jitter: z.boolean().describe('Randomise retry delays (full jitter) so retries of many instances spread out. @default false'),
  timeout: duration.describe('Time limit of one attempt. @default 15m for python and node, none for container'),
  heartbeat: duration.describe('Container tasks: fail an attempt that sends no heartbeat for this long. @default 5m'),
  memory: memory.describe('Memory of one instance. @default 1024MB (Lambda), 2048MB (container)'),
  cpu: z.number().positive().describe('Container tasks: vCPUs (0.25, 0.5, 1, 2, 4, 8 or 16). @default 1'),
  env: z.record(z.string(), envValue).describe('Environment variables of the task; merged over `defaults.env`.'),
  image: z.string().min(1).describe('Container tasks: a prebuilt image that has the Ork SDK.'),
  dockerfile: z.string().min(1).describe('Container tasks: a Dockerfile, relative to the workflow directory.'),
} as const;

export const DEPENDENCY_CONDITIONS = ['success', 'always'] as const;

const dependencySchema = z
  .strictObject({
    task: z.string().describe('The upstream task.'),
    if: z
      .enum(DEPENDENCY_CONDITIONS)
      .optional()
      .describe('`always`: run even when that task was skipped, receiving null for its output. @default success (skipped with it)'),
  })
  .describe('An upstream task, with when this task still runs.');

export const taskSchema = z
  .strictObject({
    description: z.string().optional(),
    ...optionalAll(inheritable),
    file: z.string().min(1).describe('The task code, relative to the workflow directory (e.g. `tasks/process.py`).'),
    secrets: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Secrets the task may read (`ctx.secrets`): Secrets Manager names (`prod/warehouse`), SSM parameter paths (`/ork/api-token`) or ARNs of either. On AWS its role may read exactly these; `ork run` reads them from `.ork/secrets.json` or `ORK_SECRET_<NAME>`.',
      ),
    depends_on: z
      .union([z.string(), z.array(z.union([z.string(), dependencySchema]))])
      .optional()
      .describe('Tasks that must finish before this one starts: names, or `{task: name, if: always}` to run even when that task was skipped.'),
    when: z
      // `when: false` unquoted is a YAML boolean: a constant condition, as the text `false` would be.
      .union([z.string().min(1), z.boolean()])
      .optional()
      .describe(
        "Run the task only when this holds, e.g. `discover.count > 0 and params.mode != 'dry-run'`; otherwise it is skipped, and so are the tasks that depend on it (docs/conditions.md).",
      ),
    parallel: z
      .union([positiveCount, fieldReference])
      .optional()
      .describe('Run this many instances: a positive integer, or `task.field` read from an upstream output at run time.'),
    foreach: fieldReference.optional().describe('Run one instance per element of the list `task.field` of an upstream output.'),
    concurrency: positiveCount.optional().describe('At most this many instances of the fan-out run at once.'),
    mode: z
      .enum(FAN_OUT_MODES)
      .optional()
      .describe(
        'How the fan-out runs on AWS: `inline` (a Map inside the execution, up to 40 at once) or `distributed` (a Distributed Map of child executions, any size). @default chosen from the fan-out’s size and options',
      ),
    batch_size: positiveCount.optional().describe('Distributed fan-outs: hand one invocation this many instances; the task is still called once per instance.'),
    tolerate_failures: z
      .union([
        z.int().min(0),
        z
          .string()
          .regex(new RegExp(PERCENT_PATTERN))
          .refine((text) => Number(text.slice(0, -1)) <= 100),
      ])
      .optional()
      .describe('Let the fan-out succeed while at most this many instances fail: a count (`10`) or a percentage (`5%`). @default 0'),
  })
  .describe('A task: one Python (or TypeScript) file run as one or many instances.');

/** Keys a task has that the failure handler may not: it runs once, on its own, whenever the workflow fails. */
export const NOT_FOR_FAILURE_HANDLER = ['depends_on', 'when', 'parallel', 'foreach', 'concurrency', 'mode', 'batch_size', 'tolerate_failures'] as const;

export const onFailureSchema = taskSchema
  .omit(Object.fromEntries(NOT_FOR_FAILURE_HANDLER.map((key) => [key, true])) as { [K in (typeof NOT_FOR_FAILURE_HANDLER)[number]]: true })
  .describe('A task run once when the workflow fails, with the failure in its input (`failure`); the run still ends FAILED with the original error.');

export const defaultsSchema = z.strictObject(optionalAll(inheritable)).describe('Settings every task inherits unless it sets its own.');

export const scheduleObjectSchema = z.strictObject({
  expression: z.string().describe('`cron(0 6 * * ? *)`, `rate(1 hour)` or `at(2026-01-01T00:00:00)`.'),
  timezone: z.string().optional().describe('IANA time zone of a cron or at expression, e.g. `Europe/Paris`. @default UTC'),
  enabled: z.boolean().optional().describe('@default true'),
  flexible_window: duration.optional().describe('Let EventBridge Scheduler start the run up to this late: whole minutes, from 1m to 24h.'),
  input: z.record(z.string(), z.unknown()).optional().describe('Params of scheduled runs, over `params:`.'),
});

export const scheduleSchema = z.union([z.string(), scheduleObjectSchema]).describe('When to run the workflow on AWS (EventBridge Scheduler).');

export const s3TriggerSchema = z
  .strictObject({
    bucket: z
      .union([z.string(), z.array(z.string()).min(1)])
      .describe('The bucket whose new objects start the workflow, or a list of buckets. It must send its events to EventBridge.'),
    prefix: z.string().optional().describe('Only objects whose key starts with this, e.g. `incoming/`.'),
    suffix: z.string().optional().describe('Only objects whose key ends with this, e.g. `.csv`.'),
  })
  .describe('S3 "Object Created" events of a bucket.');

export const triggerSchema = z
  .strictObject({
    s3: s3TriggerSchema.optional(),
    event: z.record(z.string(), z.unknown()).optional().describe('An EventBridge event pattern, e.g. `{source: [shop.orders], detail-type: [OrderPlaced]}`.'),
    bus: z.string().optional().describe('With `event:`: the event bus, by name or ARN. @default the default bus'),
    params: z.record(z.string(), z.string()).optional().describe('Params of the execution, each a JSONPath into the event, e.g. `key: $.detail.object.key`.'),
  })
  .describe('An event that starts the workflow: `s3:` or `event:`, with the params read from it.');

export const workflowSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().optional().describe('Name of the workflow and its state machine. @default the directory name'),
    description: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional().describe('Defaults of the workflow input, handed to every task as `params`.'),
    defaults: defaultsSchema.optional(),
    schedule: scheduleSchema.optional(),
    triggers: z.array(triggerSchema).optional().describe('Events that start the workflow on AWS (EventBridge rules): S3 uploads or any event pattern.'),
    tasks: z.record(z.string(), taskSchema).describe('The tasks, by name. Names are identifiers.'),
    on_failure: onFailureSchema.optional(),
  })
  .describe('An Ork workflow.');

export type WorkflowDocument = z.infer<typeof workflowSchema>;
export type TaskDocument = z.infer<typeof taskSchema>;
export type DefaultsDocument = z.infer<typeof defaultsSchema>;
export type ScheduleDocument = z.infer<typeof scheduleObjectSchema>;
export type OnFailureDocument = z.infer<typeof onFailureSchema>;
export type TriggerDocument = z.infer<typeof triggerSchema>;
export type S3TriggerDocument = z.infer<typeof s3TriggerSchema>;

/** Keys a user may write, for "did you mean" hints. */
export const WORKFLOW_KEYS: readonly string[] = Object.keys(workflowSchema.shape);
export const TASK_KEYS: readonly string[] = Object.keys(taskSchema.shape);
export const DEFAULTS_KEYS: readonly string[] = Object.keys(defaultsSchema.shape);
export const SCHEDULE_KEYS: readonly string[] = Object.keys(scheduleObjectSchema.shape);
export const ON_FAILURE_KEYS: readonly string[] = Object.keys(onFailureSchema.shape);
export const TRIGGER_KEYS: readonly string[] = Object.keys(triggerSchema.shape);
export const S3_TRIGGER_KEYS: readonly string[] = Object.keys(s3TriggerSchema.shape);

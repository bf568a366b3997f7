import { Environment } from '../../contract/contract.js';
import type { Failure } from '../../contract/failure-schema.js';
import type { ToleratedFailure } from './failures.js';
import { maskData, maskingActive } from './masking.js';
import type { Payload } from './payload.js';
import { Secrets } from './secrets.js';
import type { Sink } from './sink.js';

const UNITS = new Set(
  'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second Count/Second None'.split(
    ' ',
  ),
);
const RESERVED_METRIC_NAMES = new Set(['_aws', 'Workflow', 'Task', 'ExecutionId', 'Instance']);

export type CloudWatchUnit =
  | 'Count'
  | 'Seconds'
  | 'Milliseconds'
  | 'Microseconds'
  | 'Bytes'
  | 'Kilobytes'
  | 'Megabytes'
  | 'Gigabytes'
  | 'Percent'
  | 'Count/Second'
  | 'Bytes/Second'
  | 'None'
  | (string & {});

/** `ctx.log`: one JSON line per call carrying workflow, task, instance, execution and attempt. */
export class TaskLogger {
  constructor(
    private readonly sink: Sink,
    private readonly fields: Record<string, unknown>,
  ) {}

  private emit(level: string, message: unknown, extra: Record<string, unknown> = {}): void {
    const record: Record<string, unknown> = { timestamp: Date.now() / 1000, level, message: String(message), ...this.fields };
    for (const [key, value] of Object.entries(extra)) if (!(key in record)) record[key] = value;
    // A secret value the task read (ctx.secrets) is written as *** wherever it appears in the line.
    this.sink.emit(maskingActive() ? (maskData(record) as Record<string, unknown>) : record);
  }

  debug(message: unknown, fields?: Record<string, unknown>): void {
    this.emit('debug', message, fields);
  }

  info(message: unknown, fields?: Record<string, unknown>): void {
    this.emit('info', message, fields);
  }

  warning(message: unknown, fields?: Record<string, unknown>): void {
    this.emit('warning', message, fields);
  }

  warn(message: unknown, fields?: Record<string, unknown>): void {
    this.emit('warning', message, fields);
  }

  error(message: unknown, fields?: Record<string, unknown>): void {
    this.emit('error', message, fields instanceof Error ? { error: fields.message, stack: fields.stack } : fields);
  }
}

/**
 * `ctx.metrics.record`: CloudWatch metrics through the Embedded Metric Format, as in the Python SDK:
 * namespace ORK_METRICS_NAMESPACE (default `Ork`), dimension sets [Workflow] and [Workflow, Task].
 */
export class Metrics {
  constructor(
    private readonly sink: Sink,
    private readonly workflow: string,
    private readonly task: string,
    private readonly properties: Record<string, unknown>,
  ) {}

  record(name: string, value: number, unit: CloudWatchUnit = 'Count'): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 255) throw new Error('metric name must be a non-empty string of at most 255 characters');
    if (RESERVED_METRIC_NAMES.has(name)) throw new Error(`metric name '${name}' is reserved for the record's dimensions and properties`);
    if (!UNITS.has(unit)) throw new Error(`unknown CloudWatch unit '${unit}'`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`metric '${name}' needs a finite number, got ${String(value)}`);
    this.sink.emit({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: process.env[Environment.metricsNamespace] || 'Ork',
            Dimensions: [['Workflow'], ['Workflow', 'Task']],
            Metrics: [{ Name: name, Unit: unit }],
          },
        ],
      },
      Workflow: this.workflow,
      Task: this.task,
      [name]: value,
      ...this.properties,
    });
  }
}

/** What a task instance knows about itself and its run. `attempt` counts from 1. */
export class Context {
  readonly workflow: string;
  readonly task: string;
  readonly executionId: string;
  readonly attempt: number;
  readonly parallelIndex: number;
  readonly parallelCount: number;
  readonly itemIndex: number | undefined;
  readonly instance: string;
  /**
   * The tolerated failures of upstream fan-outs (`tolerate_failures:`) by upstream task name, left out of
   * the input's lists of outputs. Empty when there were none.
   */
  readonly failures: Readonly<Record<string, readonly ToleratedFailure[]>>;
  /**
   * In the `on_failure:` handler, why the workflow failed (the input's `failure` too, in the payload's own
   * field names); undefined in every other task.
   */
  readonly failure: Failure | undefined;
  readonly log: TaskLogger;
  readonly metrics: Metrics;
  /**
   * The task's `secrets:`, read on first use: `await ctx.secrets.get('prod/db')`, `await ctx.secrets.json('prod/db')`
   * (secrets.ts).
   */
  readonly secrets: Secrets;

  constructor(payload: Payload, logSink: Sink, metricSink: Sink, failures: Record<string, readonly ToleratedFailure[]> = {}) {
    this.workflow = payload.workflow;
    this.task = payload.task;
    this.executionId = payload.executionId;
    this.attempt = payload.attempt + 1;
    this.parallelIndex = payload.parallelIndex;
    this.parallelCount = payload.parallelCount;
    this.itemIndex = payload.itemIndex;
    this.instance = payload.instance;
    this.failures = failures;
    this.failure = payload.failure && { ...payload.failure };
    this.log = new TaskLogger(logSink, {
      workflow: payload.workflow,
      task: payload.task,
      instance: payload.instance,
      execution_id: payload.executionId,
      attempt: this.attempt,
    });
    this.secrets = new Secrets(payload.task);
    this.metrics = new Metrics(metricSink, payload.workflow, payload.task, { ExecutionId: payload.executionId, Instance: payload.instance });
  }
}

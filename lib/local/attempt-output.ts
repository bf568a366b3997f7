import type { RunObserver } from './run-events.js';

/** One metric of an EMF record: what CloudWatch would make of it. */
export interface EmfMetric {
  readonly name: string;
  readonly unit: string;
  readonly values: readonly number[];
}

/**
 * The metrics of an Embedded Metric Format record (`{"_aws": {"CloudWatchMetrics": [{"Metrics": [{"Name",
 * "Unit"}]}]}, "<Name>": value}`), or undefined when the object is not one. A value may be a number or a list
 * of numbers, as EMF allows; values that are neither are skipped, as CloudWatch skips them.
 */
export function emfMetrics(record: Record<string, unknown>): EmfMetric[] | undefined {
  const aws = record._aws as { CloudWatchMetrics?: unknown } | undefined;
  if (aws === null || typeof aws !== 'object' || !Array.isArray(aws.CloudWatchMetrics)) return undefined;
  const metrics: EmfMetric[] = [];
  for (const directive of aws.CloudWatchMetrics as { Metrics?: unknown }[]) {
    if (directive === null || typeof directive !== 'object' || !Array.isArray(directive.Metrics)) continue;
    for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
      if (metric === null || typeof metric !== 'object' || typeof metric.Name !== 'string') continue;
      const raw = record[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length > 0) metrics.push({ name: metric.Name, unit: typeof metric.Unit === 'string' ? metric.Unit : 'None', values });
    }
  }
  return metrics;
}

function jsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hands what an attempt wrote to stdout and stderr to the run, line by line, as CloudWatch Logs reads a
 * function's output: an EMF record (what `ctx.metrics.record` writes) is a metric, a JSON object with a
 * string `level` and `message` (what `ctx.log` writes) a structured log line, anything else a printed line.
 * Called with whatever the attempt wrote, also when it crashed or timed out: nothing it wrote is lost.
 */
export function recordAttemptOutput(text: string | undefined, task: string, instance: string, observer: RunObserver): void {
  if (!text) return;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line.trim()) continue;
    const object = jsonObject(line.trim());
    if (object && emfMetrics(object) !== undefined) {
      observer.metric?.({ task, instance, record: object });
    } else if (object && typeof object.level === 'string' && typeof object.message === 'string') {
      observer.log?.({ task, instance, level: object.level, message: object.message, record: object });
    } else {
      observer.log?.({ task, instance, level: 'print', message: line, record: { message: line } });
    }
  }
}

/** Per-metric figures of one task: what `ork show`, `--json` and the HTML report give. */
export interface MetricSummary {
  readonly name: string;
  readonly unit: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/** Adds up the metrics of each task, by metric name and unit. */
export class MetricTotals {
  private readonly byTask = new Map<string, Map<string, { name: string; unit: string; count: number; sum: number; min: number; max: number }>>();

  add(task: string, record: Record<string, unknown>): void {
    let totals = this.byTask.get(task);
    if (!totals) {
      totals = new Map();
      this.byTask.set(task, totals);
    }
    for (const metric of emfMetrics(record) ?? []) {
      const key = `${metric.name}\u0000${metric.unit}`;
      let total = totals.get(key);
      if (!total) {
        total = { name: metric.name, unit: metric.unit, count: 0, sum: 0, min: Infinity, max: -Infinity };
        totals.set(key, total);
      }
      for (const value of metric.values) {
        total.count++;
        total.sum += value;
        total.min = Math.min(total.min, value);
        total.max = Math.max(total.max, value);
      }
    }
  }

  /** The task's metrics in the order they were first recorded; undefined when it recorded none. */
  of(task: string): MetricSummary[] | undefined {
    const totals = this.byTask.get(task);
    return totals && totals.size > 0 ? [...totals.values()].map((t) => ({ ...t })) : undefined;
  }
}

/**
 * Context, ctx.log and ctx.metrics of the Node SDK: the same fields, log records and EMF records as the
 * Python SDK, which is run here on the same payloads to compare with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Context, defineTask } from '../ork/index.js';
import { parsePayload } from '../ork/payload.js';
import { ListSink } from '../ork/sink.js';
import { makePayload, python, run, runOk } from './support.js';

const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:etl:2f1c';

const contextTask = defineTask({
  handler: (_input, ctx) => ({
    workflow: ctx.workflow,
    task: ctx.task,
    executionId: ctx.executionId,
    attempt: ctx.attempt,
    parallelIndex: ctx.parallelIndex,
    parallelCount: ctx.parallelCount,
    itemIndex: ctx.itemIndex ?? null,
    instance: ctx.instance,
  }),
});

describe('Context', () => {
  it.each([
    ['plain', {}, { attempt: 1, parallelIndex: 0, parallelCount: 1, itemIndex: null, instance: 'process' }],
    [
      'parallel, retried',
      { attempt: 2, parallel_index: 3, parallel_count: 4 },
      { attempt: 3, parallelIndex: 3, parallelCount: 4, itemIndex: null, instance: 'process[3]' },
    ],
    ['foreach', { item: 'b.csv', item_index: 1 }, { attempt: 1, parallelIndex: 0, parallelCount: 1, itemIndex: 1, instance: 'process[item 1]' }],
    [
      'foreach × parallel',
      { item: 'eu', item_index: 2, parallel_index: 1, parallel_count: 4, attempt: 1 },
      { attempt: 2, parallelIndex: 1, parallelCount: 4, itemIndex: 2, instance: 'process[item 2, 1]' },
    ],
  ])('%s: attempt = payload attempt + 1, indexes and instance name', async (_, fields, expected) => {
    const { output } = await runOk(contextTask, makePayload('process', { workflow: 'etl', execution_id: EXECUTION, ...fields }));
    expect(output).toStrictEqual({ workflow: 'etl', task: 'process', executionId: EXECUTION, ...expected });
  });

  it('matches the Python Context on the same payloads', async () => {
    const payloads = [{}, { attempt: 2, parallel_index: 3, parallel_count: 4 }, { item: 'eu', item_index: 2, parallel_index: 1, parallel_count: 4 }].map((f) =>
      makePayload('process', { workflow: 'etl', execution_id: EXECUTION, ...f }),
    );
    const fromPython = JSON.parse(
      python(
        `import json, sys
from ork.context import Context
from ork.payload import Payload
from ork.sink import ListSink
out = []
for raw in json.load(sys.stdin):
    c = Context(Payload.parse(raw), ListSink(), ListSink())
    out.append([c.workflow, c.task, c.execution_id, c.attempt, c.parallel_index, c.parallel_count, c.item_index, c.instance])
print(json.dumps(out))`,
        {},
        JSON.stringify(payloads),
      ),
    ) as unknown[];
    const fromNode = payloads.map((raw) => {
      const c = new Context(parsePayload(raw), new ListSink(), new ListSink());
      return [c.workflow, c.task, c.executionId, c.attempt, c.parallelIndex, c.parallelCount, c.itemIndex ?? null, c.instance];
    });
    expect(fromNode).toStrictEqual(fromPython);
  });
});

/** The record a Python task writes for the same calls, on the same payload. */
function pythonRecords(payload: Record<string, unknown>): { logs: Record<string, unknown>[]; metrics: Record<string, unknown>[] } {
  return JSON.parse(
    python(
      `import json, sys
from ork.context import Context
from ork.payload import Payload
from ork.sink import ListSink
logs, metrics = ListSink(), ListSink()
ctx = Context(Payload.parse(json.load(sys.stdin)), logs, metrics)
ctx.log.info("processed", rows=12, file="a.csv")
ctx.log.warning("slow page", seconds=2.5)
ctx.log.error("gave up", task="not-overridden")
ctx.metrics.record("rows_processed", 12)
ctx.metrics.record("latency", 2.5, "Seconds")
print(json.dumps({"logs": logs.records, "metrics": metrics.records}))`,
      {},
      JSON.stringify(payload),
    ),
  ) as { logs: Record<string, unknown>[]; metrics: Record<string, unknown>[] };
}

const recording = defineTask({
  handler: (_input, ctx) => {
    ctx.log.info('processed', { rows: 12, file: 'a.csv' });
    ctx.log.warning('slow page', { seconds: 2.5 });
    ctx.log.error('gave up', { task: 'not-overridden' });
    ctx.metrics.record('rows_processed', 12);
    ctx.metrics.record('latency', 2.5, 'Seconds');
    return null;
  },
});

/** A record without its timestamps, which differ between two runs. */
function timeless(record: Record<string, unknown>): Record<string, unknown> {
  const { timestamp: _t, _aws, ...rest } = record as { timestamp?: unknown; _aws?: { Timestamp?: unknown } } & Record<string, unknown>;
  if (_aws) {
    const { Timestamp: _ts, ...aws } = _aws;
    return { ...rest, _aws: aws };
  }
  return rest;
}

/** The EMF specification's rules (lambdas/python/tests/emf.py, in TypeScript). */
function emfProblems(record: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const aws = record._aws as
    { Timestamp?: unknown; CloudWatchMetrics?: { Namespace?: unknown; Dimensions?: unknown; Metrics?: { Name?: unknown; Unit?: unknown }[] }[] } | undefined;
  if (!aws) return ['no _aws'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 0) problems.push('Timestamp is not integer milliseconds');
  for (const directive of aws.CloudWatchMetrics ?? []) {
    if (typeof directive.Namespace !== 'string' || directive.Namespace.length === 0) problems.push('bad Namespace');
    for (const set of directive.Dimensions as string[][])
      for (const key of set) if (typeof record[key] !== 'string') problems.push(`dimension ${key} has no string value`);
    for (const metric of directive.Metrics ?? [])
      if (typeof record[metric.Name as string] !== 'number') problems.push(`metric ${String(metric.Name)} has no number`);
  }
  return problems;
}

describe('ctx.log and ctx.metrics', () => {
  const payload = makePayload('process', { workflow: 'etl', execution_id: EXECUTION, item: 'a.csv', item_index: 4, attempt: 1 });
  afterEach(() => {
    delete process.env.ORK_METRICS_NAMESPACE;
  });

  it('log records: level, message, workflow, task, instance, execution_id, attempt and the extra fields (which never override them)', async () => {
    const { logs } = await runOk(recording, payload);
    expect(logs.map(timeless)).toStrictEqual([
      {
        level: 'info',
        message: 'processed',
        workflow: 'etl',
        task: 'process',
        instance: 'process[item 4]',
        execution_id: EXECUTION,
        attempt: 2,
        rows: 12,
        file: 'a.csv',
      },
      {
        level: 'warning',
        message: 'slow page',
        workflow: 'etl',
        task: 'process',
        instance: 'process[item 4]',
        execution_id: EXECUTION,
        attempt: 2,
        seconds: 2.5,
      },
      { level: 'error', message: 'gave up', workflow: 'etl', task: 'process', instance: 'process[item 4]', execution_id: EXECUTION, attempt: 2 },
    ]);
    for (const record of logs) expect(Math.abs((record.timestamp as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('EMF records: valid, and the same as the Python SDK writes (apart from the time)', async () => {
    const { logs, metrics } = await runOk(recording, payload);
    expect(metrics).toHaveLength(2);
    for (const record of metrics) expect(emfProblems(record)).toEqual([]);
    expect(metrics[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'Ork', Dimensions: [['Workflow'], ['Workflow', 'Task']], Metrics: [{ Name: 'rows_processed', Unit: 'Count' }] }],
      },
      Workflow: 'etl',
      Task: 'process',
      rows_processed: 12,
      ExecutionId: EXECUTION,
      Instance: 'process[item 4]',
    });
    const fromPython = pythonRecords(payload);
    expect(metrics.map(timeless)).toStrictEqual(fromPython.metrics.map(timeless));
    expect(logs.map(timeless)).toStrictEqual(fromPython.logs.map(timeless));
    // same key order too: the records read the same in CloudWatch
    expect(metrics.map((m) => Object.keys(m))).toStrictEqual(fromPython.metrics.map((m) => Object.keys(m)));
  });

  it('ORK_METRICS_NAMESPACE sets the namespace', async () => {
    process.env.ORK_METRICS_NAMESPACE = 'Shop/Etl';
    const { metrics } = await runOk(defineTask({ handler: (_i, ctx) => ctx.metrics.record('n', 1) ?? null }));
    expect((metrics[0]?._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace).toBe('Shop/Etl');
  });

  it('metrics.record refuses what CloudWatch would drop: reserved names, unknown units, non-finite values', async () => {
    for (const [name, value, unit] of [
      ['Workflow', 1, 'Count'],
      ['Instance', 1, 'Count'],
      ['rows', 1, 'Rows'],
      ['rows', Number.NaN, 'Count'],
      ['', 1, 'Count'],
    ] as const) {
      const task = defineTask({ handler: (_i, ctx) => ctx.metrics.record(name, value, unit) ?? null });
      const { error, metrics } = await run(task);
      expect(error, `${name} ${value} ${unit}`).toBeInstanceOf(Error);
      expect(metrics).toEqual([]);
    }
  });
});

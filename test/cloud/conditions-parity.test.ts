import path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AwsParity, Deployment } from '../support/aws-parity/index.js';
import { writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { jsonLines, runWorkflowCli, type RunSummaryJson } from '../support/cli.js';

/**
 * when:, `if: always` and on_failure: are Choice, Pass, Parallel/Catch and Fail states of the machine
 * (docs/conditions.md), so they must decide the same on moto's interpreter (its own Choice rules, JSONPath
 * and intrinsics) with the real Lambda handler as under `ork run` (aws-local-stepfunctions). One deploy of
 * one workflow serves every execution; each runs on both sides with the same input and the outcomes are
 * compared: `$.results` with null for skipped tasks, which tasks were skipped, the execution's error and
 * cause, and what the on_failure handler received (its output echoes it: on moto the handler's
 * LambdaFunctionSucceeded in the history, its ResultPath being null; locally its attempt record).
 *
 * What differs by design: a Lambda error's cause on AWS (and moto) is the runtime's error JSON
 * (`{"errorMessage", "errorType", "requestId", "stackTrace"}`), locally the error's message; the tests
 * compare the message and the name. A stored output's `$ork_ref` is an s3:// URL on moto and a file:// one
 * locally.
 */

const runSuite = paritySuiteRuns('conditions parity');

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-conditions
params:
  mode: full
  files: [a, b, c]
  level: high
  fail: none
  handler_fails: false
tasks:
  discover:
    file: tasks/discover.py
  audit:
    file: tasks/audit.py
    depends_on: [discover]
    when: "params.mode in ['full', 'audit']"
  process:
    file: tasks/process.py
    foreach: discover.files
    when: "discover.count > 0 and params.mode != 'dry-run'"
  aggregate:
    file: tasks/aggregate.py
    depends_on: [process]
  big:
    file: tasks/big.py
    depends_on: [discover]
  gated:
    file: tasks/gated.py
    depends_on: [big]
    when: "big.count >= 3 and big.meta.level == 'high'"
  report:
    file: tasks/report.py
    depends_on: [{task: aggregate, if: always}, {task: audit, if: always}, {task: gated, if: always}]
on_failure:
  file: tasks/alert.py
`,
  'tasks/discover.py': `from ork import task


@task
def main(input):
    files = input["params"]["files"]
    return {"count": len(files), "files": files}
`,
  'tasks/audit.py': `from ork import task


class AuditRefused(Exception):
    pass


@task
def main(input):
    if input["params"]["fail"] == "audit":
        raise AuditRefused(f"audit refused {input['discover']['count']} files")
    return {"audited": input["discover"]["count"]}
`,
  'tasks/process.py': `from ork import task


@task
def main(input):
    if input["params"]["fail"] == "process" and input["item"] == "b":
        raise ValueError("cannot process b")
    return {"file": input["item"], "size": len(input["item"]) * 10}
`,
  'tasks/aggregate.py': `from ork import task


@task
def main(input):
    return {"total": sum(o["size"] for o in input["process"])}
`,
  'tasks/big.py': `from ork import task


@task
def main(input):
    # Above ORK_LARGE_OUTPUT_BYTES (64 KiB): stored, the state holds a reference with the fields gated reads.
    return {"count": input["discover"]["count"], "meta": {"level": input["params"]["level"]}, "blob": "x" * 70_000}
`,
  'tasks/gated.py': `from ork import task


@task
def main(input):
    return {"count": input["big"]["count"], "blob": len(input["big"]["blob"])}
`,
  'tasks/report.py': `from ork import task


@task
def main(input):
    return {"received": {name: input[name] for name in ("aggregate", "audit", "gated")}}
`,
  'tasks/alert.py': `from ork import task


@task
def main(input):
    failure = input["failure"]
    if input["params"]["handler_fails"]:
        raise RuntimeError("the alert could not be sent")
    return {"received": failure}
`,
};

/** What `ork run --json` adds to the summary for these tests: each task's status, the handler's own failure. */
interface ConditionsRunJson extends RunSummaryJson {
  tasks: Record<string, RunSummaryJson['tasks'][string] & { status: string }>;
  onFailureError?: { error: string; message: string };
}

interface Outcome {
  status: string;
  /** `$.results`, each stored output's `$ork_ref` replaced by 'REF' (the URLs differ by design). */
  results?: Record<string, unknown>;
  /** Tasks whose `<task>-skipped` state was entered, sorted. */
  skipped: string[];
  /** Whether a Map state was entered (on moto; a skipped fan-out's Choice goes around its Map). */
  mapEntered?: boolean;
  /** The failure the on_failure handler was given (its input), whether it then succeeded or failed. */
  failure?: Record<string, unknown>;
  error?: string;
  cause?: string;
  /** The on_failure handler's output (it echoes the failure it received), when it succeeded. */
  handled?: { received: Record<string, unknown> };
  /** The handler's own error name, when it failed. */
  handlerError?: string;
  /** On moto, the history's events from the handler's state on (type and state name), for failure messages. */
  trail?: string;
}

/** A stored output's reference with its URL replaced: the kept fields and the size are what both sides share. */
function withoutUrls(results: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(results), (_key, value: unknown) =>
    value && typeof value === 'object' && '$ork_ref' in value ? { ...value, $ork_ref: 'REF' } : value,
  ) as Record<string, unknown>;
}

/** The Lambda runtime's error JSON, which is a Lambda error's cause on AWS and moto. */
function lambdaError(cause: string | undefined): { errorType?: string; errorMessage?: string } {
  return JSON.parse(cause ?? 'null') as { errorType?: string; errorMessage?: string };
}

describe.skipIf(!runSuite)('when:, if: always and on_failure: on moto and under ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let directory = '';
  let deployment: Deployment | undefined;

  useAwsParity(
    {
      prefix: 'ork-conditions-parity-',
      prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-conditions'), FILES),
      setupTimeoutMs: 120_000,
    },
    (suite) => {
      ({ aws, work } = suite);
      directory = path.join(work, 'parity-conditions');
    },
  );

  beforeAll(async () => {
    deployment = await aws!.deploy(directory);
  }, 180_000);

  const skipStates = (): Map<string, string> =>
    new Map(deployment!.manifest.tasks.flatMap((task) => (task.skipState ? [[task.skipState, task.name] as const] : [])));

  const onMoto = async (input: unknown): Promise<Outcome & { executionArn: string }> => {
    const executionArn = await aws!.startExecution(deployment!.stateMachineArn, input);
    const result = await aws!.waitForExecution(executionArn, { timeoutMs: 120_000 });
    const events = await aws!.history(executionArn);
    const skips = skipStates();
    const skipped = events.flatMap((e) => {
      const task = skips.get(e.stateEnteredEventDetails?.name ?? '');
      return e.type === 'PassStateEntered' && task ? [task] : [];
    });
    return {
      executionArn,
      status: result.status,
      results: result.output === undefined ? undefined : withoutUrls(result.output),
      skipped: skipped.sort(),
      error: result.error,
      cause: result.cause,
      mapEntered: events.some((e) => e.type === 'MapStateEntered'),
      failure: (JSON.parse(events.find(enteredHandler)?.stateEnteredEventDetails?.input ?? '{}') as { failure?: Record<string, unknown> }).failure,
      ...handlerOnMoto(events),
    };
  };

  const locally = async (input: unknown): Promise<Outcome & { runId: string }> => {
    const run = await runWorkflowCli<ConditionsRunJson>(directory, path.join(work, 'runs'), ['--input', JSON.stringify(input)], {}, { cwd: work });
    const { json } = run;
    const ended = jsonLines<{ type: string; Error?: string; Cause?: string }>(path.join(run.runDir, 'events.jsonl')).at(-1);
    const handler = jsonLines<{ task: string; status: string; input: { failure?: Record<string, unknown> }; output?: Outcome['handled'] }>(
      path.join(run.runDir, 'attempts.jsonl'),
    ).find((attempt) => attempt.task === 'on_failure');
    return {
      runId: json.runId,
      status: json.status,
      results: json.status === 'SUCCEEDED' ? withoutUrls(json.outputs) : undefined,
      skipped: Object.keys(json.tasks)
        .filter((task) => task !== 'on_failure' && json.tasks[task]!.status === 'skipped')
        .sort(),
      error: ended?.type === 'ExecutionFailed' ? ended.Error : undefined,
      cause: ended?.type === 'ExecutionFailed' ? ended.Cause : undefined,
      handled: handler?.status === 'succeeded' ? handler.output : undefined,
      failure: handler?.input.failure,
      handlerError: json.onFailureError?.error,
    };
  };

  /** The same input on moto and under `ork run`, side by side (the machine has two cores: moto and ork each get one). */
  const both = (input: unknown) => Promise.all([onMoto(input), locally(input)]);

  it('defaults: every condition holds, the stored output’s kept fields included; both succeed with the same results', async () => {
    const [cloud, local] = await both({});
    expect(cloud.status, cloud.cause).toBe('SUCCEEDED');
    expect(local.status).toBe('SUCCEEDED');
    expect(cloud.results).toEqual(local.results);
    expect(local.skipped).toEqual([]);
    expect(cloud.skipped).toEqual([]);
    // gated ran: its Choice read count and meta.level beside big's reference, on moto as locally.
    expect(cloud.results?.big).toEqual({ $ork_ref: 'REF', bytes: expect.any(Number), count: 3, meta: { level: 'high' } });
    expect(cloud.results?.gated).toEqual({ count: 3, blob: 70_000 });
    expect(cloud.results?.report).toEqual({ received: { aggregate: { total: 30 }, audit: { audited: 3 }, gated: { count: 3, blob: 70_000 } } });
    expect(cloud.handled).toBeUndefined();
  }, 240_000);

  it('params false (a dry run, a low level): the conditions on params and on a stored field skip, dependents too; if: always receives null', async () => {
    const [cloud, local] = await both({ mode: 'dry-run', level: 'low' });
    expect(cloud.status, cloud.cause).toBe('SUCCEEDED');
    expect(local.status).toBe('SUCCEEDED');
    expect(cloud.results).toEqual(local.results);
    // process fans out: its Choice comes before the Map; aggregate is skipped because process was.
    expect(cloud.skipped).toEqual(['aggregate', 'audit', 'gated', 'process']);
    expect(local.skipped).toEqual(cloud.skipped);
    expect(cloud.results).toMatchObject({ audit: null, process: null, aggregate: null, gated: null });
    expect(cloud.results?.report).toEqual({ received: { aggregate: null, audit: null, gated: null } });
    expect(cloud.mapEntered).toBe(false);
  }, 240_000);

  it('an upstream field false (no files) while the params condition holds: the fan-out and its dependent skip, audit runs', async () => {
    const [cloud, local] = await both({ files: [], mode: 'audit' });
    expect(cloud.status, cloud.cause).toBe('SUCCEEDED');
    expect(local.status).toBe('SUCCEEDED');
    expect(cloud.results).toEqual(local.results);
    expect(cloud.skipped).toEqual(['aggregate', 'gated', 'process']);
    expect(local.skipped).toEqual(cloud.skipped);
    expect(cloud.results?.report).toEqual({ received: { aggregate: null, audit: { audited: 0 }, gated: null } });
  }, 240_000);

  it('a task fails: the handler receives task, error, cause and execution id, and the run ends FAILED with the original error', async () => {
    const [cloud, local] = await both({ fail: 'audit' });
    expect(cloud.status).toBe('FAILED');
    expect(local.status).toBe('FAILED');
    expect(cloud.error).toBe('AuditRefused');
    expect(local.error).toBe('AuditRefused');
    // The original cause, not the ork_failure wrapper: the Lambda error JSON on moto, the message locally.
    expect(lambdaError(cloud.cause)).toMatchObject({ errorType: 'AuditRefused', errorMessage: 'audit refused 3 files' });
    expect(local.cause).toBe('audit refused 3 files');
    expect(cloud.handled?.received, cloud.trail).toEqual({
      task: 'audit',
      instance: 'audit',
      error: 'AuditRefused',
      cause: cloud.cause,
      execution_id: cloud.executionArn,
    });
    expect(local.handled?.received).toEqual({
      task: 'audit',
      instance: 'audit',
      error: 'AuditRefused',
      cause: local.cause,
      execution_id: expect.stringMatching(new RegExp(`:${local.runId}$`)),
    });
  }, 240_000);

  it('a fan-out instance fails and the handler fails too: the run still ends FAILED with the instance’s error', async () => {
    const [cloud, local] = await both({ fail: 'process', handler_fails: true });
    expect(cloud.status).toBe('FAILED');
    expect(local.status).toBe('FAILED');
    expect(cloud.error).toBe('ValueError');
    expect(local.error).toBe('ValueError');
    expect(lambdaError(cloud.cause)).toMatchObject({ errorType: 'ValueError', errorMessage: 'cannot process b' });
    expect(local.cause).toBe('cannot process b');
    expect(cloud.handlerError, cloud.trail).toBe('RuntimeError');
    expect(local.handlerError).toBe('RuntimeError');
    expect(cloud.handled).toBeUndefined();
    expect(local.handled).toBeUndefined();
    // What the failing handler was given: the fan-out's name, no instance (a fan-out's failure), the instance's error.
    const given = { task: 'process', instance: null, error: 'ValueError' };
    expect(cloud.failure).toMatchObject({ ...given, cause: cloud.cause, execution_id: cloud.executionArn });
    expect(local.failure).toMatchObject({ ...given, cause: local.cause });
  }, 240_000);
});

/**
 * The on_failure handler's Lambda outcome in a history: its output (ResultPath null keeps it out of the
 * state, so the history is where it is) or its error name. It is the event its TaskStateExited follows:
 * moto lets a failed Map's other iterations run on, so their Lambda events may come after the handler's
 * TaskStateEntered too.
 */
function handlerOnMoto(events: readonly HistoryEvent[]): Pick<Outcome, 'handled' | 'handlerError' | 'trail'> {
  const exited = events.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'on_failure');
  const outcome = events.find((e) => exited !== undefined && e.id === exited.previousEventId);
  const trail = events
    .slice(-12)
    .map((e) => `${e.id}<${e.previousEventId} ${e.type}:${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? ''}`)
    .join(', ');
  if (outcome?.type === 'LambdaFunctionSucceeded')
    return { trail, handled: JSON.parse(outcome.lambdaFunctionSucceededEventDetails?.output ?? 'null') as Outcome['handled'] };
  return { trail, handlerError: outcome?.lambdaFunctionFailedEventDetails?.error };
}

/** The on_failure handler's TaskStateEntered, whose input holds the failure it is given. */
function enteredHandler(event: HistoryEvent): boolean {
  return event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'on_failure';
}

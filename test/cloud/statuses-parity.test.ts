import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printOutcome } from '../../lib/cli/commands/execution-outcome.js';
import type { Io } from '../../lib/cli/terminal.js';
import { executionView } from '../../lib/cloud/execution-view.js';
import { readWorkflowShape } from '../../lib/cloud/workflow-shape.js';
import { runLocally } from '../../lib/local/run-workflow.js';
import type { AwsParity, Deployment, ExecutionResult } from '../support/aws-parity/index.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { compileCleanly, writeWorkflowFiles } from '../support/workflows.js';

/**
 * Task statuses of `when:`, `if: always` and `on_failure:` as `ork status` reads them from an execution's
 * history on moto's interpreter, next to `ork run`'s on the same input (issue 15): the skip states entered
 * (PassStateEntered) make their tasks skipped, the handler is skipped when the run succeeded, and when it
 * fails too its failure is reported apart from the execution's, which stays the failing task's.
 */

const runSuite = paritySuiteRuns('statuses parity');

const RETURNS = (value: string): string => `from ork import task


@task
def main(input):
    return ${value}
`;

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-statuses
params: { fail: false, handler_fails: false }
tasks:
  discover:
    file: tasks/discover.py
  big:
    file: tasks/big.py
    depends_on: [discover]
    when: "discover.count > 5"
  small:
    file: tasks/small.py
    depends_on: [discover]
    when: "discover.count <= 5"
  after_big:
    file: tasks/after_big.py
    depends_on: [big]
  summary:
    file: tasks/summary.py
    depends_on: [small, {task: big, if: always}]
  load:
    file: tasks/load.py
    depends_on: [summary]
on_failure:
  file: tasks/alert.py
`,
  'tasks/discover.py': RETURNS('{"count": 3}'),
  'tasks/big.py': RETURNS('{"ran": "big"}'),
  'tasks/small.py': RETURNS('{"ran": "small"}'),
  'tasks/after_big.py': RETURNS('{"ran": "after_big"}'),
  'tasks/summary.py': RETURNS('{"big": input["big"]}'),
  'tasks/load.py': `from ork import task


@task
def main(input):
    if input["params"]["fail"]:
        raise ValueError("the warehouse is down")
    return {"loaded": True}
`,
  'tasks/alert.py': `from ork import task


@task
def main(input):
    if input["params"]["handler_fails"]:
        raise RuntimeError("cannot reach the pager for " + input["failure"]["task"])
    return {}
`,
};

interface StatusJson {
  status: string;
  tasks: Record<string, { status?: string }>;
  error?: { error: string; task?: string };
  onFailureError?: { error: string; cause?: string; task: string };
}

describe.skipIf(!runSuite)('task statuses on moto and under ork run', () => {
  let directory = '';
  const aws = useAwsParity(
    { prefix: 'ork-statuses-parity-', prepare: (work) => void writeWorkflowFiles(path.join(work, 'parity-statuses'), FILES), setupTimeoutMs: 120_000 },
    (suite) => {
      directory = path.join(suite.work, 'parity-statuses');
    },
  );
  let deployment: Deployment | undefined;

  /** What `ork status --json` prints for the execution: built from its history and the deployed definition. */
  async function cloudStatus(harness: AwsParity, input: unknown): Promise<{ result: ExecutionResult; json: StatusJson }> {
    deployment ??= await harness.deploy(directory);
    const arn = await harness.startExecution(deployment.stateMachineArn, input);
    const result = await harness.waitForExecution(arn, { timeoutMs: 120_000 });
    const shape = readWorkflowShape(deployment.definition, deployment.workflow);
    const view = executionView(await harness.history(arn), shape, true);
    let stdout = '';
    const io = { stdout: { write: (text: string) => void (stdout += text) } } as unknown as Io;
    printOutcome(
      io,
      arn,
      { status: result.status, view, ...(result.error ? { error: result.error } : {}), ...(result.cause ? { cause: result.cause } : {}) },
      true,
      shape,
    );
    return { result, json: JSON.parse(stdout) as StatusJson };
  }

  async function local(input: Record<string, unknown>): Promise<StatusJson> {
    const { definition, manifest } = compileCleanly(directory);
    const run = await runLocally({ definition, manifest, workflowDir: directory, input, runsDir: path.join(directory, '.runs') });
    return {
      status: run.status,
      tasks: run.tasks,
      ...(run.error ? { error: run.error } : {}),
      ...(run.onFailureError ? { onFailureError: { error: run.onFailureError.error, task: 'on_failure' } } : {}),
    };
  }

  const statuses = (json: StatusJson): Record<string, string | undefined> =>
    Object.fromEntries(Object.entries(json.tasks).map(([name, t]) => [name, t.status]));

  it('succeeded: the false condition and its dependent skipped, the handler skipped, as under ork run', async () => {
    const { result, json } = await cloudStatus(aws(), {});
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const expected = {
      discover: 'succeeded',
      big: 'skipped',
      small: 'succeeded',
      after_big: 'skipped',
      summary: 'succeeded',
      load: 'succeeded',
      on_failure: 'skipped',
    };
    expect(statuses(json)).toEqual(expected);
    expect(statuses(await local({}))).toEqual(expected);
  }, 240_000);

  it('failed, and the handler too: the execution keeps load’s error, the handler’s is onFailureError', async () => {
    const input = { fail: true, handler_fails: true };
    const { result, json } = await cloudStatus(aws(), input);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ValueError');
    expect(json.error).toMatchObject({ error: 'ValueError', task: 'load' });
    expect(json.onFailureError).toMatchObject({ error: 'RuntimeError', task: 'on_failure', cause: expect.stringContaining('cannot reach the pager for load') });
    const expected = {
      discover: 'succeeded',
      big: 'skipped',
      small: 'succeeded',
      after_big: 'skipped',
      summary: 'succeeded',
      load: 'failed',
      on_failure: 'failed',
    };
    expect(statuses(json)).toEqual(expected);
    const ran = await local(input);
    expect(statuses(ran)).toEqual(expected);
    expect(ran.error).toMatchObject({ error: 'ValueError', task: 'load' });
    expect(ran.onFailureError).toMatchObject({ error: 'RuntimeError' });
  }, 240_000);
});

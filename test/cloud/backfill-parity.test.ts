import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AwsParity } from '../support/aws-parity/index.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { ORK_BIN } from '../support/cli.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * `ork backfill` on AWS, against the parity harness (moto's Step Functions, the task's real Lambda handler):
 * a 3-day backfill of a daily schedule starts 3 executions named after their times, each with the schedule's
 * input and its scheduled_time; the same command again starts none and reports the 3 as succeeded (moto, as
 * AWS for a closed execution, answers ExecutionAlreadyExists); and a backfill whose input changed starts none
 * and fails each time, saying why.
 */

const runSuite = paritySuiteRuns('backfill parity');

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-backfill
params: { mode: full }
schedule: { expression: "cron(0 6 * * ? *)", timezone: Europe/Paris, input: { mode: scheduled } }
tasks:
  echo:
    file: tasks/echo.py
`,
  'tasks/echo.py': `from ork import task


@task
def main(input):
    return {"seen": input["params"]["scheduled_time"], "mode": input["params"]["mode"]}
`,
};

interface BackfillJson {
  target: string;
  stateMachineArn: string;
  succeeded: number;
  failed: number;
  times: {
    scheduledTime: string;
    status: string;
    executionArn?: string;
    executionName?: string;
    existing?: boolean;
    error?: { error: string; message?: string };
  }[];
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Paris is UTC+1 in January: the schedule's 06:00 is 05:00Z. */
const TIMES = ['2026-01-01T05:00:00Z', '2026-01-02T05:00:00Z', '2026-01-03T05:00:00Z'];
const NAMES = ['backfill-20260101T050000Z', 'backfill-20260102T050000Z', 'backfill-20260103T050000Z'];

describe.skipIf(!runSuite)('ork backfill on the AWS parity harness', () => {
  let directory = '';
  let work = '';
  const harness = useAwsParity(
    { prefix: 'ork-backfill-parity-', prepare: (scratch) => void writeWorkflowFiles(path.join(scratch, 'parity-backfill'), FILES), setupTimeoutMs: 120_000 },
    (suite) => {
      work = suite.work;
      directory = path.join(work, 'parity-backfill');
    },
  );

  /** `ork backfill` as a child process with the harness's AWS environment only, asynchronously (the proxy lives here). */
  function backfill(aws: AwsParity, args: readonly string[]): Promise<Result> {
    const env = { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1', ORK_POLL_MS: '200', ...aws.env };
    return new Promise((resolve) => {
      execFile(process.execPath, [ORK_BIN, 'backfill', ...args], { cwd: work, env, timeout: 240_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
  }

  async function executions(aws: AwsParity, stateMachineArn: string): Promise<{ name: string; input: unknown; output: unknown }[]> {
    const listed = await aws.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const all = [];
    for (const item of listed.executions ?? []) {
      const described = await aws.sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }));
      all.push({ name: item.name ?? '', input: JSON.parse(described.input ?? 'null'), output: JSON.parse(described.output ?? 'null') as unknown });
    }
    return all.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  it('starts one execution per time, named after it; the same command again starts none and reports them succeeded', async () => {
    const aws = harness();
    const { stateMachineArn } = await aws.deploy(directory);
    const args = [directory, '--from', '2026-01-01', '--to', '2026-01-04', '--json'];

    const first = await backfill(aws, args);
    expect(first.code, first.stderr).toBe(0);
    const json = JSON.parse(first.stdout) as BackfillJson;
    expect(json).toMatchObject({ target: 'aws', stateMachineArn, succeeded: 3, failed: 0 });
    expect(json.times.map((t) => [t.scheduledTime, t.status, t.executionName, t.existing])).toEqual(TIMES.map((t, i) => [t, 'SUCCEEDED', NAMES[i], undefined]));
    expect(first.stderr).toMatch(/^started +2026-01-02T05:00:00Z {2}backfill-20260102T050000Z$/m);

    const started = await executions(aws, stateMachineArn);
    expect(started.map((e) => e.name)).toEqual(NAMES);
    for (const [i, execution] of started.entries()) {
      expect(execution.input).toEqual({ mode: 'scheduled', scheduled_time: TIMES[i] });
      expect(JSON.stringify(execution.output)).toContain(`{"seen":"${TIMES[i]}","mode":"scheduled"}`);
    }

    const again = await backfill(aws, args);
    expect(again.code, again.stderr).toBe(0);
    const rerun = JSON.parse(again.stdout) as BackfillJson;
    expect(rerun).toMatchObject({ succeeded: 3, failed: 0 });
    expect(rerun.times.map((t) => [t.status, t.existing, t.executionArn])).toEqual(json.times.map((t) => ['SUCCEEDED', true, t.executionArn]));
    expect(again.stderr).not.toMatch(/^started/m);
    expect((await executions(aws, stateMachineArn)).map((e) => e.name)).toEqual(NAMES);

    // The schedule's input changed: each name is taken by an execution of another input, so nothing starts.
    const file = path.join(directory, 'workflow.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('mode: scheduled', 'mode: rerun'));
    const changed = await backfill(aws, [directory, '--from', '2026-01-02', '--to', '2026-01-03']);
    expect(changed.code, changed.stderr).toBe(1);
    expect(changed.stdout).toMatch(/^0 succeeded, 1 failed of 1 time$/m);
    expect(changed.stdout).toMatch(
      /NOT_STARTED +2026-01-02T05:00:00Z {2}backfill-20260102T050000Z {2}ExecutionAlreadyExists: an execution named .* another input/,
    );
    expect((await executions(aws, stateMachineArn)).map((e) => e.name)).toEqual(NAMES);
  }, 300_000);
});

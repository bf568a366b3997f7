import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readWorkflowShape } from '../../lib/cloud/workflow-shape.js';
import { CREDENTIALS, EMULATED_EXECUTORS, type AwsParity, type Deployment } from '../support/aws-parity/index.js';
import { freePort } from '../support/moto-server.js';
import { withoutStoreLocations } from '../support/engine-neutral.js';
import { exampleInput } from '../support/example-inputs.js';
import { compileCleanly, EXAMPLES_DIR, ROOT, workflowDirectories, writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { failingWorkflowFiles } from '../support/failing-workflow.js';

/**
 * The cloud commands (`ork start`, `status`, `executions`, `logs`, `redrive`) as a user runs them, against
 * the AWS parity harness (moto's Step Functions, Lambda and CloudWatch Logs; every Invoke answered by the
 * real Python Lambda handler): every example is created with CreateStateMachine, started with `ork start`,
 * watched with `ork status`, and its outputs and per-task counts equal those of `ork run` on the same input.
 *
 * The CLI runs as a child process (`node bin/ork.js`) with only the harness's AWS environment, and always
 * asynchronously: the harness's proxy lives in this process and must keep answering while a command runs.
 */

const ORK_BIN = path.join(ROOT, 'bin', 'ork.js');
/** Each example, and whether the harness can run it: only executors it emulates (python functions). */
const examples = workflowDirectories(EXAMPLES_DIR).map((example) => {
  const executors = [...new Set(compileCleanly(example.directory).manifest.tasks.map((t) => t.executor))];
  return { ...example, executors, emulated: executors.every((e) => EMULATED_EXECUTORS.includes(e)) };
});
/** How often `--wait`, `--watch` and `--follow` poll here. */
const POLL_MS = '200';

// As the parity harness suite: skipped locally without moto_server (one line says so), failing with CI set.
const runSuite = paritySuiteRuns('cloud CLI suite');

interface Counts {
  instances: number;
  succeeded: number;
  failed: number;
  retried: number;
  running?: number;
  expected?: number;
}

interface CloudJson {
  status: string;
  executionArn: string;
  outputs?: Record<string, unknown>;
  tasks: Record<string, Counts>;
  error?: { error: string; cause?: string; task?: string };
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const executionName = (arn: string) => arn.split(':').pop() ?? '';
const consoleUrl = (arn: string) => `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${encodeURIComponent(arn)}`;
const counts = (c: Counts) => ({ instances: c.instances, succeeded: c.succeeded, failed: c.failed, retried: c.retried });

/**
 * An error of a command: `ork: error: …` and at most a hint line; no stack, no internal error. Exit 2 when
 * the command line named something wrongly, 1 when AWS refused the call or could not be reached.
 */
function expectOneLineError(result: Result, message: RegExp, code: 1 | 2 = 2): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ork: error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^ {2}hint: /);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe.skipIf(!runSuite)('cloud CLI commands against the AWS parity harness', () => {
  let aws: AwsParity | undefined;
  let work = '';
  /** An empty home: no AWS config or credentials of this machine reach the commands. */
  let home = '';

  const harness = useAwsParity({ prefix: 'ork-cloud-cli-', prepare: (scratch) => mkdirSync(path.join(scratch, 'home')) }, (suite) => {
    ({ aws, work } = suite);
    home = path.join(work, 'home');
  });

  /** The environment of a command: the harness's AWS settings and nothing of this machine's. */
  function cloudEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', ORK_POLL_MS: POLL_MS, ...harness().env, ...overrides };
    return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  /** Runs a command to its end; `onStdout` sees its stdout so far each time more comes. */
  function ork(args: readonly string[], env: Record<string, string> = cloudEnv(), onStdout?: (stdout: string) => void): Promise<Result> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [ORK_BIN, ...args],
        { cwd: work, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        },
      );
      let seen = '';
      if (onStdout) child.stdout?.on('data', (chunk: string | Buffer) => onStdout((seen += chunk.toString())));
    });
  }

  async function orkJson<T>(args: readonly string[], env?: Record<string, string>): Promise<{ code: number; json: T; stderr: string }> {
    const result = await ork(args, env);
    try {
      return { code: result.code, json: JSON.parse(result.stdout) as T, stderr: result.stderr };
    } catch {
      throw new Error(`ork ${args.join(' ')} exited ${result.code} without JSON on stdout:\n${result.stdout}\n${result.stderr}`);
    }
  }

  /** `ork run --json` on a private copy, with its own runs folder. */
  function orkRun(directory: string, input: Readonly<Record<string, unknown>> = {}): Promise<CliRun> {
    const args = ['--input', JSON.stringify(input)];
    return runWorkflowCli(directory, path.join(work, 'runs'), args, {}, { cwd: work, baseEnv: { PATH: process.env.PATH ?? '', HOME: home } });
  }

  /** A private copy of a workflow for one engine (the examples write under their own folder). */
  function copyWorkflow(directory: string, engine: 'local' | 'aws'): string {
    const target = path.join(work, engine, path.basename(directory));
    cpSync(directory, target, { recursive: true, filter: (source) => !source.split(path.sep).includes('.ork') });
    return target;
  }

  function writeWorkflow(name: string, files: Record<string, string>): string {
    const directory = path.join(work, 'workflows', name);
    writeWorkflowFiles(directory, files);
    return directory;
  }

  const fanOuts = (deployment: Deployment) =>
    new Set(
      readWorkflowShape(deployment.definition, deployment.name)
        .tasks.filter((t) => t.fanOut)
        .map((t) => t.name),
    );

  describe('every example: ork start --wait, then ork status, against ork run on the same input', () => {
    it('covers the examples', () => {
      expect(examples.filter((e) => e.emulated).map((e) => e.name)).toEqual(
        expect.arrayContaining(['static-parallel', 'dynamic-count', 'foreach-aggregate', 'concurrency-limit', 'combined']),
      );
    });

    // An example with a task the harness cannot run (executor: node; the deploy construct cannot deploy
    // those yet either) is listed as skipped, and runs here once the harness emulates its executor.
    for (const example of examples) {
      it.skipIf(!example.emulated)(
        example.emulated
          ? example.name
          : `${example.name} (skipped: executor ${example.executors.filter((e) => !EMULATED_EXECUTORS.includes(e)).join(', ')} not emulated)`,
        async () => {
          const parity = harness();
          const deployment = await parity.deploy(copyWorkflow(example.directory, 'aws'));
          expect(deployment.name).toBe(example.name);
          const [local, started] = await Promise.all([
            orkRun(copyWorkflow(example.directory, 'local'), exampleInput(example.name)),
            orkJson<CloudJson>(['start', example.name, '--input', JSON.stringify(exampleInput(example.name)), '--wait', '--json']),
          ]);
          expect(local.json.status, local.stderr).toBe('SUCCEEDED');
          expect(started.code, started.stderr).toBe(0);
          expect(started.json).toMatchObject({
            status: 'SUCCEEDED',
            executionArn: expect.stringMatching(new RegExp(`^arn:aws:states:us-east-1:\\d+:execution:${example.name}:ork-`)),
          });
          expect(withoutStoreLocations(started.json.outputs)).toEqual(withoutStoreLocations(local.json.outputs));
          // The per-task counts were already in --wait's result; ork status reads them again from the history.
          const arn = started.json.executionArn;
          const status = await orkJson<CloudJson>(['status', arn, '--json']);
          expect(status.code, status.stderr).toBe(0);
          expect(status.json).toMatchObject({ status: 'SUCCEEDED', executionArn: arn });
          expect(withoutStoreLocations(status.json.outputs)).toEqual(withoutStoreLocations(local.json.outputs));
          expect(Object.keys(status.json.tasks).sort()).toEqual(Object.keys(local.json.tasks).sort());
          // Not every example fans out (on-failure's do not), so the set may be empty.
          const fanning = fanOuts(deployment);
          for (const [task, local_] of Object.entries(local.json.tasks)) {
            const cloud = status.json.tasks[task]!;
            // A Distributed Map's counts come from its Map Run, which counts items, not their retries.
            const ranDistributed =
              typeof local.json.outputs[task] === 'object' && local.json.outputs[task] !== null && 'ork_results' in (local.json.outputs[task] as object);
            if (ranDistributed) expect({ ...counts(cloud), retried: undefined }, task).toEqual({ ...counts(local_), retried: undefined });
            else expect(counts(cloud), task).toEqual(counts(local_));
            expect(cloud.running, task).toBe(0);
            // A fan-out's expected instances are the Map's item counts; nothing else has one.
            expect(cloud.expected, task).toBe(fanning.has(task) ? local_.instances : undefined);
          }
          expect(started.json.tasks).toEqual(status.json.tasks);

          // The text view: the execution, its console URL, one line per task (a bar for each fan-out), the end.
          const text = await ork(['status', arn]);
          expect(text.code, text.stderr).toBe(0);
          const lines = text.stdout.trimEnd().split('\n');
          expect(lines[0]).toBe(arn);
          expect(lines[1]).toBe(`  ${consoleUrl(arn)}`);
          for (const [task, local_] of Object.entries(local.json.tasks)) {
            // A skipped task (a false when:, or the on_failure handler of a run that succeeded) has a line of its own.
            if (local_.status === 'skipped') {
              expect(
                lines.find((l) => l.startsWith(`↷ ${task} `)),
                `${task} in\n${text.stdout}`,
              ).toMatch(new RegExp(`^↷ ${task}\\s+skipped`));
              continue;
            }
            const n = local_.instances;
            // A fan-out that tolerated failed instances ends with '!', the others with '✓'.
            const mark = local_.failed > 0 ? '!' : '✓';
            const line = lines.find((l) => l.startsWith(`${mark} ${task} `));
            expect(line, `${task} in\n${text.stdout}`).toBeDefined();
            if (fanning.has(task))
              expect(line).toMatch(
                new RegExp(
                  `^\\${mark} ${task}\\s+\\[█{20}\\] ${local_.succeeded}/${n}  pending 0 · running 0 · succeeded ${local_.succeeded} · failed ${local_.failed}`,
                ),
              );
            else expect(line).toMatch(new RegExp(`^✓ ${task}\\s+succeeded \\d`));
          }
          expect(lines.at(-1)).toMatch(/^SUCCEEDED after \d+\.\d+s$/);
          expect(text.stderr).toBe('');
        },
        120_000,
      );
    }

    it('starts by state machine ARN as well as by name', async () => {
      const parity = harness();
      const deployment = await parity.deploy(copyWorkflow(path.join(EXAMPLES_DIR, 'static-parallel'), 'aws'), { name: 'cli-by-arn' });
      const [local, started] = await Promise.all([
        orkRun(copyWorkflow(path.join(EXAMPLES_DIR, 'static-parallel'), 'local')),
        orkJson<CloudJson>(['start', deployment.stateMachineArn, '--input', '{}', '--wait', '--json']),
      ]);
      expect(started.code, started.stderr).toBe(0);
      expect(started.json.executionArn).toMatch(/:execution:cli-by-arn:/);
      expect(started.json.status).toBe('SUCCEEDED');
      expect(started.json.outputs).toEqual(local.json.outputs);
    }, 60_000);
  });

  describe('following an execution: ork start without --wait, ork status --watch, ork start --wait, ork executions', () => {
    // A fan-out whose instances take a while, so the commands see it running. A test that must see it running
    // holds it: each nap waits while the S3 object `params.hold` exists (60 s at most), as a fixed sleep alone
    // is outrun by the commands' start-up on a loaded machine. S3, because a function sees no file of ours.
    const files = {
      'workflow.yaml': [
        'name: cli-slow',
        'params:',
        '  hold: ""',
        'tasks:',
        '  nap:',
        '    executor: python',
        '    file: tasks/nap.py',
        '    parallel: 3',
        '',
      ].join('\n'),
      'tasks/nap.py': [
        'import time',
        'import boto3',
        'from botocore.exceptions import ClientError',
        'from ork import task, Context',
        'from pydantic import BaseModel',
        '',
        'class Params(BaseModel):',
        '    hold: str',
        '',
        'class Input(BaseModel):',
        '    params: Params',
        '',
        'class Output(BaseModel):',
        '    index: int',
        '',
        'def held(url: str) -> bool:',
        '    bucket, _, key = url.removeprefix("s3://").partition("/")',
        '    try:',
        '        boto3.client("s3").head_object(Bucket=bucket, Key=key)',
        '        return True',
        '    except ClientError:',
        '        return False',
        '',
        '@task',
        'def main(input: Input, ctx: Context) -> Output:',
        '    ctx.log.info(f"nap {ctx.parallel_index} starts")',
        '    deadline = time.monotonic() + 60',
        '    while input.params.hold and held(input.params.hold) and time.monotonic() < deadline:',
        '        time.sleep(0.2)',
        '    time.sleep(2)',
        '    ctx.log.info(f"nap {ctx.parallel_index} ends")',
        '    return Output(index=ctx.parallel_index)',
        '',
      ].join('\n'),
    };
    const arns: string[] = [];

    /** A hold on the naps of the executions started with `input`, until `release()`. */
    async function hold(name: string): Promise<{ input: string; release: () => Promise<void> }> {
      const s3 = new S3Client({ endpoint: aws!.motoUrl, region: aws!.region, credentials: CREDENTIALS, forcePathStyle: true });
      const object = { Bucket: aws!.bucket, Key: `holds/${name}` };
      await s3.send(new PutObjectCommand({ ...object, Body: 'held' }));
      return {
        input: JSON.stringify({ hold: `s3://${object.Bucket}/${object.Key}` }),
        release: async () => {
          await s3.send(new DeleteObjectCommand(object));
          s3.destroy();
        },
      };
    }

    beforeAll(async () => {
      if (aws) await aws.deploy(writeWorkflow('cli-slow', files));
    }, 30_000);

    it('ork start prints the execution ARN and its console URL, and returns at once', async () => {
      const held = await hold('start');
      const started = Date.now();
      const result = await ork(['start', 'cli-slow', '--input', held.input]);
      expect(result.code, result.stderr).toBe(0);
      const [arn, url, ...rest] = result.stdout.trimEnd().split('\n');
      expect(arn).toMatch(/^arn:aws:states:us-east-1:\d+:execution:cli-slow:ork-\d{8}-\d{6}-[0-9a-f]+$/);
      expect(url).toBe(`  ${consoleUrl(arn!)}`);
      expect(rest).toEqual([]);
      expect(result.stderr).toBe('');
      arns.push(arn!);
      // The naps are held: the command did not wait for them.
      expect((await harness().sfn.send(new DescribeExecutionCommand({ executionArn: arn! }))).status).toBe('RUNNING');
      expect(Date.now() - started).toBeLessThan(30_000);
      await held.release();

      const json = await orkJson<{ executionArn: string; consoleUrl: string }>(['start', 'cli-slow', '--json']);
      expect(json.code).toBe(0);
      expect(json.json).toEqual({ executionArn: expect.stringMatching(/:execution:cli-slow:ork-/), consoleUrl: consoleUrl(json.json.executionArn) });
      arns.push(json.json.executionArn);
    }, 60_000);

    it('ork status --watch polls until the execution ends, showing the fan-out as it runs', async () => {
      const held = await hold('watch');
      const arn = (await ork(['start', 'cli-slow', '--input', held.input])).stdout.split('\n')[0]!;
      arns.push(arn);
      const running = /^▸ nap\s+\[[█░ ]*\] \d\/3 .*running [1-3]/m;
      // The naps go on once the watch has shown them running.
      let released: Promise<void> | undefined;
      const result = await ork(['status', arn, '--watch'], cloudEnv(), (stdout) => {
        if (running.test(stdout)) released ??= held.release();
      });
      await (released ?? held.release());
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 3)).toEqual([arn, `  ${consoleUrl(arn)}`, 'running cli-slow (1 tasks)']);
      // It saw the fan-out running (a poll while the naps were held), then succeeded.
      expect(running.test(result.stdout), result.stdout).toBe(true);
      expect(lines).toContainEqual(expect.stringMatching(/^✓ nap\s+\[█{20}\] 3\/3 {2}pending 0 · running 0 · succeeded 3 · failed 0/));
      expect(lines.at(-1)).toMatch(/^SUCCEEDED after \d+\.\d+s$/);
      expect((await orkJson<CloudJson>(['status', arn, '--json'])).json).toMatchObject({
        status: 'SUCCEEDED',
        outputs: { nap: [{ index: 0 }, { index: 1 }, { index: 2 }] },
      });
    }, 60_000);

    it('ork status of a running execution shows it running, exit 0', async () => {
      const held = await hold('status');
      const arn = (await ork(['start', 'cli-slow', '--input', held.input])).stdout.split('\n')[0]!;
      arns.push(arn);
      const status = await orkJson<CloudJson>(['status', arn, '--json']);
      await held.release();
      expect(status.code).toBe(0);
      expect(status.json.status).toBe('RUNNING');
      expect(status.json.outputs).toBeUndefined();
      await harness().waitForExecution(arn);
    }, 60_000);

    it('ork start --wait follows the execution like ork run', async () => {
      const started = Date.now();
      const result = await ork(['start', 'cli-slow', '--wait']);
      expect(result.code, result.stderr).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
      const lines = result.stdout.trimEnd().split('\n');
      const arn = lines[0]!;
      arns.push(arn);
      expect(lines.slice(1, 3)).toEqual([`  ${consoleUrl(arn)}`, 'running cli-slow (1 tasks)']);
      expect(lines).toContainEqual(expect.stringMatching(/^✓ nap\s+\[█{20}\] 3\/3/));
      expect(lines.at(-1)).toMatch(/^SUCCEEDED after \d+\.\d+s$/);
    }, 60_000);

    it('ork executions lists them, newest first, with status and duration', async () => {
      await Promise.all(arns.map((arn) => harness().waitForExecution(arn)));
      const result = await ork(['executions', 'cli-slow']);
      expect(result.code, result.stderr).toBe(0);
      const [header, ...rows] = result.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^NAME\s+STATUS\s+STARTED\s+TOOK\s+ARN$/);
      expect(rows).toHaveLength(arns.length);
      for (const arn of arns) {
        const row = rows.find((r) => r.endsWith(arn));
        expect(row, arn).toMatch(new RegExp(`^${executionName(arn)}\\s+SUCCEEDED\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\d+\\.\\ds\\s+arn:`));
      }
      const json = await orkJson<{ executionArn: string; status: string }[]>(['executions', 'cli-slow', '--json', '--limit', '2']);
      expect(json.json).toHaveLength(2);
      expect(json.json.every((e) => e.status === 'SUCCEEDED' && arns.includes(e.executionArn))).toBe(true);
    }, 60_000);

    it('ork logs --follow prints the lines as they come, until the execution ends', async () => {
      const arn = (await ork(['start', 'cli-slow'])).stdout.split('\n')[0]!;
      const result = await ork(['logs', arn, '--follow']);
      expect(result.code, result.stderr).toBe(0);
      // It returned once the execution had ended, with every line.
      expect((await harness().sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe('SUCCEEDED');
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(6);
      for (const i of [0, 1, 2]) {
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[nap\\[${i}\\]\\] nap ${i} starts$`)));
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`\\[nap\\[${i}\\]\\] nap ${i} ends$`)));
      }
    }, 60_000);
  });

  describe('a failing workflow', () => {
    const files = failingWorkflowFiles('cli-failing', "boom after {input.prepare['value']}");
    let directory = '';
    let arn = '';
    let local: CliRun;

    beforeAll(async () => {
      if (!aws) return;
      directory = writeWorkflow('cli-failing', files);
      await aws.deploy(directory);
      local = await orkRun(directory);
    }, 60_000);

    it('ork start --wait exits 1 and names the task and its error', async () => {
      const result = await ork(['start', 'cli-failing', '--wait']);
      expect(result.code, result.stderr).toBe(1);
      const lines = result.stdout.trimEnd().split('\n');
      arn = lines[0]!;
      expect(arn).toMatch(/:execution:cli-failing:/);
      // Polling every 200 ms may miss the second attempt's short run: the task line reads failed either way.
      expect(lines).toContainEqual(expect.stringMatching(/^✗ explode\s+failed \d/));
      expect(lines.slice(-2)).toEqual([expect.stringMatching(/^FAILED after \d+\.\d+s$/), "  task 'explode': ValueError: boom after 41"]);
      expect(result.stderr).not.toMatch(/Traceback|^\s+at /m);

      const json = await orkJson<CloudJson>(['start', 'cli-failing', '--wait', '--json']);
      expect(json.code).toBe(1);
      expect(json.json).toMatchObject({ status: 'FAILED', error: { error: 'ValueError', task: 'explode' } });
      expect((JSON.parse(json.json.error!.cause!) as { errorMessage: string }).errorMessage).toBe('boom after 41');
      // ork run fails the same way.
      expect(local.code).toBe(1);
      expect(local.json.error).toMatchObject({ error: 'ValueError', task: 'explode' });
    }, 60_000);

    it('ork status: failed 1 and retried 1 for the task, as ork run counts them', async () => {
      const status = await orkJson<CloudJson>(['status', arn, '--json']);
      expect(status.code).toBe(1);
      expect(status.json).toMatchObject({ status: 'FAILED', error: { error: 'ValueError', task: 'explode' } });
      expect(counts(status.json.tasks.explode!)).toEqual({ instances: 1, succeeded: 0, failed: 1, retried: 1 });
      expect(counts(status.json.tasks.prepare!)).toEqual({ instances: 1, succeeded: 1, failed: 0, retried: 0 });
      for (const task of ['prepare', 'explode']) expect(counts(status.json.tasks[task]!), task).toEqual(counts(local.json.tasks[task]!));

      const text = await ork(['status', arn]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^✓ prepare\s+succeeded /m);
      expect(text.stdout).toMatch(/^✗ explode\s+failed .*\(retried 1\)$/m);
      expect(text.stdout.trimEnd().split('\n').at(-1)).toBe("  task 'explode': ValueError: boom after 41");
    }, 30_000);

    it("ork logs shows the handler's error line of each attempt", async () => {
      const result = await ork(['logs', arn, '--task', 'explode']);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[explode\] error: task failed: ValueError: boom after 41$/);
    }, 30_000);

    it('ork redrive: moto does not implement RedriveExecution, which is one clear line, exit 1', async () => {
      const result = await ork(['redrive', arn]);
      // moto answers HTTP 500 with an HTML page (NotImplementedError in its log), which the SDK cannot read.
      expectOneLineError(result, /^ork: error: redrive execution: the endpoint answered HTTP 500, which is not an AWS API answer$/, 1);
      expect(result.stderr).toContain('hint: check AWS_ENDPOINT_URL: an emulator may not implement this action');
      expect(result.stderr).not.toMatch(/<html|<!DOCTYPE|Deserialization/i);
      expect(harness().motoOutput()).toContain('NotImplementedError: The redrive_execution action has not been implemented');
      // The execution is untouched.
      expect((await harness().waitForExecution(arn)).status).toBe('FAILED');
    }, 60_000);

    it('ork redrive refuses an execution that succeeded', async () => {
      const succeeded = await harness().run(copyWorkflow(path.join(EXAMPLES_DIR, 'static-parallel'), 'aws'), {}, { name: 'cli-redrive-succeeded' });
      expectOneLineError(
        await ork(['redrive', succeeded.executionArn]),
        /execution is SUCCEEDED: only failed, timed-out or aborted executions can be redriven/,
      );
    }, 60_000);
  });

  describe('ork logs', () => {
    const files = {
      'workflow.yaml': [
        'name: cli-logs',
        'tasks:',
        '  greet:',
        '    executor: python',
        '    file: tasks/greet.py',
        '  shout:',
        '    executor: python',
        '    file: tasks/shout.py',
        '    depends_on: [greet]',
        '    parallel: 2',
        '',
      ].join('\n'),
      'tasks/greet.py': [
        'from ork import task, Context',
        'from pydantic import BaseModel',
        '',
        'class Output(BaseModel):',
        '    run: str',
        '',
        '@task',
        'def main(ctx: Context) -> Output:',
        '    run = ctx.execution_id.rsplit(":", 1)[-1]',
        '    print("a plain print line, without an execution id")',
        '    ctx.log.info(f"hello from greet in {run}", rows=3)',
        '    return Output(run=run)',
        '',
      ].join('\n'),
      'tasks/shout.py': [
        'from ork import task, Context',
        'from pydantic import BaseModel',
        '',
        'class Input(BaseModel):',
        '    greet: dict',
        '',
        'class Output(BaseModel):',
        '    index: int',
        '',
        '@task',
        'def main(input: Input, ctx: Context) -> Output:',
        '    ctx.log.warning(f"shout {ctx.parallel_index} in {input.greet[\'run\']}")',
        '    return Output(index=ctx.parallel_index)',
        '',
      ].join('\n'),
    };
    let deployment: Deployment;
    const runs: string[] = [];

    beforeAll(async () => {
      if (!aws) return;
      deployment = await aws.deploy(writeWorkflow('cli-logs', files));
      // The same workflow twice: both executions write into the same log groups.
      for (let i = 0; i < 2; i++) {
        const result = await orkJson<CloudJson>(['start', 'cli-logs', '--wait', '--json']);
        if (result.json.status !== 'SUCCEEDED') throw new Error(`cli-logs did not succeed: ${JSON.stringify(result.json)}\n${result.stderr}`);
        runs.push(result.json.executionArn);
      }
    }, 90_000);

    it("the harness keeps each function in moto's Lambda and its invocations' lines in CloudWatch Logs", async () => {
      const parity = harness();
      const lambda = new LambdaClient({ endpoint: parity.endpoint, region: parity.region, credentials: CREDENTIALS, maxAttempts: 1 });
      try {
        const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: deployment.functions.greet!.arn }));
        expect(config).toMatchObject({ FunctionName: 'cli-logs-greet', FunctionArn: deployment.functions.greet!.arn, Handler: 'ork.lambda_handler.handler' });
        expect(config.Environment?.Variables).toMatchObject({ ORK_WORKFLOW: 'cli-logs', ORK_TASK_FILE: 'tasks/greet.py', ORK_PAYLOAD_BUCKET: parity.bucket });
      } finally {
        lambda.destroy();
      }
      const events = await parity.logEvents('cli-logs-greet');
      const invocations = parity.invocations.filter((i) => i.functionName === 'cli-logs-greet');
      expect(invocations).toHaveLength(2);
      for (const invocation of invocations) {
        // In the stream of the environment that served it, as Lambda writes them.
        const own = events.filter((e) => e.logStream === invocation.logStream);
        expect(own.map((e) => e.message)).toEqual(
          expect.arrayContaining([
            `START RequestId: ${invocation.requestId} Version: $LATEST`,
            `END RequestId: ${invocation.requestId}`,
            expect.stringMatching(new RegExp(`^REPORT RequestId: ${invocation.requestId}\\tDuration: `)),
          ]),
        );
      }
      expect(events.map((e) => e.message)).toContain('a plain print line, without an execution id');
      expect(events.map((e) => e.timestamp)).toEqual([...events.map((e) => e.timestamp)].sort((a, b) => a - b));
    }, 30_000);

    it('prints the task lines of that execution only, in time order', async () => {
      for (const [i, arn] of runs.entries()) {
        const other = executionName(runs[1 - i]!);
        const result = await ork(['logs', arn]);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toBe('');
        const lines = result.stdout.trimEnd().split('\n');
        const me = executionName(arn);
        expect(lines).toHaveLength(3);
        expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[greet\\] hello from greet in ${me}$`));
        const untimed = (line: string) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '');
        expect(lines.slice(1).map(untimed).sort()).toEqual([`[shout[0]] warning: shout 0 in ${me}`, `[shout[1]] warning: shout 1 in ${me}`]);
        // In time order.
        expect(lines.map((l) => l.slice(0, 12))).toEqual([...lines.map((l) => l.slice(0, 12))].sort());
        expect(result.stdout).not.toContain(other);
        expect(result.stdout).not.toMatch(/START RequestId|a plain print line/);
      }
    }, 60_000);

    it('--task keeps one task, and an unknown task is one line with a suggestion', async () => {
      const result = await ork(['logs', runs[0]!, '--task', 'shout']);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines.every((l) => /\[shout\[[01]\]\] warning: shout [01] in /.test(l))).toBe(true);
      const unknown = await ork(['logs', runs[0]!, '--task', 'shot']);
      expectOneLineError(unknown, /workflow cli-logs has no task 'shot'/);
      expect(unknown.stderr).toContain("hint: did you mean 'shout'?");
    }, 30_000);

    it('--json gives the records, one a line', async () => {
      const result = await ork(['logs', runs[1]!, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const records = result.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records).toHaveLength(3);
      expect(records.every((r) => r.execution_id === runs[1] && r.workflow === 'cli-logs')).toBe(true);
      expect(records[0]).toMatchObject({
        task: 'greet',
        level: 'info',
        message: `hello from greet in ${executionName(runs[1]!)}`,
        instance: 'greet',
        rows: 3,
        attempt: expect.any(Number),
      });
      expect(
        records
          .slice(1)
          .map((r) => [r.task, r.instance, r.level])
          .sort(),
      ).toEqual([
        ['shout', 'shout[0]', 'warning'],
        ['shout', 'shout[1]', 'warning'],
      ]);
      expect(records.every((r) => typeof r.timestamp === 'number')).toBe(true);
    }, 30_000);
  });

  describe('errors are one line; exit 2 for what the command line named, 1 for AWS refusing or unreachable', () => {
    let machine: Deployment;

    beforeAll(async () => {
      if (aws) machine = await aws.deploy(copyWorkflow(path.join(EXAMPLES_DIR, 'static-parallel'), 'aws'), { name: 'cli-errors-parallel' });
    }, 30_000);

    it('an unknown workflow name, with a did-you-mean', async () => {
      for (const command of [
        ['start', 'cli-errors-paralel'],
        ['executions', 'cli-errors-paralel'],
      ]) {
        const result = await ork(command);
        expectOneLineError(result, /^ork: error: no state machine named 'cli-errors-paralel'$/);
        expect(result.stderr).toContain("hint: did you mean 'cli-errors-parallel'");
      }
      const far = await ork(['start', 'nothing-like-it']);
      expectOneLineError(far, /no state machine named 'nothing-like-it'/);
      expect(far.stderr).toContain('hint: deploy it with cdk deploy, or pass its ARN');
    }, 60_000);

    it('an execution that does not exist', async () => {
      const missing = `${machine.stateMachineArn.replace(':stateMachine:', ':execution:')}:no-such-execution`;
      for (const command of [
        ['status', missing],
        ['logs', missing],
        ['redrive', missing],
      ])
        expectOneLineError(await ork(command), /does not exist|not found/i);
      // … of a state machine that does not exist either.
      expectOneLineError(await ork(['status', 'arn:aws:states:us-east-1:123456789012:execution:no-such-machine:x']), /does not exist|not found/i);
    }, 60_000);

    it('not an execution ARN', async () => {
      expectOneLineError(await ork(['status', 'not-an-arn']), /'not-an-arn' is not an execution ARN/);
      expectOneLineError(await ork(['logs', machine.stateMachineArn]), /is not an execution ARN/);
    });

    it('an endpoint that refuses connections', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`;
      const env = cloudEnv({ AWS_ENDPOINT_URL: closed });
      expectOneLineError(await ork(['start', 'cli-errors-parallel'], env), /cannot reach the Step Functions endpoint .*ECONNREFUSED/, 1);
      expectOneLineError(await ork(['status', `${machine.stateMachineArn.replace(':stateMachine:', ':execution:')}:x`], env), /cannot reach .*ECONNREFUSED/, 1);
    }, 60_000);

    it('no region', async () => {
      const env = cloudEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
      const result = await ork(['executions', 'cli-errors-parallel'], env);
      expectOneLineError(result, /^ork: error: list state machines: no AWS region set$/, 1);
      expect(result.stderr).toContain('hint: set AWS_REGION');
    }, 30_000);

    it('no credentials', async () => {
      const env = cloudEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
      const result = await ork(['start', 'cli-errors-parallel'], env);
      expectOneLineError(result, /no AWS credentials found/, 1);
    }, 30_000);
  });
});

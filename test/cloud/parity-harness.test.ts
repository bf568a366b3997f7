import { CreateStateMachineCommand, RedriveExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { processAlive, ROLE_ARN, type AwsParity, type ExecutionResult } from '../support/aws-parity/index.js';
import { withoutStoreLocations } from '../support/engine-neutral.js';
import { projectDependencies } from '../../lib/scaffold/project-dependencies.js';
import { TEMPLATE_LANGUAGES, workflowTemplate } from '../../lib/scaffold/workflow-template.js';
import { exampleInput } from '../support/example-inputs.js';
import { compileCleanly, EXAMPLES_DIR, FIXTURES_DIR, ROOT, substitutePlaceholders, workflowDirectories, writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { expectEveryEnvironmentEnds, invokeFailure, useLambdaEmulation } from '../support/aws-parity/lambda-emulation-suite.js';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { failingWorkflowFiles } from '../support/failing-workflow.js';

/**
 * Parity between the two engines: every example runs on moto's Step Functions interpreter (the compiled
 * definition, created with CreateStateMachine; each Lambda Invoke answered by the real Python Lambda
 * handler; moto's S3 as the payload store) and with `ork run`, on the same input, and the outputs must be
 * equal. A failing workflow must fail the same way in both, and a large output must travel through S3.
 *
 * moto limitations met here (moto 5.2.1), each pinned by a test below:
 * - RedriveExecution is not implemented: moto answers HTTP 500 and logs
 *   `NotImplementedError: The redrive_execution action has not been implemented`. Redrive cannot be
 *   exercised against moto; `ork run --resume` is the local counterpart.
 * - After the first execution in an account and region, StartExecution fails with HTTP 500 (`cannot
 *   pickle '_thread.RLock'`, getmoto/moto#10077). The harness patches that (moto-patches/sitecustomize.py).
 * - StartExecution without a name names the execution `None` (the ARN ends in `:None`), so a second unnamed
 *   start collides; the harness always sends a name.
 * - DescribeExecution has no redriveCount / redriveStatus fields.
 * - ECS RunTask (container tasks): moto hands Step Functions' PascalCase parameters (`LaunchType`, `Cluster`
 *   …) to boto3 unchanged; boto3 knows only the ECS API's camelCase names, so the state fails with
 *   States.Runtime `'LaunchType'` before any RunTask request. The harness emulates Lambda only.
 */

const examples = workflowDirectories(EXAMPLES_DIR);

// Without moto_server the suite is skipped locally (one line says so), but with CI set it runs and fails
// in beforeAll, so CI can never pass by skipping it. `npm test` (scripts/test.mjs) reports the same.
const runSuite = paritySuiteRuns('parity harness suite');

/** Live (non-zombie) children of this process, with their command lines. */
function childProcesses(): { pid: number; cmdline: string }[] {
  const children: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after its last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== process.pid || state === 'Z') continue;
      children.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const eventsOf = (events: HistoryEvent[], type: string) => events.filter((e) => e.type === type);

describe.skipIf(!runSuite)('the Lambda emulation (no moto needed)', () => {
  const emulation = useLambdaEmulation({
    prefix: 'ork-parity-lambda-',
    runtime: 'python',
    files: {
      'handlers.py': [
        'import os, time',
        'calls = 0',
        'def echo(event, context):',
        '    global calls',
        '    calls += 1',
        '    time.sleep(event.get("sleep", 0))',
        '    print("echo log line")',
        '    return {"event": event, "calls": calls, "pid": os.getpid(), "request": context.aws_request_id, "colour": os.environ.get("COLOUR")}',
        'def slow(event, context):',
        '    time.sleep(30)',
        'def crash(event, context):',
        '    os._exit(3)',
        'def unserialisable(event, context):',
        '    return object()',
        '',
      ].join('\n'),
    },
    register: (fn) => {
      fn('echo', 'handlers.echo', { COLOUR: 'green' });
      fn('slow', 'handlers.slow', {}, 1);
      fn('crash', 'handlers.crash');
      fn('unserialisable', 'handlers.unserialisable');
      fn('missing', 'no_such_module.handler');
    },
  });

  it('keeps an environment warm between invocations and starts another for concurrent ones', async () => {
    const functions = emulation();
    const first = JSON.parse((await functions.invoke('echo', { n: 1 })).payload) as { calls: number; pid: number; colour: string; event: unknown };
    const second = JSON.parse((await functions.invoke('echo', { n: 2 })).payload) as { calls: number; pid: number };
    expect(first).toMatchObject({ event: { n: 1 }, calls: 1, colour: 'green' });
    expect(second).toMatchObject({ calls: 2, pid: first.pid });
    const both = await Promise.all([functions.invoke('echo', { n: 3, sleep: 1 }), functions.invoke('echo', { n: 4, sleep: 1 })]);
    expect(new Set(both.map((r) => (JSON.parse(r.payload) as { pid: number }).pid)).size).toBe(2);
    expect(functions.peakConcurrency('echo')).toBe(2);
    expect(both[0]!.logs).toContain('echo log line');
  }, 30_000);

  it('answers failures as the Invoke API does', async () => {
    const error = (name: string) => invokeFailure(emulation(), name);
    const started = Date.now();
    expect(await error('slow')).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await error('crash')).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(await error('unserialisable')).toMatchObject({ errorType: 'Runtime.MarshalError' });
    expect(await error('missing')).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining("Unable to import module 'no_such_module'"),
    });
  }, 30_000);

  it('ends every environment on close', () => expectEveryEnvironmentEnds(emulation()));
});

describe.skipIf(!runSuite)('AWS parity harness: moto Step Functions + the real Lambda handler vs ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';

  const harness = useAwsParity({ prefix: 'ork-parity-' }, (suite) => ({ aws, work } = suite));

  /**
   * A private copy of a workflow for one engine: the examples write files under their own folder, and
   * other suites may run them at the same time. The folder keeps its name, which is the workflow's name.
   */
  function copyWorkflow(directory: string, engine: 'local' | 'aws'): string {
    const target = path.join(work, engine, path.basename(directory));
    cpSync(directory, target, { recursive: true, filter: (source) => !source.split(path.sep).includes('.ork') });
    return target;
  }

  const orkRun = (directory: string, input: unknown, env: Record<string, string> = {}): Promise<CliRun> =>
    runWorkflowCli(directory, path.join(work, 'runs'), ['--input', JSON.stringify(input)], env, { cwd: ROOT });

  function writeWorkflow(name: string, files: Record<string, string>): string {
    const directory = path.join(work, 'workflows', name);
    writeWorkflowFiles(directory, files);
    return directory;
  }

  it('starts moto with Step Functions execution, behind a proxy that answers Lambda and forwards the rest', async () => {
    const parity = harness();
    expect(parity.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parity.motoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parity.endpoint).not.toBe(parity.motoUrl);
    expect(parity.motoPatched).toBe(true);
    // The payload bucket exists in moto's S3 and is empty.
    expect(await parity.listObjects()).toEqual([]);
    // An Invoke of a function the harness does not know goes to moto, whose Lambda does not know it either.
    const unknown = await fetch(`${parity.endpoint}/2015-03-31/functions/not-deployed/invocations`, {
      method: 'POST',
      headers: { Authorization: 'AWS4-HMAC-SHA256 Credential=parity/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/not-deployed/);
  });

  it('gives each function its own environment variables, as Lambda does, in both engines', async () => {
    const parity = harness();
    const task = (name: string) =>
      [
        'import os',
        'from ork import task',
        'from pydantic import BaseModel',
        '',
        'class Output(BaseModel):',
        '    colour: str | None',
        '    function: str | None',
        '    root: str | None',
        '',
        '@task',
        'def main() -> Output:',
        '    return Output(colour=os.environ.get("PARITY_COLOUR"), ' +
          'function=os.environ.get("AWS_LAMBDA_FUNCTION_NAME"), ' +
          'root=os.environ.get("LAMBDA_TASK_ROOT"))',
        '',
      ].join('\n') + `# ${name}\n`;
    const directory = writeWorkflow('parity-env', {
      'workflow.yaml': [
        'name: parity-env',
        'tasks:',
        '  red:',
        '    executor: python',
        '    file: tasks/red.py',
        '    env: {PARITY_COLOUR: red}',
        '  plain:',
        '    executor: python',
        '    file: tasks/plain.py',
        '    depends_on: [red]',
        '  blue:',
        '    executor: python',
        '    file: tasks/blue.py',
        '    depends_on: [plain]',
        '    env: {PARITY_COLOUR: blue}',
        '',
      ].join('\n'),
      'tasks/red.py': task('red'),
      'tasks/plain.py': task('plain'),
      'tasks/blue.py': task('blue'),
    });
    const [local, cloud] = await Promise.all([orkRun(directory, {}), parity.run(directory, {})]);
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect(cloud.status, cloud.cause).toBe('SUCCEEDED');
    const colours = (outputs: unknown) =>
      Object.fromEntries(Object.entries(outputs as Record<string, { colour: string | null }>).map(([k, v]) => [k, v.colour]));
    expect(colours(cloud.output)).toEqual({ red: 'red', plain: null, blue: 'blue' });
    expect(colours(local.json.outputs)).toEqual(colours(cloud.output));
    // On "Lambda" each task is its own function, whose code (the synthesized asset) is mounted at /var/task.
    expect(cloud.output).toMatchObject({ red: { function: 'parity-env-red', root: '/var/task' }, plain: { function: 'parity-env-plain', root: '/var/task' } });
  }, 60_000);

  it('runs each function from its synthesized asset as Lambda does: read-only code, private /tmp, only the runtime’s packages', async () => {
    const parity = harness();
    const probe = [
      'import importlib.util, os, sys, tempfile',
      'from ork import task',
      '',
      '@task',
      'def main():',
      '    here = os.path.dirname(os.path.abspath(__file__))',
      '    try:',
      '        open(os.path.join(here, "written.txt"), "w").close()',
      '        code_folder = "writable"',
      '    except OSError as error:',
      '        code_folder = f"errno {error.errno}"',
      '    with tempfile.NamedTemporaryFile(dir=tempfile.gettempdir()) as f:',
      '        f.write(b"ok")',
      '    import pydantic, boto3',
      '    return {',
      '        "code_folder": code_folder,',
      '        "tmp_entries": sorted(e for e in os.listdir(tempfile.gettempdir()) if not e.startswith("tmp")),',
      '        "task_file": __file__,',
      '        "pydantic": pydantic.__file__,',
      '        "boto3": boto3.__file__.startswith("/var/runtime/"),',
      // Installed on this machine, absent from Lambda's runtime and from the asset.
      '        "pytest": importlib.util.find_spec("pytest") is not None,',
      '        "moto": importlib.util.find_spec("moto") is not None,',
      '        "site": [p for p in sys.path if "site-packages" in p],',
      '        "flags": [sys.flags.isolated, sys.flags.no_site],',
      '    }',
      '',
    ].join('\n');
    const directory = writeWorkflow('parity-sandbox', {
      'workflow.yaml': 'name: parity-sandbox\ntasks:\n  probe: {file: tasks/probe.py}\n',
      'tasks/probe.py': probe,
    });
    const cloud = await parity.run(directory, {});
    expect(cloud.status, cloud.cause).toBe('SUCCEEDED');
    expect((cloud.output as { probe: unknown }).probe).toEqual({
      code_folder: 'errno 30', // EROFS: Lambda's /var/task is read-only
      tmp_entries: [],
      task_file: '/var/task/tasks/probe.py',
      pydantic: '/var/task/pydantic/__init__.py',
      boto3: true,
      pytest: false,
      moto: false,
      site: [],
      flags: [1, 1],
    });
    // The function's code is the synthesized asset (cdk.out), never the workflow folder.
    const fn = cloud.deployment.functions.probe!;
    expect(fn.codeDirectory).toMatch(/\/asset\.[0-9a-f]{64}$/);
    expect(existsSync(path.join(fn.codeDirectory, 'pydantic', '__init__.py'))).toBe(true);
    expect(existsSync(path.join(directory, 'tasks', 'written.txt'))).toBe(false);
  }, 120_000);

  for (const language of TEMPLATE_LANGUAGES) {
    it(`runs the \`ork init${language === 'python' ? '' : ` --lang ${language}`}\` template from its read-only assets, with ork run’s outputs`, async () => {
      const parity = harness();
      const name = `parity-init-${language}`;
      const directory = writeWorkflow(name, workflowTemplate(name, projectDependencies(ROOT).dependencies, language));
      // As `npm install` links it in the project: `ork/task` of the TypeScript tasks resolves through it.
      mkdirSync(path.join(directory, 'node_modules'), { recursive: true });
      symlinkSync(ROOT, path.join(directory, 'node_modules', 'ork'), 'dir');
      const [local, cloud] = await Promise.all([orkRun(directory, {}), parity.run(directory, {})]);
      expect(local.json.status, local.stderr).toBe('SUCCEEDED');
      expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
      expect(withoutStoreLocations(cloud.output)).toEqual(withoutStoreLocations(local.json.outputs));
    }, 120_000);
  }

  describe('every example: outputs equal those of ork run on the same input', () => {
    it('covers the examples', () => {
      expect(examples.map((e) => e.name)).toEqual(
        expect.arrayContaining(['static-parallel', 'dynamic-count', 'foreach-aggregate', 'concurrency-limit', 'combined']),
      );
    });

    for (const example of examples) {
      it(
        example.name,
        async () => {
          const parity = harness();
          const input = exampleInput(example.name);
          const [local, cloud] = await Promise.all([
            orkRun(copyWorkflow(example.directory, 'local'), input),
            parity.run(copyWorkflow(example.directory, 'aws'), input),
          ]);

          expect(local.json.status, local.stderr).toBe('SUCCEEDED');
          expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
          // The execution's output is $.results: every task's output by task name, as ork run's outputs.
          expect(withoutStoreLocations(cloud.output)).toEqual(withoutStoreLocations(local.json.outputs));

          // Each task instance was one invocation of the task's function, with the event the machine built.
          const invocations = parity.invocations.filter((i) => Object.values(cloud.deployment.functions).some((f) => f.name === i.functionName));
          for (const [task, fn] of Object.entries(cloud.deployment.functions)) {
            const counts = local.json.tasks[task]!;
            expect(invocations.filter((i) => i.functionName === fn.name).length, task).toBe(counts.instances + counts.retried);
          }
          // Only failed attempts fail: retried ones, and instances a fan-out tolerated.
          for (const [task, fn] of Object.entries(cloud.deployment.functions)) {
            const counts = local.json.tasks[task]!;
            expect(invocations.filter((i) => i.functionName === fn.name && !i.ok).length, task).toBe(counts.retried + counts.failed);
          }
          const event = invocations[0]!.event as Record<string, unknown>;
          expect(event).toMatchObject({ ork: 1, workflow: example.name, execution_id: cloud.executionArn, attempt: 0 });
        },
        90_000,
      );
    }
  });

  describe('a failing workflow', () => {
    const files = failingWorkflowFiles('parity-failing', "boom on attempt {ctx.attempt} after {input.prepare['value']}");
    let directory = '';
    let local: CliRun;
    let cloud: ExecutionResult & { deployment: { stateMachineArn: string } };
    let events: HistoryEvent[];

    beforeAll(async () => {
      if (!aws) return;
      directory = writeWorkflow('parity-failing', files);
      [local, cloud] = await Promise.all([orkRun(directory, {}), aws.run(directory, {})]);
      events = await aws.history(cloud.executionArn);
    }, 60_000);

    it('fails in both engines with the same error name and message', () => {
      expect(local.code).toBe(1);
      expect(local.json.status).toBe('FAILED');
      expect(local.json.error).toMatchObject({ error: 'ValueError', task: 'explode' });
      expect(cloud.status).toBe('FAILED');
      expect(cloud.error).toBe(local.json.error!.error);
      // The cause is the Lambda error object the Invoke API returned (X-Amz-Function-Error: Unhandled).
      const cause = JSON.parse(cloud.cause!) as { errorMessage: string; errorType: string; requestId: string; stackTrace: string[] };
      expect(cause.errorType).toBe('ValueError');
      expect(cause.errorMessage).toBe('boom on attempt 2 after 41');
      expect(local.json.error!.message).toContain(`ValueError: ${cause.errorMessage}`);
      expect(cause.stackTrace.join('')).toMatch(/tasks\/explode\.py.*line \d+, in main/s);
      // What ran before the failure is the same too.
      expect(local.json.outputs).toEqual({ prepare: { value: 41 } });
    });

    it('retries once, as the moto history shows, after the 1 s retry delay', () => {
      const failed = eventsOf(events, 'LambdaFunctionFailed');
      expect(failed.map((e) => e.lambdaFunctionFailedEventDetails?.error)).toEqual(['ValueError', 'ValueError']);
      const scheduled = eventsOf(events, 'LambdaFunctionScheduled').filter((e) =>
        e.lambdaFunctionScheduledEventDetails?.resource?.endsWith(':function:parity-failing-explode'),
      );
      expect(scheduled.map((e) => (JSON.parse(e.lambdaFunctionScheduledEventDetails!.input!) as { attempt: number }).attempt)).toEqual([0, 1]);
      const gap = scheduled[1]!.timestamp!.getTime() - scheduled[0]!.timestamp!.getTime();
      expect(gap).toBeGreaterThanOrEqual(1_000);
      expect(eventsOf(events, 'ExecutionFailed')[0]?.executionFailedEventDetails?.error).toBe('ValueError');
      // ork run counted the same attempts.
      expect(local.json.tasks.explode).toMatchObject({ instances: 1, failed: 1, retried: 1 });
    });

    it('redrive: moto 5.2 does not implement RedriveExecution (HTTP 500, NotImplementedError)', async () => {
      // AWS would redrive the FAILED execution from the failed state. moto has no redrive_execution action:
      // it answers 500 with an HTML error page and logs the NotImplementedError below. Should moto learn it,
      // this test fails and should become a real redrive check (the execution fails again, with a
      // ExecutionRedriven event in its history).
      const parity = harness();
      const attempt = parity.sfn.send(new RedriveExecutionCommand({ executionArn: cloud.executionArn }));
      await expect(attempt).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
      await expect.poll(() => parity.motoOutput(), { timeout: 5_000 }).toContain('NotImplementedError: The redrive_execution action has not been implemented');
      // The execution is untouched.
      expect((await parity.waitForExecution(cloud.executionArn)).status).toBe('FAILED');
    });
  });

  describe('a large output goes through moto’s S3 as a reference', () => {
    const rows = 400;
    const files = {
      'workflow.yaml': [
        'name: parity-large',
        'tasks:',
        '  produce:',
        '    executor: python',
        '    file: tasks/produce.py',
        '  consume:',
        '    executor: python',
        '    file: tasks/consume.py',
        '    depends_on: [produce]',
        '',
      ].join('\n'),
      'tasks/produce.py': [
        'from ork import task',
        'from pydantic import BaseModel',
        '',
        'class Output(BaseModel):',
        '    rows: list[str]',
        '',
        '@task',
        'def main() -> Output:',
        `    return Output(rows=[f"row-{i:05d}-" + "x" * 40 for i in range(${rows})])`,
        '',
      ].join('\n'),
      'tasks/consume.py': [
        'from ork import task',
        'from pydantic import BaseModel',
        '',
        'class Produced(BaseModel):',
        '    rows: list[str]',
        '',
        'class Input(BaseModel):',
        '    produce: Produced',
        '',
        'class Output(BaseModel):',
        '    count: int',
        '    first: str',
        '    last: str',
        '',
        '@task',
        'def main(input: Input) -> Output:',
        '    rows = input.produce.rows',
        '    return Output(count=len(rows), first=rows[0], last=rows[-1])',
        '',
      ].join('\n'),
    };
    const threshold = { ORK_LARGE_OUTPUT_BYTES: '1024' };

    it('is stored in the payload bucket, passed on resolved, and equals the local run’s', async () => {
      const parity = harness();
      const directory = writeWorkflow('parity-large', files);
      const [local, cloud] = await Promise.all([orkRun(directory, {}, threshold), parity.run(directory, {}, { env: threshold })]);
      expect(local.json.status, local.stderr).toBe('SUCCEEDED');
      expect(cloud.status, cloud.cause).toBe('SUCCEEDED');

      const output = cloud.output as { produce: { $ork_ref: string; bytes: number }; consume: unknown };
      // The machine carried a reference into moto's S3, under the workflow's prefix …
      expect(output.produce).toEqual({ $ork_ref: expect.stringMatching(/^s3:\/\/ork-payloads\/parity-large\/.+/), bytes: expect.any(Number) });
      const key = output.produce.$ork_ref.replace('s3://ork-payloads/', '');
      expect(await parity.listObjects('parity-large/')).toContain(key);
      const stored = JSON.parse((await parity.getObject(output.produce.$ork_ref)).toString('utf8')) as { rows: string[] };
      expect(stored.rows).toHaveLength(rows);
      expect(output.produce.bytes).toBeGreaterThan(1024);
      // … the consumer got it resolved …
      expect(output.consume).toEqual({ count: rows, first: stored.rows[0], last: stored.rows[rows - 1] });
      // … and the local run did the same through its payload directory.
      const localOutputs = local.json.outputs as { produce: { $ork_ref: string; bytes: number }; consume: unknown };
      expect(localOutputs.produce).toEqual({ $ork_ref: expect.stringMatching(/^file:\/\//), bytes: output.produce.bytes });
      expect(JSON.parse(readFileSync(fileURLToPath(localOutputs.produce.$ork_ref), 'utf8'))).toEqual(stored);
      expect(localOutputs.consume).toEqual(output.consume);
    }, 60_000);
  });

  it('runs a deployed state machine more than once (moto bug patched by the harness)', async () => {
    const parity = harness();
    const deployment = await parity.deploy(copyWorkflow(path.join(EXAMPLES_DIR, 'static-parallel'), 'aws'), { name: 'parity-twice' });
    const results: ExecutionResult[] = [];
    for (let i = 0; i < 2; i++) results.push(await parity.waitForExecution(await parity.startExecution(deployment.stateMachineArn, {})));
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(results[0]!.output).toEqual(results[1]!.output);
  }, 60_000);

  it("container tasks: moto's ECS integration does not accept Step Functions' RunTask parameters", async () => {
    // The Task state the compiler emits for a container task, as AWS documents it (PascalCase parameters).
    // moto passes them to boto3's run_task unchanged, whose serializer knows only the ECS API's camelCase
    // names, so the state fails before any request: States.Runtime with the cause naming 'LaunchType'.
    const parity = harness();
    const { definition } = compileCleanly(path.join(FIXTURES_DIR, 'container'));
    const states = substitutePlaceholders(definition).States as unknown as Record<string, Record<string, unknown>>;
    const train = { ...states.train, Retry: undefined, Next: undefined, End: true };
    const machine = {
      StartAt: 'payload',
      States: { payload: { Type: 'Pass', Result: { payload: { ork: 1 } }, ResultPath: '$.ork', Next: 'train' }, train },
    };
    const created = await parity.sfn.send(new CreateStateMachineCommand({ name: 'parity-ecs', definition: JSON.stringify(machine), roleArn: ROLE_ARN }));
    const result = await parity.waitForExecution(await parity.startExecution(created.stateMachineArn!, {}));
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toMatch(/An error occurred while executing the state 'train'.*'LaunchType'/);
  }, 30_000);

  it('stops cleanly: no moto_server, Lambda environment or proxy left', async () => {
    const parity = harness();
    const { moto, lambdas } = parity.processes();
    const endpoint = parity.endpoint;
    const motoUrl = parity.motoUrl;
    expect(processAlive(moto)).toBe(true);
    expect(lambdas.length).toBeGreaterThan(0);
    expect(lambdas.some(processAlive)).toBe(true);
    // The process-table check below (Linux /proc) sees them while they run.
    const linux = process.platform === 'linux';
    if (linux) {
      const before = childProcesses().map((c) => c.cmdline);
      expect(before.some((c) => c.includes('moto_server'))).toBe(true);
      expect(before.some((c) => c.includes('lambda_runtime.py'))).toBe(true);
    }

    await parity.stop();

    expect(processAlive(moto)).toBe(false);
    expect(lambdas.filter(processAlive)).toEqual([]);
    // Nothing of ours is left in the process table: no child of this process runs moto_server or a Lambda
    // runtime (lambda_runtime.py, or lambda_runtime.mjs of the examples' node tasks).
    if (linux) expect(childProcesses().filter(({ cmdline }) => /moto_server|lambda_runtime\.(py|mjs)/.test(cmdline))).toEqual([]);
    // The proxy and moto no longer answer.
    await expect(fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    await expect(fetch(`${motoUrl}/moto-api/`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    await parity.stop(); // twice is fine
  }, 30_000);
});

import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import type { Runtime } from '@aws-sdk/client-lambda';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, type StateMachineDefinition, type TaskManifest } from '../../../compiler/index.js';
import { compileWorkflowFile } from '../../../lib/file-system-host.js';
import { startMotoServer, type MotoServer } from '../moto-server.js';
import { readExecutionHistory } from './execution-history.js';
import { LambdaFunctions, type InvocationRecord, type LambdaFunctionConfig } from './lambda-functions.js';
import { createRole, MotoLambda, type LogEventRecord } from './moto-lambda.js';
import { startLambdaProxy, type LambdaProxy } from './lambda-proxy.js';
import { pythonRuntimeOf, renderDefinition, resolveCfn, synthesizeWorkflow, type CfnValue, type SynthesizedWorkflow } from './synthesized-workflow.js';

/**
 * AWS parity harness: moto_server with Step Functions execution enabled, whose Lambda calls are answered by
 * the real Python Lambda handler (ork.lambda_handler.handler) on the real event, with moto's S3 as the
 * payload store. See README.md beside this file for the moto limitations it works around.
 *
 *   const aws = await startAwsParity();
 *   const { stateMachineArn } = await aws.deploy('examples/static-parallel');
 *   const executionArn = await aws.startExecution(stateMachineArn, { date: '2024-01-15' });
 *   const result = await aws.waitForExecution(executionArn); // { status, output, error, cause }
 *   await aws.stop();
 */

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const ROLE_NAME = 'ork-parity';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/${ROLE_NAME}`;
/** The task executors whose functions the harness runs (`deploy` refuses a workflow with any other). */
export const EMULATED_EXECUTORS: readonly string[] = ['python', 'node'];
/**
 * The Lambda runtime node functions are bundled for, as lib/deploy (DEFAULT_NODE_RUNTIME) deploys them; the
 * bundles run on this process's node (the synth test checks that the two agree).
 */
export const NODE_RUNTIME = 'nodejs24.x';
/** Fake credentials for every client the harness starts or configures. */
export const CREDENTIALS = { accessKeyId: 'parity', secretAccessKey: 'parity' } as const;

export interface AwsParityOptions {
  /** Bucket of the payload store (created in moto). @default 'ork-payloads' */
  readonly bucket?: string;
  /** Environment variables every function gets beneath its own (e.g. `ORK_LARGE_OUTPUT_BYTES`). */
  readonly functionEnv?: Readonly<Record<string, string>>;
  /** Concurrent environments per function at most. @default 16 */
  readonly maxConcurrencyPerFunction?: number;
  /** Python for the Lambda environments. @default ORK_PYTHON, else python3 */
  readonly python?: string;
  /** How much of moto's output to keep for motoOutput(). @default 200000 */
  readonly motoOutputLimit?: number;
}

export interface DeployOptions {
  /** State machine name. @default the workflow's name, with `-2`, `-3` … when that is taken */
  readonly name?: string;
  /** Extra environment for this deployment's functions, over the task's own `env:`. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface DeployedFunction {
  readonly task: string;
  readonly name: string;
  readonly arn: string;
  /** Its synthesized code asset (what runs, read-only, at /var/task). */
  readonly codeDirectory: string;
}

export interface Deployment {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly workflow: string;
  readonly directory: string;
  /** The definition as created, placeholders filled in. */
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
  readonly functions: Readonly<Record<string, DeployedFunction>>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionResult {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** The parsed execution output (`$.results` for an Ork workflow); undefined unless it succeeded. */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly seconds: number;
}

export interface WaitOptions {
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** @default 100 */
  readonly pollMs?: number;
}

export interface AwsParity {
  /** The endpoint to give AWS clients and CLI commands (`AWS_ENDPOINT_URL`): Lambda Invoke answered, the rest is moto. */
  readonly endpoint: string;
  /** moto_server itself. */
  readonly motoUrl: string;
  readonly region: string;
  readonly accountId: string;
  readonly bucket: string;
  /** Environment for a child process (a CLI command) that should talk to this harness. */
  readonly env: Readonly<Record<string, string>>;
  /** A Step Functions client for the endpoint (no retries: moto's answers are seen as they are). */
  readonly sfn: SFNClient;
  /** Every Lambda invocation so far, in start order. */
  readonly invocations: readonly InvocationRecord[];
  /** Most invocations of a function (by name) that ran at once. */
  peakConcurrency(functionName: string): number;
  /**
   * Compiles the workflow, registers one function per task (also in moto's Lambda, with its log group
   * `/aws/lambda/<function>`), creates the state machine.
   */
  deploy(workflowDirectory: string, options?: DeployOptions): Promise<Deployment>;
  /** StartExecution, always with a name (moto names an unnamed execution `None`). Returns the execution ARN. */
  startExecution(stateMachineArn: string, input?: unknown, name?: string): Promise<string>;
  /** Polls DescribeExecution until the execution is no longer RUNNING. */
  waitForExecution(executionArn: string, options?: WaitOptions): Promise<ExecutionResult>;
  /** deploy + startExecution + waitForExecution. */
  run(workflowDirectory: string, input?: unknown, options?: DeployOptions & WaitOptions): Promise<ExecutionResult & { deployment: Deployment }>;
  /** The whole execution history, every page. */
  history(executionArn: string): Promise<HistoryEvent[]>;
  /** An object of moto's S3 (`s3://bucket/key`). */
  getObject(url: string): Promise<Buffer>;
  /** Keys in the payload bucket under a prefix. */
  listObjects(prefix?: string): Promise<string[]>;
  /**
   * Every event of a function's log group in moto's CloudWatch Logs (`/aws/lambda/<function>`), in time
   * order: each invocation's START, the lines it wrote, END and REPORT.
   */
  logEvents(functionName: string): Promise<LogEventRecord[]>;
  /**
   * Whether moto-patches/sitecustomize.py fixed moto's one-execution-per-account bug in this server; when
   * false, only the first StartExecution in the account succeeds.
   */
  readonly motoPatched: boolean;
  /**
   * The patches of moto-patches/sitecustomize.py that moto_server reported applied (a subset of
   * MOTO_PATCH_NAMES); a test of a feature one of them bridges should check for it.
   */
  readonly motoPatches: readonly string[];
  /** What moto_server has written lately (request lines, tracebacks of its own errors). */
  motoOutput(): string;
  /** Processes the harness started: moto_server and every Lambda environment. */
  processes(): { moto: number; lambdas: readonly number[] };
  /** Stops the proxy, every Lambda environment and moto_server, and waits until they are gone. */
  stop(): Promise<void>;
}

/** Lambda function names allow letters, digits, `-` and `_`, 64 characters at most. */
export function functionNameFor(workflow: string, task: string): string {
  const name = `${workflow}-${task}`.replace(/[^A-Za-z0-9_-]/g, '-');
  return name.length <= 64 ? name : `${name.slice(0, 55)}-${hash(name)}`;
}

function hash(text: string): string {
  let h = 0;
  for (const c of text) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const MOTO_PATCHES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'moto-patches');
const PATCH_APPLIED = 'ork parity: moto patch stepfunctions-deepcopy-executions applied';
/** Every patch moto-patches/sitecustomize.py applies, by the name it reports (see its docstring for why each). */
export const MOTO_PATCH_NAMES: readonly string[] = [
  'stepfunctions-deepcopy-executions',
  'stepfunctions-definite-index-path',
  'stepfunctions-result-writer-files',
  'stepfunctions-integer-tolerated-percentage',
  'stepfunctions-jsonpath-parse-cache',
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startAwsParity(options: AwsParityOptions = {}): Promise<AwsParity> {
  const bucket = options.bucket ?? 'ork-payloads';
  let moto: MotoServer | undefined;
  const baseEnvironment: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: 'UTC',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'parity',
    // No config or credentials of this machine may leak into the functions.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  // moto's Lambda and CloudWatch Logs, once moto is up: what `ork logs` reads.
  let motoLambda: MotoLambda | undefined;
  // The python functions are synthesized for this interpreter's version, which stands in for Lambda's.
  const python = options.python ?? process.env.ORK_PYTHON ?? 'python3';
  const pythonRuntime = pythonRuntimeOf(python);
  const functions = new LambdaFunctions({
    baseEnvironment,
    python,
    maxConcurrency: options.maxConcurrencyPerFunction ?? 16,
    // Before the Invoke API answers, so the lines are in CloudWatch once the state has completed.
    afterInvoke: async (invocation) => motoLambda?.ship(invocation),
  });
  let proxy: LambdaProxy | undefined;
  const cleanups: (() => void)[] = [];
  const stop = async (): Promise<void> => {
    await proxy?.close();
    await functions.close();
    await moto?.stop();
    motoLambda?.destroy();
    for (const cleanup of cleanups.splice(0)) cleanup();
  };

  try {
    proxy = await startLambdaProxy({ functions, upstream: () => moto?.url });
    // moto's interpreter calls every AWS API at http://localhost:$MOTO_PORT: the proxy.
    moto = await startMotoServer({
      env: {
        MOTO_PORT: String(proxy.port),
        // moto-patches/sitecustomize.py: the moto gaps the harness works around (MOTO_PATCH_NAMES; see there).
        ORK_PARITY_MOTO_PATCHES: '1',
        PYTHONPATH: [MOTO_PATCHES, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      },
      outputLimit: options.motoOutputLimit ?? 200_000,
    });
    await moto.configure({ stepfunctions: { execute_state_machine: true } });
    // The functions reach S3 (and any other service) at moto directly; boto3 reads AWS_ENDPOINT_URL.
    baseEnvironment.AWS_ENDPOINT_URL = moto.url;
    Object.assign(baseEnvironment, options.functionEnv ?? {});
    await createBucket(moto.url, bucket);
    await createRole(moto.url, ROLE_NAME, REGION, CREDENTIALS.accessKeyId);
    motoLambda = new MotoLambda({ motoUrl: moto.url, region: REGION, credentials: CREDENTIALS, roleArn: ROLE_ARN });
  } catch (error) {
    await stop();
    throw error;
  }
  const motoServer = moto;
  const endpoint = proxy.url;
  const mirror = motoLambda!;

  const sfn = new SFNClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
  const names = new Set<string>();
  const started = new Set<string>();

  // Each workflow is synthesized once per harness (the cloud assembly does not depend on the deployment).
  const synthesized = new Map<string, SynthesizedWorkflow>();
  const cdkOut = mkdtempSync(path.join(tmpdir(), 'ork-parity-cdk-'));
  cleanups.push(() => rmSync(cdkOut, { recursive: true, force: true }));

  const deploy = async (workflowDirectory: string, deployOptions: DeployOptions = {}): Promise<Deployment> => {
    const directory = path.resolve(workflowDirectory);
    const manifestOnly = compileWorkflowFile(path.join(directory, 'workflow.yaml'));
    if (!manifestOnly.ok || !manifestOnly.manifest) {
      throw new Error(`${directory} does not compile:\n${manifestOnly.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
    }
    for (const task of manifestOnly.manifest.tasks) {
      if (!EMULATED_EXECUTORS.includes(task.executor)) {
        // Container tasks could not run anyway: moto's ECS integration hands Step Functions' PascalCase
        // RunTask parameters to boto3 unchanged and fails with States.Runtime 'LaunchType' (README.md).
        throw new Error(`task ${task.name}: executor '${task.executor}' is not emulated by the parity harness (python and node only; see its README)`);
      }
    }
    // What `cdk deploy` would deploy: the construct's template and code assets (synthesized-workflow.ts).
    let synth = synthesized.get(directory);
    if (!synth) {
      synth = synthesizeWorkflow(directory, { pythonRuntime, outdir: mkdtempSync(path.join(cdkOut, 'assembly-')) });
      synthesized.set(directory, synth);
    }
    const manifest = synth.manifest;
    const workflow = manifest.workflow;
    const deployed: Record<string, DeployedFunction> = {};
    const resources: Record<string, { ref: string; attributes?: Record<string, string> }> = {
      [synth.payloadBucketLogicalId]: { ref: bucket, attributes: { Arn: `arn:aws:s3:::${bucket}` } },
      'AWS::Region': { ref: REGION },
      'AWS::AccountId': { ref: ACCOUNT_ID },
    };
    for (const fn of synth.functions) {
      const name = functionNameFor(workflow, fn.task);
      resources[fn.logicalId] = { ref: name, attributes: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}` } };
    }
    const resolve = (value: CfnValue, where: string): string => resolveCfn(value, resources, where);
    for (const fn of synth.functions) {
      const node = fn.runtime.startsWith('nodejs');
      if (!node && fn.runtime !== pythonRuntime) throw new Error(`function of task ${fn.task}: runtime ${fn.runtime}, but the harness runs ${pythonRuntime}`);
      const { ref: name, attributes } = resources[fn.logicalId]!;
      const environment = Object.fromEntries(Object.entries(fn.environment).map(([key, value]) => [key, resolve(value, `${fn.task}: Environment.${key}`)]));
      // The function as the template configures it; a deployment's `env` is the harness's knob over it.
      const config: LambdaFunctionConfig = {
        name,
        arn: attributes!.Arn!,
        codeDirectory: fn.codeDirectory,
        handler: fn.handler,
        ...(node ? { runtime: 'node' as const } : {}),
        environment: { ...environment, ...deployOptions.env, ORK_TASK_FILE: environment.ORK_TASK_FILE ?? '' },
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
      };
      functions.register(config);
      // Also in moto's Lambda (GetFunctionConfiguration) with its log group; the proxy still answers Invoke.
      await mirror.register(config, fn.runtime as Runtime);
      deployed[fn.task] = { task: fn.task, name, arn: config.arn, codeDirectory: fn.codeDirectory };
    }
    const definition = renderDefinition(synth, resolve);
    let name = deployOptions.name ?? workflow;
    if (!deployOptions.name) for (let n = 2; names.has(name); n++) name = `${workflow}-${n}`;
    names.add(name);
    const created = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE_ARN, type: 'STANDARD' }));
    if (!created.stateMachineArn) throw new Error(`CreateStateMachine ${name} returned no ARN`);
    return { stateMachineArn: created.stateMachineArn, name, workflow, directory, definition, manifest, functions: deployed };
  };

  const startExecution = async (stateMachineArn: string, input: unknown = {}, name: string = randomUUID()): Promise<string> => {
    try {
      const response = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      if (!response.executionArn) throw new Error('StartExecution returned no executionArn');
      started.add(response.executionArn);
      return response.executionArn;
    } catch (error) {
      if (
        started.size > 0 &&
        /500|Internal Server Error|UnknownError/i.test(
          String((error as Error).message) + String((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode),
        )
      ) {
        throw new Error(
          `moto could not start another execution (${(error as Error).message}): moto 5.2 deep-copies the state machine with the earlier ` +
            `executions of its account and fails on their locks (getmoto/moto#10077); the harness's ` +
            `patch for it was ${motoServer.output().includes(PATCH_APPLIED) ? '' : 'NOT '}applied.`,
          { cause: error },
        );
      }
      throw error;
    }
  };

  const waitForExecution = async (executionArn: string, wait: WaitOptions = {}): Promise<ExecutionResult> => {
    const timeoutMs = wait.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const status = described.status as ExecutionStatus;
      if (status !== 'RUNNING') {
        const seconds = described.startDate && described.stopDate ? (described.stopDate.getTime() - described.startDate.getTime()) / 1000 : NaN;
        return {
          executionArn,
          status,
          ...(described.output !== undefined ? { output: JSON.parse(described.output) as unknown } : {}),
          ...(described.error !== undefined ? { error: described.error } : {}),
          ...(described.cause !== undefined ? { cause: described.cause } : {}),
          seconds,
        };
      }
      if (Date.now() > deadline) throw new Error(`execution ${executionArn} still RUNNING after ${timeoutMs} ms`);
      await sleep(wait.pollMs ?? 100);
    }
  };

  const history = (executionArn: string): Promise<HistoryEvent[]> => readExecutionHistory(sfn, executionArn, { diagnostics: () => motoServer.output() });

  return {
    endpoint,
    motoUrl: motoServer.url,
    region: REGION,
    accountId: ACCOUNT_ID,
    bucket,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    sfn,
    invocations: functions.invocations,
    peakConcurrency: (name) => functions.peakConcurrency(name),
    deploy,
    startExecution,
    waitForExecution,
    async run(workflowDirectory, input = {}, runOptions = {}) {
      const deployment = await deploy(workflowDirectory, runOptions);
      const executionArn = await startExecution(deployment.stateMachineArn, input);
      return { ...(await waitForExecution(executionArn, runOptions)), deployment };
    },
    history,
    async getObject(url) {
      const parsed = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
      if (!parsed) throw new Error(`not an s3:// URL: ${url}`);
      const key = parsed[2]!.split('/').map(encodeURIComponent).join('/');
      const response = await fetch(`${motoServer.url}/${parsed[1]}/${key}`, { headers: s3Headers() });
      if (!response.ok) throw new Error(`GET ${url} from moto answered ${response.status}: ${await response.text()}`);
      return Buffer.from(await response.arrayBuffer());
    },
    async listObjects(prefix = '') {
      const response = await fetch(`${motoServer.url}/${bucket}?list-type=2&prefix=${encodeURIComponent(prefix)}`, { headers: s3Headers() });
      const text = await response.text();
      if (!response.ok) throw new Error(`ListObjectsV2 ${bucket} answered ${response.status}: ${text}`);
      return [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeXml(m[1]!));
    },
    logEvents: (functionName) => mirror.events(functionName),
    motoPatched: motoServer.output().includes(PATCH_APPLIED),
    motoPatches: MOTO_PATCH_NAMES.filter((name) => motoServer.output().includes(`ork parity: moto patch ${name} applied`)),
    motoOutput: () => motoServer.output(),
    processes: () => ({ moto: motoServer.pid, lambdas: functions.pids() }),
    async stop() {
      sfn.destroy();
      await stop();
    },
  };
}

/** moto routes a request to a service by the credential scope of its Authorization header (not checked). */
function s3Headers(): Record<string, string> {
  return { Authorization: `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, Signature=0` };
}

async function createBucket(motoUrl: string, bucket: string): Promise<void> {
  const response = await fetch(`${motoUrl}/${bucket}`, { method: 'PUT', headers: s3Headers() });
  const text = await response.text();
  if (!response.ok) throw new Error(`CreateBucket ${bucket} in moto answered ${response.status}: ${text}`);
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Whether a process still exists (a zombie counts as gone: it has exited). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat's third field is the state; Z is a zombie waiting to be reaped.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

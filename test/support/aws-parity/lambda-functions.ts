import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { killProcessGroup } from '../process-group.js';
import { isolatedCommand, LAMBDA_FIXED_ENVIRONMENT, LAMBDA_RUNTIME_DIR, prepareRuntimeDirectory } from './lambda-sandbox.js';

/**
 * Lambda functions emulated by the parity harness: each function has warm "execution environments"
 * (lambda_runtime.py or .mjs processes started with the function's environment in a sandbox that has the
 * file system Lambda gives it: lambda-sandbox.ts) that serve
 * one invocation at a time, as Lambda's do. A function gets a new environment whenever all of its
 * environments are busy (up to `maxConcurrency`, then invocations queue), so environment variables never
 * leak from one function to another and a fan-out really runs concurrently.
 */

export interface LambdaFunctionConfig {
  /** The function name (the last part of its ARN). */
  readonly name: string;
  readonly arn: string;
  /** The code directory (the synthesized asset): mounted read-only at /var/task, the working directory. */
  readonly codeDirectory: string;
  /**
   * `module.function`, e.g. `ork.lambda_handler.handler`; for node, `path/module.export` as Lambda's Node.js
   * runtime reads it, e.g. `tasks/__ork_lambda_extract.handler`.
   */
  readonly handler: string;
  /** Which runtime script serves it: lambda_runtime.py or lambda_runtime.mjs. @default 'python' */
  readonly runtime?: 'python' | 'node';
  /** The function's own environment variables (Lambda's `Environment.Variables`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Size of /tmp (Lambda's EphemeralStorage). @default 512 */
  readonly ephemeralStorageMb?: number;
}

/** What the Invoke API answers: the payload text, and `Unhandled` when the function failed. */
export interface InvokeResult {
  readonly requestId: string;
  readonly functionError?: 'Unhandled';
  /** JSON text: the result, or `{"errorMessage","errorType","requestId","stackTrace"}`. */
  readonly payload: string;
  readonly logs: string;
}

/** One invocation, as the harness saw it (for assertions, debugging and figures). */
export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  readonly event: unknown;
  readonly startedAt: number;
  endedAt?: number;
  /** undefined while running. */
  ok?: boolean;
  /** The parsed result or error object. */
  payload?: unknown;
  logs?: string;
  /** pid of the environment that served it. */
  pid?: number;
  /** Whether a new environment had to be started for it (a cold start). */
  cold: boolean;
  /** The log stream of the environment that served it (`AWS_LAMBDA_LOG_STREAM_NAME`). */
  logStream?: string;
}

/** An invocation that has ended, as `afterInvoke` sees it. */
export interface CompletedInvocation {
  readonly config: LambdaFunctionConfig;
  readonly record: InvocationRecord;
  readonly result: InvokeResult;
  /** The log stream of the environment that served it: one per environment, as on Lambda. */
  readonly logStream: string;
}

export interface LambdaFunctionsOptions {
  /** Python interpreter. @default ORK_PYTHON, else python3 (resolved once to an absolute path). */
  readonly python?: string;
  /** Environment every function gets beneath its own (region, credentials, endpoints, PYTHONPATH …). */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** Environments per function at most; more invocations wait. @default 16 */
  readonly maxConcurrency?: number;
  /**
   * Called when an invocation has ended, before invoke() returns (so before the Invoke API answers): the
   * harness ships the invocation's log lines to CloudWatch Logs here, so that they are readable as soon
   * as the state that invoked the function has completed. A failure fails the invocation (a service error).
   */
  readonly afterInvoke?: (invocation: CompletedInvocation) => Promise<void>;
}

interface Environment {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly config: LambdaFunctionConfig;
  busy: boolean;
  /** Resolves with the next protocol line. */
  pending?: { resolve: (line: string) => void; reject: (error: Error) => void };
  ready: Promise<void>;
  exited: Promise<void>;
  stderr: string;
  dead: boolean;
  /** `AWS_LAMBDA_LOG_STREAM_NAME` of this environment. */
  readonly logStream: string;
}

interface FunctionState {
  config: LambdaFunctionConfig;
  environments: Environment[];
  waiting: (() => void)[];
  running: number;
  peakRunning: number;
}

export class LambdaFunctions {
  readonly invocations: InvocationRecord[] = [];
  private readonly functions = new Map<string, FunctionState>();
  private readonly all = new Set<Environment>();
  /** Every environment process ever started, so that stop() can prove none is left. */
  private readonly startedPids: number[] = [];
  private readonly python: string;
  private readonly maxConcurrency: number;
  private runtimeFolder: string | undefined;
  private closed = false;
  private readonly onExit = () => {
    for (const environment of this.all) killProcessGroup(environment.child, 'SIGKILL');
  };

  constructor(private readonly options: LambdaFunctionsOptions) {
    this.python = resolvePython(options.python ?? process.env.ORK_PYTHON ?? 'python3');
    this.maxConcurrency = options.maxConcurrency ?? 16;
    process.once('exit', this.onExit);
  }

  /** Creates or updates a function. An update retires its warm environments, as Lambda does. */
  register(config: LambdaFunctionConfig): void {
    const existing = this.functions.get(config.name);
    if (existing) {
      if (JSON.stringify(existing.config) === JSON.stringify(config)) return;
      existing.config = config;
      for (const environment of existing.environments.filter((e) => !e.busy)) this.retire(existing, environment);
      return;
    }
    this.functions.set(config.name, { config, environments: [], waiting: [], running: 0, peakRunning: 0 });
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  get(name: string): LambdaFunctionConfig | undefined {
    return this.functions.get(name)?.config;
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  /** Most invocations of a function that ran at once. */
  peakConcurrency(name: string): number {
    return this.functions.get(name)?.peakRunning ?? 0;
  }

  /** pids of every environment process started so far (alive or not). */
  pids(): readonly number[] {
    return this.startedPids;
  }

  async invoke(name: string, event: unknown, invokedArn?: string): Promise<InvokeResult> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no function ${name}`);
    const requestId = randomUUID();
    const record: InvocationRecord = { functionName: name, requestId, event, startedAt: Date.now(), cold: false };
    this.invocations.push(record);
    const { environment, cold } = await this.acquire(fn);
    record.cold = cold;
    record.pid = environment.pid;
    record.logStream = environment.logStream;
    fn.running++;
    fn.peakRunning = Math.max(fn.peakRunning, fn.running);
    const config = environment.config;
    const deadline = Date.now() + config.timeoutSeconds * 1000;
    let result: InvokeResult;
    try {
      const line = await this.exchange(
        environment,
        { id: requestId, event, arn: invokedArn ?? config.arn, deadline_ms: deadline },
        config.timeoutSeconds * 1000,
      );
      const reply = JSON.parse(line) as { ok: boolean; payload: string; logs: string };
      result = { requestId, payload: reply.payload, logs: reply.logs, ...(reply.ok ? {} : { functionError: 'Unhandled' as const }) };
    } catch (error) {
      // The environment timed out or died: Lambda discards it and reports the invocation as failed.
      this.retire(fn, environment);
      const timedOut = error instanceof TimeoutError;
      const failure = timedOut
        ? { errorMessage: `RequestId: ${requestId} Error: Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds`, errorType: 'Sandbox.Timedout' }
        : { errorMessage: `RequestId: ${requestId} Error: Runtime exited ${(error as Error).message}`, errorType: 'Runtime.ExitError' };
      result = { requestId, functionError: 'Unhandled', payload: JSON.stringify(failure), logs: environment.stderr };
    } finally {
      fn.running--;
    }
    record.endedAt = Date.now();
    record.ok = result.functionError === undefined;
    record.payload = parseOr(result.payload);
    record.logs = result.logs;
    this.release(fn, environment);
    await this.options.afterInvoke?.({ config, record, result, logStream: environment.logStream });
    return result;
  }

  /** The folder mounted at /var/runtime in every environment, made once (see prepareRuntimeDirectory). */
  private runtimeDirectory(): string {
    this.runtimeFolder ??= prepareRuntimeDirectory(this.python);
    return this.runtimeFolder;
  }

  /** Ends every environment and waits until each process has exited. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    process.removeListener('exit', this.onExit);
    const exits = [...this.all].map((environment) => {
      environment.dead = true;
      environment.child.stdin?.end();
      killProcessGroup(environment.child, 'SIGTERM');
      const timer = setTimeout(() => killProcessGroup(environment.child, 'SIGKILL'), 3_000);
      return environment.exited.finally(() => clearTimeout(timer));
    });
    await Promise.all(exits);
    for (const fn of this.functions.values()) for (const wake of fn.waiting.splice(0)) wake();
    if (this.runtimeFolder) rmSync(this.runtimeFolder, { recursive: true, force: true });
  }

  private async acquire(fn: FunctionState): Promise<{ environment: Environment; cold: boolean }> {
    for (;;) {
      if (this.closed) throw new Error('the Lambda emulation is stopped');
      const idle = fn.environments.find((e) => !e.busy && !e.dead);
      if (idle) {
        idle.busy = true;
        return { environment: idle, cold: false };
      }
      if (fn.environments.length < this.maxConcurrency) {
        const environment = this.start(fn.config);
        environment.busy = true;
        fn.environments.push(environment);
        try {
          await environment.ready;
        } catch (error) {
          this.retire(fn, environment);
          throw error;
        }
        return { environment, cold: true };
      }
      await new Promise<void>((resolve) => fn.waiting.push(resolve));
    }
  }

  private release(fn: FunctionState, environment: Environment): void {
    environment.busy = false;
    // An environment of an older configuration is not reused after an update.
    if (environment.config !== fn.config || environment.dead) this.retire(fn, environment);
    fn.waiting.shift()?.();
  }

  private retire(fn: FunctionState, environment: Environment): void {
    fn.environments = fn.environments.filter((e) => e !== environment);
    environment.dead = true;
    environment.child.stdin?.end();
    killProcessGroup(environment.child, 'SIGTERM');
    fn.waiting.shift()?.();
  }

  private start(config: LambdaFunctionConfig): Environment {
    // Lambda names an environment's log stream `<date>/[<version>]<id>`.
    const logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    const env: Record<string, string> = {
      ...this.options.baseEnvironment,
      ...config.environment,
      ...LAMBDA_FIXED_ENVIRONMENT,
      _HANDLER: config.handler,
      AWS_LAMBDA_FUNCTION_NAME: config.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_EXECUTION_ENV: config.runtime === 'node' ? 'AWS_Lambda_nodejs_parity' : 'AWS_Lambda_python_parity',
    };
    // As Lambda's runtimes: an interpreter that sees only the code folder (/var/task), the runtime's own
    // folder (/var/runtime: the runtime script, and for Python the AWS SDK Lambda ships) and its standard
    // library. Python runs isolated (-I: no PYTHONPATH, no user site; -S: no site-packages of this machine).
    const command =
      config.runtime === 'node'
        ? [process.execPath, `${LAMBDA_RUNTIME_DIR}/lambda_runtime.mjs`]
        : [this.python, '-I', '-S', `${LAMBDA_RUNTIME_DIR}/lambda_runtime.py`];
    const { file, args } = isolatedCommand(command, { code: config.codeDirectory, runtime: this.runtimeDirectory(), tmpMb: config.ephemeralStorageMb ?? 512 });
    const child = spawn(file, args, { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const environment: Environment = {
      child,
      pid: child.pid ?? -1,
      config,
      busy: false,
      ready: Promise.resolve(),
      exited: Promise.resolve(),
      stderr: '',
      dead: false,
      logStream,
    };
    if (child.pid !== undefined) this.startedPids.push(child.pid);
    this.all.add(environment);
    environment.exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    }).then(() => {
      environment.dead = true;
      this.all.delete(environment);
      environment.pending?.reject(new Error(`(pid ${environment.pid}): ${environment.stderr.slice(-2_000)}`));
      environment.pending = undefined;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      environment.stderr = (environment.stderr + chunk.toString()).slice(-16_000);
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const pending = environment.pending;
      environment.pending = undefined;
      pending?.resolve(line);
    });
    environment.ready = new Promise<string>((resolve, reject) => {
      environment.pending = { resolve, reject };
    }).then((line) => {
      if (!(JSON.parse(line) as { ready?: boolean }).ready) throw new Error(`unexpected first line from the Lambda runtime: ${line}`);
    });
    return environment;
  }

  private exchange(environment: Environment, request: unknown, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        environment.pending = undefined;
        reject(new TimeoutError());
      }, timeoutMs);
      environment.pending = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      environment.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }
}

class TimeoutError extends Error {}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The interpreter's own path, so that each environment starts without a version manager's shim. */
function resolvePython(command: string): string {
  const probe = spawnSync(command, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  const executable = probe.status === 0 ? probe.stdout.trim() : '';
  if (!executable) throw new Error(`could not run ${command} for the Lambda emulation: ${probe.error?.message ?? probe.stderr}`);
  return executable;
}

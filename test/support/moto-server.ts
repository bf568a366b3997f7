import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { killProcessGroup } from './process-group.js';

/**
 * A `moto_server` process for tests that talk to moto's AWS APIs (Step Functions with its strict ASL
 * parser, Lambda, …). Start one per suite in beforeAll and stop it in afterAll:
 *
 *   let moto: MotoServer;
 *   beforeAll(async () => { moto = await startMotoServer(); });
 *   afterAll(async () => { await moto?.stop(); });
 */
export interface MotoServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** POST /moto-api/config, e.g. `{ stepfunctions: { execute_state_machine: true } }`. */
  configure(config: Record<string, unknown>): Promise<void>;
  /** Call an AWS JSON-protocol API (Step Functions, …) and return the status and parsed body. */
  awsJson(target: string, body: unknown, options?: AwsJsonOptions): Promise<AwsJsonResponse>;
  /** Stop the process (SIGTERM, then SIGKILL) and wait until it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** The last `outputLimit` characters the server wrote (stdout and stderr): request lines, tracebacks. */
  output(): string;
  /** Whether the process has exited. */
  exited(): boolean;
}

export interface AwsJsonOptions {
  /** Signing service name in the Authorization header; moto routes requests by it. @default 'states' */
  readonly service?: string;
  /** @default '1.0' */
  readonly protocolVersion?: '1.0' | '1.1';
}

export interface AwsJsonResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The raw body text, for error messages. */
  readonly text: string;
}

export const MOTO_SERVER_COMMAND = 'moto_server';

/** Whether `moto_server` is on PATH (checked without starting Python, which takes a second or two). */
export function motoServerAvailable(command = MOTO_SERVER_COMMAND): boolean {
  return findOnPath(command) !== undefined;
}

/** Whether suites on moto run here: with moto_server on PATH, or under CI, where its absence must fail them loudly. */
export function motoSuitesRun(): boolean {
  return motoServerAvailable() || Boolean(process.env.CI);
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StartMotoOptions {
  /** How long to wait for the server to answer. @default 30000 */
  readonly startupTimeoutMs?: number;
  /** Extra environment for the server process. */
  readonly env?: Record<string, string>;
  /** How much of the server's output to keep for error messages and output(). @default 8000 */
  readonly outputLimit?: number;
}

/**
 * Start `moto_server` on a fresh free port and wait until http://127.0.0.1:PORT/moto-api/ answers.
 * Throws a clear error when the command is missing or the server does not come up.
 */
export async function startMotoServer(options: StartMotoOptions = {}): Promise<MotoServer> {
  if (!motoServerAvailable()) {
    throw new Error(
      `'${MOTO_SERVER_COMMAND}' was not found on PATH. Install moto with its server extra (pip install 'moto[server]'), ` +
        'which these tests use to check state machine definitions with the Step Functions parser.',
    );
  }
  let lastError: unknown;
  // A port picked as free can be taken before the server binds it; try a few fresh ones.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) throw error;
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function launch(port: number, options: StartMotoOptions): Promise<MotoServer> {
  const url = `http://127.0.0.1:${port}`;
  // Own process group, so stop() also ends anything the command itself started (e.g. a pyenv shim's child).
  const child = spawn(MOTO_SERVER_COMMAND, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', ...options.env },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-(options.outputLimit ?? 8_000));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exit = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    child.on('error', (error) => {
      spawnError = error;
      exited ??= { code: null, signal: null };
      resolve();
    });
  });
  // If the test process ends without afterAll (a crash, a timeout), do not leave the server behind.
  const onExit = () => killProcessGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return exit;
    stopped = true;
    process.removeListener('exit', onExit);
    if (exited) return;
    killProcessGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killProcessGroup(child, 'SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop();
      if (spawnError) throw new Error(`could not start ${MOTO_SERVER_COMMAND}: ${spawnError.message}`);
      const message = `${MOTO_SERVER_COMMAND} exited (code ${exited.code}, signal ${exited.signal}) before answering on port ${port}:\n${output}`;
      throw /address already in use/i.test(output) ? new PortInUseError(message) : new Error(message);
    }
    try {
      const response = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        await response.arrayBuffer();
        break;
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${MOTO_SERVER_COMMAND} did not answer on ${url}/moto-api/ within ${options.startupTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await sleep(100);
  }

  return {
    port,
    url,
    pid: child.pid ?? -1,
    stop,
    output: () => output,
    exited: () => exited !== undefined,
    async configure(config) {
      const response = await fetch(`${url}/moto-api/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST /moto-api/config answered ${response.status}: ${text}`);
    },
    async awsJson(target, body, opts = {}) {
      const service = opts.service ?? 'states';
      const response = await fetch(`${url}/`, {
        method: 'POST',
        headers: {
          'Content-Type': `application/x-amz-json-${opts.protocolVersion ?? '1.0'}`,
          'X-Amz-Target': target,
          Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=x`,
        },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: Record<string, unknown>;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { raw: text };
      }
      return { status: response.status, body: parsed, text };
    },
  };
}

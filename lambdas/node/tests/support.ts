import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { DirectoryStore, References, type PayloadStore } from '../ork/payload-store.js';
import { invoke } from '../ork/runtime.js';
import { ListSink } from '../ork/sink.js';
import type { OrkTask } from '../ork/task.js';
import { startMotoServer, type MotoServer } from '../../../test/support/moto-server.js';
import { ROOT } from '../../../test/support/workflows.js';

export const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:wf:run-1';

/** A version-1 payload as the compiled machine builds it (docs/payload.md); the Python tests' make_payload. */
export function makePayload(task = 't', fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { ork: 1, workflow: 'wf', task, execution_id: EXECUTION, attempt: 0, params: {}, inputs: {}, parallel_index: 0, parallel_count: 1, ...fields };
}

export interface Invocation {
  readonly output?: unknown;
  readonly error?: unknown;
  readonly logs: Record<string, unknown>[];
  readonly metrics: Record<string, unknown>[];
}

/** runtime.invoke with list sinks (as the local worker has) and a directory store unless one is given. */
export async function run(task: OrkTask, payload: Record<string, unknown> = makePayload(), store?: PayloadStore): Promise<Invocation> {
  const logs = new ListSink();
  const metrics = new ListSink();
  const references = new References(store ?? new DirectoryStore(path.join(tmpdir(), 'ork-node-sdk-tests')));
  try {
    const output = await invoke(payload, task, { references, logSink: logs, metricSink: metrics });
    return { output, logs: logs.records, metrics: metrics.records };
  } catch (error) {
    return { error, logs: logs.records, metrics: metrics.records };
  }
}

/** Like run, but throws the task's error. */
export async function runOk(task: OrkTask, payload?: Record<string, unknown>, store?: PayloadStore): Promise<Invocation> {
  const result = await run(task, payload, store);
  if (result.error !== undefined) throw result.error;
  return result;
}

/**
 * process.env as it was before each test, restored after it: the SDK reads its settings (ORK_*, AWS_*) from the
 * environment, and a test that sets one must not leak it into the next.
 */
export function restoreEnvironmentAfterEach(): void {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    process.env = saved;
  });
}

/** AWS settings that reach moto and nothing else: none of this machine's profiles, config or credentials. */
export function motoAwsEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/ork-test-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ork-test-aws-credentials',
  };
}

export interface MotoS3 {
  readonly moto: MotoServer;
  /** A client of moto's S3, with its test credentials. */
  readonly client: S3Client;
}

/**
 * moto's S3 for the tests of a describe block: started, with `bucket` created, before them and stopped after;
 * each test runs with motoAwsEnv and `env` in process.env (no AWS_PROFILE or AWS_SESSION_TOKEN), restored after it.
 * The answer is for use inside tests and hooks, once beforeAll has run.
 */
export function useMotoS3(bucket: string, env: Record<string, string> = {}): () => MotoS3 {
  let started: MotoS3 | undefined;
  restoreEnvironmentAfterEach();
  beforeAll(async () => {
    const moto = await startMotoServer();
    const client = new S3Client({
      endpoint: moto.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    started = { moto, client };
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }, 60_000);
  afterAll(async () => {
    await started?.moto.stop();
  });
  beforeEach(() => {
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    Object.assign(process.env, motoAwsEnv(started!.moto.url), env);
  });
  return () => {
    if (!started) throw new Error('moto did not start');
    return started;
  };
}

/** Runs Python with this checkout's SDK importable; returns stdout, throws with stderr on failure. */
export function python(code: string, env: NodeJS.ProcessEnv = {}, input?: string): string {
  const result = spawnSync(process.env.ORK_PYTHON ?? 'python3', ['-c', code], {
    input,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: [path.join(ROOT, 'lambdas', 'python'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), ...env },
  });
  if (result.status !== 0) throw new Error(`python failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

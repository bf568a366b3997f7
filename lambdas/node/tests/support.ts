import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DirectoryStore, References, type PayloadStore } from '../../lambdas/node/ork/payload-store.js';
import { invoke } from '../../lambdas/node/ork/runtime.js';
import { ListSink } from '../../lambdas/node/ork/sink.js';
import type { OrkTask } from '../../lambdas/node/ork/task.js';
import { ROOT } from '../support/workflows.js';

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

export function temporaryDirectory(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
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

export interface TaskCounts {
  instances: number;
  succeeded: number;
  failed: number;
  retried: number;
  seconds: number;
  peakRunning: number;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The --json summary. */
  readonly json: { status: string; runId: string; outputs: Record<string, unknown>; tasks: Record<string, TaskCounts>; error?: { error: string; message: string } };
  /** The run's folder (.ork/runs/<runId> under ORK_RUNS_DIR). */
  readonly runDir: string;
}

/**
 * `ork run DIR --json` through bin/ork.js (or `bin`, e.g. a project's node_modules/ork/bin/ork.js), with runs
 * recorded under `runsDir`; started in `cwd` (default: DIR's parent).
 */
export function runWorkflowCli(dir: string, runsDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, options: { cwd?: string; bin?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? path.join(ROOT, 'bin', 'ork.js'), 'run', dir, '--json', ...args], {
      cwd: options.cwd ?? path.dirname(dir),
      env: { ...process.env, CI: '1', NO_COLOR: '1', ORK_RUNS_DIR: runsDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        const json = JSON.parse(stdout) as CliRun['json'];
        resolve({ code, stdout, stderr, json, runDir: path.join(runsDir, json.runId) });
      } catch {
        reject(new Error(`ork run ${dir} --json did not print one JSON object (exit ${code}).\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}

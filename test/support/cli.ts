import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, expect } from 'vitest';
import { ROOT } from './workflows.js';

/** Running the `ork` command line (bin/ork.js) from tests, as a user would, on workflows the tests write. */

/** bin/ork.js of this checkout. */
export const ORK_BIN = path.join(ROOT, 'bin', 'ork.js');

/**
 * A scratch folder for the tests of a file (or a describe block): made before them, removed after. The answer
 * is for use inside tests and hooks, once beforeAll has run.
 */
export function useScratchDirectory(prefix: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error(`no scratch folder ${prefix}: beforeAll has not run`);
    return dir;
  };
}

/** A workflow folder `root/name` with its files (paths relative to it, workflow.yaml among them) and a tasks/ folder. */
export function writeWorkflowDirectory(root: string, name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From start to exit. */
  readonly seconds: number;
}

/** A started `ork`: its output piped, no input. */
export type OrkProcess = ChildProcessByStdio<null, Readable, Readable>;

/** `ork <args>` started in `cwd`, with CI and NO_COLOR set (no prompts, plain text) over this process's environment. */
export function startOrk(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): OrkProcess {
  return spawn(process.execPath, [ORK_BIN, ...args], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What a started `ork` prints, and its exit code, once it has ended; `started` is when it was started. */
export function finished(child: OrkProcess, started = performance.now()): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

/** `ork <args>` run to its end (startOrk's settings). */
export function runOrk(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = performance.now();
  return finished(startOrk(args, cwd, env), started);
}

/** A usage error: exit 2, nothing on stdout, `ork: error: …` and at most a hint line. */
export function expectUsageError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ork: error: /);
  expect(lines[0]).toMatch(message);
  expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
}

/** The one JSON object `--json` prints on stdout; an error showing both streams when it is not there. */
export function parseJsonOutput<T>(result: Pick<CliResult, 'code' | 'stdout' | 'stderr'>): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`--json did not print one JSON object (exit ${result.code})\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** The records of a JSON Lines file of a run (attempts.jsonl, logs/<task>.jsonl, metrics.jsonl). */
export function jsonLines<T = Record<string, unknown>>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

export interface TaskCounts {
  instances: number;
  succeeded: number;
  failed: number;
  retried: number;
  seconds: number;
  peakRunning: number;
  /** Once the run ended: succeeded, failed, tolerated, skipped or cancelled. */
  status?: string;
}

/** The `ork run --json` summary: the fields most tests read. */
export interface RunSummaryJson {
  status: string;
  runId: string;
  outputs: Record<string, unknown>;
  tasks: Record<string, TaskCounts>;
  error?: { error: string; message: string; task?: string; instance?: string };
}

export interface CliRun<J extends { readonly runId: string } = RunSummaryJson> {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The --json summary. */
  readonly json: J;
  /** The run's folder (.ork/runs/<runId> under ORK_RUNS_DIR). */
  readonly runDir: string;
}

export interface RunWorkflowOptions {
  /** Where ork starts (default: the workflow folder's parent). */
  readonly cwd?: string;
  /** The ork to run (default bin/ork.js of this checkout), e.g. a project's node_modules/ork/bin/ork.js. */
  readonly bin?: string;
  /** The environment the run's settings are added to (default: this process's); a test of what ork reads from it passes its own. */
  readonly baseEnv?: NodeJS.ProcessEnv;
}

/**
 * `ork run DIR --json …args` with runs recorded under `runsDir`, CI and NO_COLOR set: the one way tests run a
 * workflow locally and read its summary. Rejects, showing both streams, when stdout is not one JSON object.
 */
export async function runWorkflowCli<J extends { readonly runId: string } = RunSummaryJson>(
  dir: string,
  runsDir: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  options: RunWorkflowOptions = {},
): Promise<CliRun<J>> {
  const child = spawn(process.execPath, [options.bin ?? ORK_BIN, 'run', dir, '--json', ...args], {
    cwd: options.cwd ?? path.dirname(dir),
    env: { ...(options.baseEnv ?? process.env), CI: '1', NO_COLOR: '1', ORK_RUNS_DIR: runsDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await finished(child);
  const json = parseJsonOutput<J>(result);
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, json, runDir: path.join(runsDir, json.runId) };
}

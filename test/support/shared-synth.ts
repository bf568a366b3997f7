import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';

/**
 * Something expensive that several test files read, built once per test run: a CDK synth costs ~10 s or more
 * on a two-core machine, and vitest runs each test file in a process of its own, so a module-level cache
 * would build it once per file. The first process to ask claims the entry (mkdir is atomic) and builds it;
 * the others wait for its result, which is written to a temporary file and renamed into place, so a reader
 * never sees half of it. Entries live in the run's folder (shared-synth-setup.ts, vitest's globalSetup), keyed
 * by name and a hash of what is built, and go when the run ends: a later run builds afresh.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of this test run's shared builds, made and removed by shared-synth-setup.ts. */
    orkSharedSynthDir: string;
  }
}

export interface SharedBuild<T> {
  readonly value: T;
  /** The folder the build ran in, which lives as long as the test run. */
  readonly workdir: string;
  /** This process built it (false: it read another process's result). */
  readonly built: boolean;
}

const RESULT = 'result.json';
const OWNER = 'owner.json';
const POLL_MS = 250;

/**
 * The result of `build(workdir)` for this run: built here if no other process has claimed it, else read from the
 * process that did, waiting up to `timeoutMs` for it. `inputs` are whatever decides what is built (the text of
 * the modules that build it, say): the entry is keyed by their hash. The value must survive JSON.
 */
export async function sharedBuild<T>(name: string, inputs: unknown, build: (workdir: string) => T | Promise<T>, timeoutMs = 600_000): Promise<SharedBuild<T>> {
  const hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  const entry = path.join(runDirectory(), `${name}-${hash}`);
  const workdir = path.join(entry, 'work');
  let claimed = false;
  try {
    mkdirSync(entry);
    claimed = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (claimed) {
    writeFileSync(path.join(entry, OWNER), JSON.stringify({ pid: process.pid }));
    mkdirSync(workdir);
    let outcome: { value: T } | { error: string };
    try {
      outcome = { value: await build(workdir) };
    } catch (error) {
      outcome = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    // Written before it is thrown: the processes waiting for it fail at once instead of at their timeout.
    const partial = path.join(entry, `${RESULT}.${process.pid}.tmp`);
    writeFileSync(partial, JSON.stringify(outcome));
    renameSync(partial, path.join(entry, RESULT));
    if ('error' in outcome) throw new Error(`${name}: building it failed: ${outcome.error}`);
    return { value: outcome.value, workdir, built: true };
  }
  const outcome = await waitForResult<T>(entry, name, timeoutMs);
  if ('error' in outcome) throw new Error(`${name}: the process that built it failed: ${outcome.error}`);
  return { value: outcome.value, workdir, built: false };
}

async function waitForResult<T>(entry: string, name: string, timeoutMs: number): Promise<{ value: T } | { error: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = path.join(entry, RESULT);
    if (existsSync(result)) return JSON.parse(readFileSync(result, 'utf8')) as { value: T } | { error: string };
    const owner = ownerOf(entry);
    // A builder that died (killed, out of memory) writes no result: say so rather than wait for the timeout.
    if (owner !== undefined && !alive(owner) && !existsSync(result))
      throw new Error(`${name}: process ${owner}, which was building it, ended without a result`);
    if (Date.now() > deadline) throw new Error(`${name}: no result after ${timeoutMs / 1000} s from the process building it (${entry})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function ownerOf(entry: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(entry, OWNER), 'utf8')) as { pid: number }).pid;
  } catch {
    // Not written yet (claimed a moment ago), or being written.
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let fallback: string | undefined;

/**
 * The run's folder from globalSetup; without it (a config that does not register shared-synth-setup.ts) a
 * folder of this process's own, removed when it exits: correct, only not shared.
 */
function runDirectory(): string {
  const provided = inject('orkSharedSynthDir');
  if (provided) return provided;
  if (fallback === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ork-shared-synth-'));
    fallback = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return fallback;
}

import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { findExecutable } from './worker-reaper.js';

/** The interpreter behind a version manager's shim, and what the shim's `exec` would put first on PATH. */
export interface ResolvedInterpreter {
  readonly command: string;
  /** The interpreter's own bin folder, which `pyenv exec` / `asdf exec` put first on PATH; absent when not a shim. */
  readonly binDir?: string;
}

/** The beginning of a shim of pyenv or asdf: a shell script that runs `<manager> exec <program>`. */
const SHIM = /^#!.*\n[\s\S]*\b(pyenv|asdf)"?\s+exec\b/;

function head(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(2048);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function executableOf(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, ['-c', 'import sys; print(sys.executable)'], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      const executable = output.trim();
      resolve(code === 0 && path.isAbsolute(executable) ? executable : undefined);
    });
  });
}

/**
 * `python` itself, or, when it is a pyenv or asdf shim, the interpreter the shim picks for `cwd`. A shim runs
 * several shell scripts on every start (about 0.25 s of CPU here): twice per worker (its reaper, then the
 * worker), so a run of 8 workers spent 4 s of CPU choosing the same interpreter 16 times. Resolved once per
 * run, in the workers' folder and environment (the shim reads .python-version from there), it is the same
 * choice. Any other launcher or wrapper script is left as it is: it may set what the tasks need.
 */
export async function resolveVersionManagerShim(python: string, env: NodeJS.ProcessEnv, cwd: string): Promise<ResolvedInterpreter> {
  const found = findExecutable(python, env);
  if (!found) return { command: python };
  let text: string;
  try {
    text = head(found);
  } catch {
    return { command: python };
  }
  if (!SHIM.test(text)) return { command: python };
  const executable = await executableOf(found, env, cwd);
  return executable ? { command: executable, binDir: path.dirname(executable) } : { command: python };
}

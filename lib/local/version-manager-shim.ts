import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { isProbeFailure, probeInterpreter } from './python-interpreter.js';
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
  // A shim that fails leaves the command as it is: the worker's start then reports why.
  const probed = await probeInterpreter(found, env, cwd);
  return isProbeFailure(probed) ? { command: python } : { command: probed.executable, binDir: path.dirname(probed.executable) };
}

import { spawn } from 'node:child_process';
import path from 'node:path';

/** What a Python interpreter says of itself. */
export interface PythonInterpreter {
  /** sys.executable: the interpreter itself, not a launcher or a version manager's shim in front of it. */
  readonly executable: string;
  /** sys.version. */
  readonly version: string;
  /** When the interpreter is itself a virtual environment: its site-packages, which --system-site-packages does not reach. */
  readonly venvSitePackages: readonly string[];
}

/** The probe did not answer: the command did not start, failed, or printed no absolute sys.executable. */
export interface ProbeFailure {
  /** One line: the spawn error, else the last line the command printed. */
  readonly why: string;
}

// Run in the workflow folder, whose files (a task named json.py) must not stand in for the standard
// library: `-c` puts the current folder first on sys.path, so it is taken off before any import.
const PROBE = `import sys
if sys.path and sys.path[0] == "": del sys.path[0]
import json, site
venv = sys.prefix != sys.base_prefix
print(json.dumps({"executable": sys.executable, "version": sys.version, "venvSitePackages": site.getsitepackages() if venv else []}))`;

/** A shim's shell scripts and an interpreter's start take well under a second; a hung one must not hang ork. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Asks `python` what it is, in one start: the version-manager-shim resolution reads `executable`, the
 * requirements.txt environment all of it. A version manager's shim picks the interpreter from the folder it
 * runs in (.python-version), so `cwd` is the folder whose choice is wanted.
 */
export function probeInterpreter(python: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<PythonInterpreter | ProbeFailure> {
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', PROBE], { env, ...(cwd ? { cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => resolve({ why: error.message }));
    child.on('close', (code) => {
      const failed = (): ProbeFailure => ({ why: lastLine(`${stdout}\n${stderr}`) || `exit code ${code}` });
      if (code !== 0) return resolve(failed());
      try {
        // The last line: a sitecustomize or a shim may print before it.
        const answer = JSON.parse(lastLine(stdout)) as PythonInterpreter;
        resolve(typeof answer.executable === 'string' && path.isAbsolute(answer.executable) ? answer : failed());
      } catch {
        resolve(failed());
      }
    });
  });
}

export function isProbeFailure(result: PythonInterpreter | ProbeFailure): result is ProbeFailure {
  return 'why' in result;
}

function lastLine(output: string): string {
  return output.trim().split('\n').pop()?.trim() ?? '';
}

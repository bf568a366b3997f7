import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProbeFailure, probeInterpreter, type PythonInterpreter } from './python-interpreter.js';

/**
 * A workflow's requirements.txt for `ork run`: its packages installed once into a virtual environment under
 * `<workflow>/.ork/venv/<key>/`, whose python then runs the workflow's python workers. The key is a hash of
 * the file's content and of the interpreter (its path and version), so the environment is reused while both
 * stay the same and a new one is made when either changes (the old ones are removed then).
 *
 * The environment is made with `--system-site-packages`: what the interpreter has installed stays
 * importable, as it is for a workflow without requirements.txt (the SDK's pydantic above all, with no index
 * needed for it), and a package that pip cannot find can also be installed into the interpreter itself.
 * pip comes from the interpreter too (`--without-pip`: a second of set-up instead of ten), and is installed
 * into the environment only when the interpreter has none. pip runs in the workflow folder, so relative
 * paths in requirements.txt mean the workflow folder (as at deploy), and with the user's pip configuration
 * (pip.conf, PIP_* variables) untouched: the same index as any other pip install.
 *
 * Two `ork run`s at once: the environment is built in place (a venv cannot be moved: scripts name their
 * own path) by whoever takes the lock `<key>.lock/` first; the other waits for it, then reuses it. A lock
 * whose process is gone (Ctrl-C, a crash) is taken over, and a half-built environment without its marker
 * file is built again.
 */

/** Why a workflow's requirements cannot be installed: one line saying what is missing and how to fix it. */
export class PythonRequirementsError extends Error {
  override readonly name = 'PythonRequirementsError';
}

export interface RequirementsEnvironment {
  /** The environment's python: the python workers' command. */
  readonly python: string;
  /** The environment's folder. */
  readonly dir: string;
  /** Whether this call built it (false: reused). */
  readonly created: boolean;
}

export interface RequirementsOptions {
  readonly workflowDir: string;
  /** The interpreter the environment is based on (ORK_PYTHON, else python3). */
  readonly python: string;
  /** The environment of pip and python (PIP_* included). */
  readonly env?: NodeJS.ProcessEnv;
  /** Told once, before the environment is built; and when another run is building it. */
  readonly progress?: (line: string) => void;
}

export const REQUIREMENTS_FILE = 'requirements.txt';
/** Written last into a complete environment: what it was built from. */
const MARKER = '.ork-requirements.json';
/** A lock without its owner file is the owner's first moments; after this long it is a leftover. */
const OWNERLESS_LOCK_MS = 30_000;
const POLL_MS = 200;

/** The environment for the workflow's requirements.txt, built now if need be; undefined without the file. */
export async function requirementsEnvironment(options: RequirementsOptions): Promise<RequirementsEnvironment | undefined> {
  const requirements = path.join(options.workflowDir, REQUIREMENTS_FILE);
  if (!existsSync(requirements)) return undefined;
  const env = options.env ?? process.env;
  const interpreter = await describeInterpreter(options.python, env, options.workflowDir);
  const key = createHash('sha256')
    .update(readFileSync(requirements))
    .update('\0')
    .update(interpreter.executable)
    .update('\0')
    .update(interpreter.version)
    .digest('hex')
    .slice(0, 16);
  const root = path.join(options.workflowDir, '.ork', 'venv');
  const dir = path.join(root, key);
  const python = venvPython(dir);
  if (existsSync(path.join(dir, MARKER))) return { python, dir, created: false };

  mkdirSync(root, { recursive: true });
  const lock = `${dir}.lock`;
  let told = false;
  while (!takeLock(lock)) {
    if (existsSync(path.join(dir, MARKER))) return { python, dir, created: false };
    if (!told) options.progress?.(`waiting for another ork run to finish installing ${REQUIREMENTS_FILE} into ${path.relative(options.workflowDir, dir)}`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    // Built by the run that held the lock before us.
    if (existsSync(path.join(dir, MARKER))) return { python, dir, created: false };
    options.progress?.(
      `installing ${REQUIREMENTS_FILE} into a virtual environment, ` +
        `${path.relative(options.workflowDir, dir)} (once; again only when ${REQUIREMENTS_FILE} ` +
        `changes)`,
    );
    rmSync(dir, { recursive: true, force: true });
    try {
      await build(dir, interpreter, options.workflowDir, env);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const marker = {
      requirements: createHash('sha256').update(readFileSync(requirements)).digest('hex'),
      python: interpreter.executable,
      version: interpreter.version,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(path.join(dir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    removeOthers(root, key);
    return { python, dir, created: true };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * The interpreter the environment is based on. Asked in the workflow folder, where the workers run: a pyenv
 * or asdf shim picks its interpreter from the .python-version there (version-manager-shim.ts asks there too).
 */
async function describeInterpreter(python: string, env: NodeJS.ProcessEnv, workflowDir: string): Promise<PythonInterpreter> {
  const probed = await probeInterpreter(python, env, workflowDir);
  if (isProbeFailure(probed)) {
    throw new PythonRequirementsError(
      `${REQUIREMENTS_FILE} needs a Python interpreter to install into, and '${python}' did not ` +
        `run (${probed.why}): install Python 3, or set ORK_PYTHON to one`,
    );
  }
  return probed;
}

async function build(dir: string, interpreter: PythonInterpreter, workflowDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const venv = await run(interpreter.executable, ['-m', 'venv', '--system-site-packages', '--without-pip', dir], { env });
  if (venv.spawnError || venv.code !== 0)
    throw new PythonRequirementsError(
      `cannot create a virtual environment for ${REQUIREMENTS_FILE} with ` +
        `${interpreter.executable} -m venv: ${venv.spawnError?.message ?? lastLine(venv.output)}`,
    );
  const python = venvPython(dir);
  if (interpreter.venvSitePackages.length > 0) {
    const purelib = await run(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { env });
    writeFileSync(path.join(purelib.output.trim(), 'ork-interpreter.pth'), `${interpreter.venvSitePackages.join('\n')}\n`);
  }
  const pipEnv = { ...env, PIP_DISABLE_PIP_VERSION_CHECK: env.PIP_DISABLE_PIP_VERSION_CHECK ?? '1', PIP_NO_INPUT: env.PIP_NO_INPUT ?? '1' };
  if ((await run(python, ['-m', 'pip', '--version'], { env: pipEnv })).code !== 0) {
    const ensurepip = await run(python, ['-m', 'ensurepip', '--default-pip'], { env: pipEnv });
    if (ensurepip.code !== 0) {
      throw new PythonRequirementsError(
        `${REQUIREMENTS_FILE} needs pip, and ${interpreter.executable} has none: install pip for ` +
          `it (${interpreter.executable} -m ensurepip, or your system's python3-pip package)`,
      );
    }
  }
  const pip = await run(python, ['-m', 'pip', 'install', '-r', REQUIREMENTS_FILE], { env: pipEnv, cwd: workflowDir });
  if (pip.spawnError || pip.code !== 0) throw new PythonRequirementsError(pipFailure(pip.spawnError?.message ?? pip.output, interpreter.executable));
}

/** pip's failure as one line: the packages no index had, else pip's own ERROR lines. */
export function pipFailure(output: string, python: string): string {
  const missing = [...new Set([...output.matchAll(/No matching distribution found for (\S+)/g)].map((m) => m[1]!))];
  if (missing.length > 0) {
    const them = missing.length === 1 ? 'it' : 'them';
    return (
      `cannot install ${REQUIREMENTS_FILE}: pip found no ${missing.join(', ')} on the package indexes it can reach. ` +
      `Fix: let pip reach an index that has ${them} (pip.conf, PIP_INDEX_URL or PIP_FIND_LINKS), ` +
      `or install ${them} into the interpreter (${python} -m pip install ${missing.join(' ')})`
    );
  }
  const errors = output
    .split('\n')
    .filter((line) => line.startsWith('ERROR:'))
    .map((line) => line.replace(/^ERROR:\s*/, '').trim());
  return `cannot install ${REQUIREMENTS_FILE}: pip failed: ${(errors.length > 0 ? errors.join('; ') : lastLine(output)) || 'no output'}`;
}

function venvPython(dir: string): string {
  return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}

/** mkdir is atomic: whoever creates the lock folder holds it, and leaves its pid and host in it. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!isLeftover(lock)) return false;
    // Moved aside first: of two runs that both found it left over, only one removes it.
    const aside = `${lock}.${randomUUID()}`;
    try {
      renameSync(lock, aside);
    } catch {
      return false;
    }
    rmSync(aside, { recursive: true, force: true });
    return takeLock(lock);
  }
  writeFileSync(path.join(lock, 'owner'), `${process.pid} ${os.hostname()}\n`);
  return true;
}

/** A lock whose process has ended on this machine, or that never got its owner file. */
function isLeftover(lock: string): boolean {
  let owner: string;
  try {
    owner = readFileSync(path.join(lock, 'owner'), 'utf8');
  } catch {
    try {
      return Date.now() - statSync(lock).mtimeMs > OWNERLESS_LOCK_MS;
    } catch {
      return false;
    }
  }
  const [pid, host] = owner.trim().split(' ');
  if (host !== os.hostname()) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The environments of earlier requirements (or interpreters): only the newest is used. Locked ones are being built. */
function removeOthers(root: string, key: string): void {
  const entries = readdirSync(root);
  for (const name of entries) {
    if (name === key || name.includes('.lock') || entries.includes(`${name}.lock`)) continue;
    rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

interface RunResult {
  readonly code: number | null;
  /** stdout and stderr together. */
  readonly output: string;
  readonly spawnError?: Error;
}

function run(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (spawnError) => resolve({ code: null, output, spawnError }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function lastLine(output: string): string {
  return output.trim().split('\n').pop()?.trim() ?? '';
}

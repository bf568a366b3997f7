import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pythonSdkPath } from '../package-root.js';
import { OrkDeployError, registerDeployError } from './synth-error.js';

/**
 * What a python function's code needs beyond the workflow folder and the `ork` package: the SDK's own
 * dependencies (pydantic and what it needs) and the workflow's requirements.txt, built for the function's
 * runtime and architecture. Lambda's Python runtime ships the standard library and the AWS SDK (boto3,
 * botocore) only, so everything else must be in the asset.
 */

/** The Lambda target a python asset is built for. */
export interface PythonTarget {
  /** Lambda's runtime name, e.g. `python3.11`. */
  readonly runtime: string;
  /** `3.11` */
  readonly pythonVersion: string;
  /** pip's `--platform`: Lambda runs Amazon Linux 2023 (glibc 2.34), which manylinux2014 wheels fit. */
  readonly platform: string;
  /** `arm64` or `x86_64`, Lambda's names. */
  readonly architecture: string;
}

export function pythonTarget(runtime: string, architecture: 'arm64' | 'x86_64'): PythonTarget {
  return {
    runtime,
    pythonVersion: runtime.replace(/^python/, ''),
    platform: architecture === 'arm64' ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64',
    architecture,
  };
}

/**
 * The SDK's runtime dependencies, as lambdas/python/pyproject.toml declares them (their one source), with
 * those of the named extras (`aws`: boto3, which Lambda's runtime ships but a container image must install).
 */
export function pythonSdkRequirements(extras: readonly string[] = []): string[] {
  const file = path.join(pythonSdkPath(), 'pyproject.toml');
  const pyproject = readFileSync(file, 'utf8');
  const lists = [
    /^dependencies\s*=\s*\[([^\]]*)\]/m.exec(pyproject),
    ...extras.map((extra) => new RegExp(`^${extra}\\s*=\\s*\\[([^\\]]*)\\]`, 'm').exec(pyproject)),
  ];
  return lists.flatMap((list, i) => {
    if (!list) throw new Error(`no ${i === 0 ? 'dependencies' : `optional dependency ${extras[i - 1]}`} = [...] in ${file}`);
    return [...list[1]!.matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) => (m[1] ?? m[2])!);
  });
}

/** pip could not produce the packages for the target, and Docker cannot either. */
export class PythonDependenciesError extends OrkDeployError {}
registerDeployError(PythonDependenciesError.name);

export interface InstallResult {
  readonly ok: boolean;
  /** What pip could not find (`pydantic-core==2.46.5`), when that is why it failed. */
  readonly missing: readonly string[];
  /** pip's own ERROR lines, for any other failure. */
  readonly errors: readonly string[];
}

/**
 * Installs `requirements` (and `-r` files) into `targetDir` for the Lambda target with local pip:
 * binary wheels only (`--only-binary=:all:`: a source build would compile for this machine, not Lambda's),
 * from whatever index the user's pip is configured with (pip.conf, PIP_* variables). No .pyc files: they
 * are compiled afterwards when this machine's Python is the target's (compileForTarget).
 */
export function pipInstall(target: PythonTarget, args: readonly string[], targetDir: string, cwd: string): InstallResult {
  const pip = spawnSync(
    pythonCommand(),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--no-compile',
      '--target',
      targetDir,
      '--platform',
      target.platform,
      '--implementation',
      'cp',
      '--python-version',
      target.pythonVersion,
      '--only-binary=:all:',
      '--upgrade',
      ...args,
    ],
    { cwd, encoding: 'utf8', env: { ...process.env, PIP_NO_INPUT: '1', PIP_ROOT_USER_ACTION: 'ignore' } },
  );
  if (pip.error) return { ok: false, missing: [], errors: [`could not run ${pythonCommand()} -m pip: ${pip.error.message}`] };
  if (pip.status === 0) return { ok: true, missing: [], errors: [] };
  const output = `${pip.stderr}\n${pip.stdout}`;
  const missing = [...new Set([...output.matchAll(/No matching distribution found for (\S+)/g)].map((m) => m[1]!))];
  const errors = output
    .split('\n')
    .filter((line) => line.startsWith('ERROR:'))
    .map((line) => line.replace(/^ERROR:\s*/, ''));
  return { ok: false, missing, errors: errors.length > 0 ? errors : [output.trim().split('\n').slice(-3).join(' ')] };
}

/**
 * The SDK's dependencies for a target, installed once per machine and target into a cache folder (they
 * are the same for every workflow without a requirements.txt), then copied into each asset.
 */
export function cachedSdkDependencies(target: PythonTarget): { dir: string } | { failure: InstallResult } {
  const requirements = pythonSdkRequirements();
  const key = createHash('sha256')
    .update(JSON.stringify([requirements, target]))
    .digest('hex')
    .slice(0, 16);
  const root = path.join(cacheRoot(), 'python-deps');
  const dir = path.join(root, `${target.runtime}-${target.architecture}-${key}`);
  if (existsSync(path.join(dir, '.complete'))) return { dir };
  // Built aside and renamed into place, so that two synths at once never see half a folder.
  const staging = path.join(root, `.staging-${randomUUID()}`);
  mkdirSync(staging, { recursive: true });
  const result = pipInstall(target, requirements, staging, root);
  if (!result.ok) {
    rmSync(staging, { recursive: true, force: true });
    return { failure: result };
  }
  mkdirSync(path.join(staging, '.complete'));
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another synth finished the same folder first: theirs is as good.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(path.join(dir, '.complete'))) throw error;
  }
  return { dir };
}

/** Copies a cached dependency folder into an asset (without the cache's own marker). */
export function copyDependencies(from: string, outputDir: string): void {
  cpSync(from, outputDir, { recursive: true, filter: (source) => path.basename(source) !== '.complete' });
}

/**
 * Compiles the asset's modules to .pyc when this machine's Python is the target's. Lambda's code folder is
 * read-only, so without them every cold start compiles pydantic and the tasks again (the bench measures
 * it). `unchecked-hash` pycs are deterministic (no source timestamps) and trusted without a stat, as fits
 * code that never changes once deployed.
 */
export function compileForTarget(target: PythonTarget, outputDir: string): boolean {
  if (localPythonVersion() !== target.pythonVersion) return false;
  const result = spawnSync(pythonCommand(), ['-m', 'compileall', '-q', '-j', '0', '--invalidation-mode', 'unchecked-hash', outputDir], { encoding: 'utf8' });
  return result.status === 0;
}

let localVersion: string | undefined;

function localPythonVersion(): string {
  localVersion ??=
    spawnSync(pythonCommand(), ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return localVersion;
}

function pythonCommand(): string {
  return process.env.ORK_PYTHON ?? 'python3';
}

/** Where Ork keeps what it builds once per machine: $XDG_CACHE_HOME/ork, else ~/.cache/ork. */
export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'ork');
}

/** Whether a Docker engine answers (the client alone is not enough: bundling needs `docker run`). */
export function dockerEngineRunning(): boolean {
  const probe = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
  return probe.status === 0 && probe.stdout.trim() !== '';
}

/** The one line synth stops with when neither local pip nor Docker can build a python function's code. */
export function dependenciesErrorMessage(workflow: string, target: PythonTarget, result: InstallResult): string {
  const what =
    result.missing.length > 0
      ? `pip found no ${target.platform} wheels for cp${target.pythonVersion.replace('.', '')} of ${result.missing.join(', ')}`
      : `pip failed: ${result.errors.join('; ')}`;
  return (
    `cannot build the python code of workflow ${workflow} for ${target.runtime} on ` +
    `${target.architecture}: ${what}, and Docker (the fallback) is not running. ` +
    `Fix: start Docker, let pip reach a package index that has these wheels (pip.conf, PIP_INDEX_URL or PIP_FIND_LINKS), ` +
    `or choose a runtime and architecture your index has (e.g. -c pythonRuntime=python3.11 -c architecture=x86_64).`
  );
}

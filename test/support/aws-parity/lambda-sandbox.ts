import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The file system a Lambda function sees, reproduced with a private mount namespace (`unshare -m`, as root):
 * its code at /var/task and the runtime at /var/runtime, both read-only; every other mount read-only too;
 * /tmp a private tmpfs of the function's ephemeral storage size, the only place it can write. What the
 * interpreter can import is the code folder, the AWS SDK that Lambda's runtime ships and the standard
 * library — never this machine's site-packages or the repository's sources.
 */

export const LAMBDA_TASK_ROOT = '/var/task';
export const LAMBDA_RUNTIME_DIR = '/var/runtime';

/** Variables Lambda sets in every environment whatever the function (its Environment comes beneath). */
export const LAMBDA_FIXED_ENVIRONMENT: Readonly<Record<string, string>> = {
  LAMBDA_TASK_ROOT,
  LAMBDA_RUNTIME_DIR,
  PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
  PYTHONUNBUFFERED: '1',
};

/**
 * The AWS SDK that Lambda's Python runtime ships (boto3 and what it imports), linked from this machine's
 * interpreter into the runtime folder's `python/`: a task may use boto3 without bundling it, as on Lambda.
 */
const LAMBDA_PYTHON_PACKAGES = ['boto3', 'botocore', 's3transfer', 'jmespath', 'dateutil', 'six', 'urllib3'];

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A folder standing for /var/runtime: the runtime scripts and the AWS SDK for Python. */
export function prepareRuntimeDirectory(python: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ork-lambda-runtime-'));
  for (const script of ['lambda_runtime.py', 'lambda_runtime.mjs']) copyFileSync(path.join(HERE, script), path.join(dir, script));
  const site = path.join(dir, 'python');
  mkdirSync(site);
  const probe = spawnSync(
    python,
    [
      '-c',
      'import importlib.util, json, sys; print(json.dumps({n: importlib.util.find_spec(n) and ' +
        '(importlib.util.find_spec(n).submodule_search_locations or ' +
        '[importlib.util.find_spec(n).origin])[0] for n in sys.argv[1:]}))',
      ...LAMBDA_PYTHON_PACKAGES,
    ],
    { encoding: 'utf8' },
  );
  if (probe.status !== 0) throw new Error(`parity harness: could not locate boto3 for the Lambda runtime: ${probe.stderr}`);
  const locations = JSON.parse(probe.stdout) as Record<string, string | null>;
  for (const [name, location] of Object.entries(locations)) {
    if (!location) throw new Error(`parity harness: ${name} (shipped by Lambda's Python runtime) is not installed for ${python}`);
    symlinkSync(location, path.join(site, path.basename(location)));
  }
  return dir;
}

/**
 * Run as `sh -c LAUNCHER ork-lambda CODE RUNTIME TMP_MB COMMAND…` inside `unshare --mount`: mounts, then
 * execs the runtime (same pid, so signals and the process group reach it).
 */
const LAUNCHER = `set -e
code=$1; runtime=$2; tmp_mb=$3; shift 3
mount --bind "$code" ${LAMBDA_TASK_ROOT}
mount -o remount,bind,ro ${LAMBDA_TASK_ROOT}
mount --bind "$runtime" ${LAMBDA_RUNTIME_DIR}
mount -o remount,bind,ro ${LAMBDA_RUNTIME_DIR}
awk '{print $2}' /proc/self/mounts | while read -r point; do
  case "$point" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|${LAMBDA_TASK_ROOT}|${LAMBDA_RUNTIME_DIR}) ;; *) mount -o remount,bind,ro "$point" 2>/dev/null || true ;; esac
done
mount -t tmpfs -o "size=\${tmp_mb}m,mode=1777" tmpfs /tmp
cd ${LAMBDA_TASK_ROOT}
exec "$@"`;

export interface SandboxOptions {
  /** The function's code: its synthesized asset folder. */
  readonly code: string;
  /** The folder made by prepareRuntimeDirectory. */
  readonly runtime: string;
  /** Size of the private /tmp. */
  readonly tmpMb: number;
}

/** The command that runs `command` in the function's sandbox. */
export function isolatedCommand(command: readonly string[], options: SandboxOptions): { file: string; args: string[] } {
  ensureSandboxAvailable();
  return {
    file: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      LAUNCHER,
      'ork-lambda',
      options.code,
      options.runtime,
      String(options.tmpMb),
      ...command,
    ],
  };
}

let checked = false;

/** The mount points must exist on the host; unshare and mount need root (or CAP_SYS_ADMIN). */
function ensureSandboxAvailable(): void {
  if (checked) return;
  for (const dir of [LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR]) if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', `mount -t tmpfs tmpfs ${LAMBDA_TASK_ROOT}`], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    throw new Error(
      `parity harness: the Lambda sandbox needs a private mount namespace (root: unshare -m, ` +
        `mount --bind): ${(probe.stderr || probe.error?.message || '').trim()}`,
    );
  }
  checked = true;
}

/**
 * Startup of the installed CLI: `ork validate` on an example, run as a user runs it, from the package that
 * `npm pack` makes, installed (`npm install --prefer-offline <tarball>`) into a temporary project whose
 * node_modules/ork is made read-only. Its wall time (process start to exit) is printed as a multiple of
 * `node -e 0` measured in the same run, beside the same command from this checkout (bin/ork.js with its bundle
 * cached). The package's files are listed before and after: one written beside the CLI is reported.
 *
 * Run alone with `npx tsx bench/run.ts installed-cli`. `ORK_BENCH_TARBALL=path.tgz` skips the `npm pack`
 * (which builds dist/ first, about a minute on two cores).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = 'foreach-aggregate';
/** Issue 18: the installed `ork validate` starts within 5× a bare `node -e 0`. */
const TARGET_RATIO = 5;
const RUNS = 9;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function npm(args: readonly string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return result.stdout;
}

/** Every file and folder under `dir` with its size and modification time, to tell whether a run wrote there. */
function listing(dir: string): string {
  return readdirSync(dir, { recursive: true })
    .map((entry) => {
      const stat = statSync(path.join(dir, String(entry)));
      return `${String(entry)} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort()
    .join('\n');
}

function makeReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true })) {
    const full = path.join(dir, String(entry));
    chmodSync(full, statSync(full).mode & ~0o222);
  }
  chmodSync(dir, statSync(dir).mode & ~0o222);
}

/** Median wall time of `node args` in `cwd` over RUNS runs after one warm-up; throws when it fails. */
function timed(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const once = (): number => {
    const started = performance.now();
    const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env });
    if (child.status !== 0) throw new Error(`node ${args.join(' ')} exits with ${child.status ?? 'a signal'}: ${child.stderr.trim().split('\n')[0] ?? ''}`);
    return performance.now() - started;
  };
  once();
  return median(Array.from({ length: RUNS }, once));
}

export async function run(): Promise<void> {
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
  const work = mkdtempSync(path.join(tmpdir(), 'ork-bench-installed-'));
  const ork = path.join(work, 'project', 'node_modules', 'ork');
  try {
    let tarball = process.env.ORK_BENCH_TARBALL;
    if (!tarball) {
      const started = performance.now();
      const name = npm(['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop() ?? '';
      tarball = path.join(work, name);
      console.log(`npm pack (build included): ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const project = path.join(work, 'project');
    cpSync(path.join(ROOT, 'examples', EXAMPLE), path.join(project, EXAMPLE), { recursive: true, filter: (f) => !f.includes(`${path.sep}.ork`) });
    writeFileSync(path.join(project, 'package.json'), '{ "name": "bench-project", "private": true }\n');
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', path.resolve(tarball)], project);
    makeReadOnly(ork);
    const before = listing(ork);
    // A cache of the user's own, as on a fresh machine: the installed CLI needs none.
    const env = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: path.join(work, 'cache') };

    const base = timed(['-e', '0'], project, env);
    const installed = timed([path.join(ork, 'bin', 'ork.js'), 'validate', EXAMPLE], project, env);
    const checkout = timed([path.join(ROOT, 'bin', 'ork.js'), 'validate', path.join('examples', EXAMPLE)], ROOT, process.env);
    const line = (label: string, ms: number): string => `  ${label.padEnd(44)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / base).toFixed(1)}× node -e 0`;
    console.log(`wall time, process start to exit (median of ${RUNS} after one warm-up)`);
    console.log(line('node -e 0 (baseline)', base));
    console.log(
      `${line('installed ork validate (read-only package)', installed)}   target ≤ ${TARGET_RATIO}×: ${installed / base <= TARGET_RATIO ? 'met' : 'MISSED'}`,
    );
    console.log(line('checkout bin/ork.js validate (cached bundle)', checkout));
    const after = listing(ork);
    console.log(`  files of the installed package: ${after === before ? 'unchanged by the runs' : 'CHANGED by the runs (something writes beside the CLI)'}`);
  } finally {
    // Writable again, or rmSync cannot remove it as a user other than root.
    spawnSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Deployed python code: synth time of every example with its dependencies bundled (the SDK's pydantic and
 * each requirements.txt, pip for python3.11 on x86_64 from the local wheel index), first with an empty
 * dependency cache, then again with it warm; and the cold start of a python function from its synthesized
 * asset — `python -I -S` importing `ork.lambda_handler` and loading the task module, as Lambda's runtime does
 * at init — in CPU seconds, beside a bare `python -I -S -c pass` in the same run.
 *
 * Run alone with `npx tsx bench/deploy-code.ts`, or with the others through `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { findWorkflowDirectories, OrkWorkflowStack, stackNameFor } from '../lib/deploy/index.js';
import { useLocalWheelIndex } from '../test/support/wheel-index.js';
import { Environment } from '../lambdas/contract/contract.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Lambda bills init time: the SDK and pydantic must import in well under this. */
const TARGET_COLD_IMPORT_CPU_S = 1.5;
const REPEATS = 5;

function synthExamples(cacheHome: string): { seconds: number; outdir: string } {
  process.env.XDG_CACHE_HOME = cacheHome;
  const outdir = mkdtempSync(path.join(tmpdir(), 'ork-bench-synth-'));
  const started = performance.now();
  const app = new App({ outdir });
  for (const directory of findWorkflowDirectories(path.join(ROOT, 'examples'))) {
    new OrkWorkflowStack(app, stackNameFor(path.basename(directory)), {
      workflow: directory,
      pythonRuntime: lambda.Runtime.PYTHON_3_11,
      architecture: lambda.Architecture.X86_64,
    });
  }
  app.synth();
  return { seconds: (performance.now() - started) / 1000, outdir };
}

/** CPU seconds (user + system) of one interpreter run, measured by the interpreter itself at its end. */
function cpuSeconds(asset: string, code: string, flags: string[] = []): number {
  const script = `${code}\nimport resource\nr = resource.getrusage(resource.RUSAGE_SELF)\nprint(r.ru_utime + r.ru_stime)`;
  const result = spawnSync('python3', ['-I', '-S', ...flags, '-c', script], {
    cwd: asset,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [Environment.taskFile]: 'tasks/process.py', LAMBDA_TASK_ROOT: asset },
  });
  if (result.status !== 0) throw new Error(`python3 -I -S failed in ${asset}: ${result.stderr}`);
  return Number(result.stdout.trim().split('\n').pop());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  useLocalWheelIndex();
  console.log(
    `   load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const cache = mkdtempSync(path.join(tmpdir(), 'ork-bench-cache-'));
  const previousCache = process.env.XDG_CACHE_HOME;
  try {
    const cold = synthExamples(cache);
    const warm = synthExamples(cache);
    const examples = findWorkflowDirectories(path.join(ROOT, 'examples')).length;
    console.log(
      `   synth of ${examples} examples (python3.11, x86_64): empty dependency cache ${cold.seconds.toFixed(1)} s, warm ${warm.seconds.toFixed(1)} s`,
    );

    const asset = readdirSync(warm.outdir)
      .filter((entry) => entry.startsWith('asset.'))
      .map((entry) => path.join(warm.outdir, entry))
      .find(
        (dir) =>
          existsSync(path.join(dir, 'ork', 'lambda_handler.py')) && existsSync(path.join(dir, 'tasks', 'process.py')) && existsSync(path.join(dir, 'pydantic')),
      );
    if (!asset) throw new Error('no python asset with tasks/process.py among the examples');
    const init = [
      'import sys',
      `sys.path[:0] = [${JSON.stringify(asset)}]`,
      'import ork.lambda_handler',
      'from ork.loader import load_task',
      `load_task(${JSON.stringify(path.join(asset, 'tasks', 'process.py'))}, ${JSON.stringify(asset)})`,
    ].join('\n');
    const bare: number[] = [];
    const coldImports: number[] = [];
    const uncompiled: number[] = [];

    for (let i = 0; i < REPEATS; i++) {
      bare.push(cpuSeconds(asset, 'pass'));
      coldImports.push(cpuSeconds(asset, init));
      // As on a runtime other than this machine's Python: no usable .pyc, and none written (Lambda cannot
      // write them either): a fresh, empty cache prefix each time.
      uncompiled.push(cpuSeconds(asset, init, ['-X', `pycache_prefix=${path.join(cache, `no-pycache-${i}`)}`]));
    }
    const handler = median(coldImports);
    const baseline = median(bare);
    console.log(
      `   cold import from the asset (ork.lambda_handler + pydantic + the task module), median ` +
        `of ${REPEATS}: ${handler.toFixed(3)} s CPU; bare python -I -S -c pass ` +
        `${baseline.toFixed(3)} s (${(handler / baseline).toFixed(1)}×); target < ` +
        `${TARGET_COLD_IMPORT_CPU_S} s`,
    );
    console.log(`   the same without the asset's .pyc files (a runtime other than the building machine's Python): ${median(uncompiled).toFixed(3)} s CPU`);
    rmSync(cold.outdir, { recursive: true, force: true });
    rmSync(warm.outdir, { recursive: true, force: true });
  } finally {
    if (previousCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previousCache;
    rmSync(cache, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

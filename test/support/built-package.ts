import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './workflows.js';

/**
 * This checkout's dist/ (`npm run build`), built when it is missing: what a project that depends on the checkout
 * type-checks its tasks against (package.json `exports` name the declaration files in dist/). `npm test` builds it
 * before the suites; this serves a test file run alone.
 */
export function ensurePackageBuilt(): void {
  if (existsSync(path.join(ROOT, 'dist', 'lambdas', 'node', 'ork', 'index.d.ts'))) return;
  const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}

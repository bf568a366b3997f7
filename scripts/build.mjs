#!/usr/bin/env node
// `npm run build` (and `prepack`): what the npm package runs, so that an install needs no build step:
// - dist/ from `tsc -p tsconfig.build.json`: the compiler, lib/, the Node SDK, the contract and the CDK app as
//   ES modules with declaration files and source maps (sources inlined: the package ships no .ts);
// - dist/cli/: the CLI as one esbuild bundle (split at its dynamic imports), which bin/ork.js loads: it starts
//   in about half the time of the same modules loaded one by one, and an installed CLI built here never writes
//   beside itself (bin/cli-bundle.js builds one on demand only in a checkout). Its maps name the sources,
//   whose text dist/'s own maps hold.
import { spawnSync } from 'node:child_process';
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBuildOptions } from '../bin/cli-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
// Built beside dist/ (at its depth, so the maps' relative paths hold) and swapped in at the end: a test that reads
// dist/ while `npm pack` rebuilds it sees the old build or the new one, never a half-written or missing one.
const staging = path.join(root, `.dist-${process.pid}`);

try {
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', staging],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) {
    console.error('build: tsc -p tsconfig.build.json failed');
    rmSync(staging, { recursive: true, force: true });
    process.exit(tsc.status ?? 1);
  }
  const { build } = await import('esbuild');
  await build({ ...cliBuildOptions(path.join(staging, 'cli')), sourcemap: 'linked', sourcesContent: false });
  const old = `${staging}-old`;
  try {
    renameSync(dist, old);
  } catch (error) {
    if (error?.code !== 'ENOENT') throw error;
  }
  renameSync(staging, dist);
  rmSync(old, { recursive: true, force: true });
  console.log(`build: ${path.relative(process.cwd(), dist) || '.'}/ written`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}

#!/usr/bin/env node
// `npm run build` (and `prepack`): what the npm package runs, so that an install needs no build step:
// - dist/ from `tsc -p tsconfig.build.json`: the compiler, lib/, the Node SDK, the contract and the CDK app as
//   ES modules with declaration files and source maps (sources inlined: the package ships no .ts);
// - dist/cli/: the CLI as one esbuild bundle (split at its dynamic imports), which bin/ork.js loads: it starts
//   in about half the time of the same modules loaded one by one, and an installed CLI built here never writes
//   beside itself (bin/cli-bundle.js builds one on demand only in a checkout). Its maps name the sources,
//   whose text dist/'s own maps hold.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliBuildOptions } from '../bin/cli-bundle.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build: tsc -p tsconfig.build.json failed');
  process.exit(tsc.status ?? 1);
}
const { build } = await import('esbuild');
await build({ ...cliBuildOptions(path.join(dist, 'cli')), sourcemap: 'linked', sourcesContent: false });
console.log(`build: ${path.relative(process.cwd(), dist) || '.'}/ written`);

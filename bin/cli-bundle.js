// Starts the CLI from a cached esbuild bundle of the TypeScript sources: a fresh clone needs no build step,
// and `ork validate` starts in about half the time that transpiling on every run (tsx) takes.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// lambdas/contract: the runtime contract's facts, which the compiler and the local engine import.
const SOURCE_DIRS = ['lib', 'compiler', path.join('lambdas', 'contract')];
const ENTRY = path.join(root, 'lib', 'cli', 'main.ts');
const CACHE = path.join(root, 'node_modules', '.cache', 'ork-cli');

function newestSourceTime() {
  let newest = statSync(path.join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  return newest;
}

async function build(outdir) {
  const { build } = await import('esbuild');
  const staging = `${outdir}.${process.pid}.tmp`;
  await build({
    entryPoints: [ENTRY],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  // Another ork process may have built the same sources meanwhile (test files start many at once): the first
  // rename wins, and a folder that another process may be importing from is never replaced or removed.
  try {
    renameSync(staging, outdir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Bundles of older sources, left a while for processes that may still be loading their chunks. */
function removeStale(current) {
  const hour = 60 * 60 * 1000;
  for (const entry of readdirSync(CACHE)) {
    const full = path.join(CACHE, entry);
    try {
      if (entry !== current && Date.now() - statSync(full).mtimeMs > hour) rmSync(full, { recursive: true, force: true });
    } catch {
      // removed by another process
    }
  }
}

/** The CLI's main module: the bundle when it can be had, else the TypeScript sources through tsx. */
export async function loadCli() {
  try {
    // One folder per state of the sources, named by their newest modification time.
    const version = String(Math.floor(newestSourceTime()));
    const outdir = path.join(CACHE, version);
    const bundle = path.join(outdir, 'main.js');
    if (!existsSync(bundle)) {
      mkdirSync(CACHE, { recursive: true });
      await build(outdir);
      removeStale(version);
    }
    return await import(pathToFileURL(bundle).href);
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return await import(pathToFileURL(ENTRY).href);
  }
}

// The CLI's main module. An installed package runs dist/cli/main.js, built by `npm run build` (prepack). A checkout
// runs a bundle of its TypeScript sources, built on demand by esbuild and rebuilt when a source is newer: a fresh
// clone needs no build step, and `ork validate` starts in about half the time that transpiling on every run (tsx)
// takes. That bundle is kept in the user's cache ($XDG_CACHE_HOME/ork/cli, else ~/.cache, else the temporary
// folder), never beside the package: a package folder may be read-only, or shared by several users.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// lambdas/contract: the runtime contract's facts, which the compiler and the local engine import.
const SOURCE_DIRS = ['lib', 'compiler', path.join('lambdas', 'contract')];
const ENTRY = path.join(root, 'lib', 'cli', 'main.ts');
/** The CLI that `npm run build` wrote (scripts/build.mjs). */
const BUILT = path.join(root, 'dist', 'cli', 'main.js');

/**
 * esbuild's options for a bundle of the CLI in `outdir`. `packageRoot` is compiled into a bundle that lies outside
 * the package (lib/package-root.ts cannot find the package by walking up from there).
 */
export function cliBuildOptions(outdir, packageRoot) {
  return {
    entryPoints: [ENTRY],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: packageRoot ? { ORK_BUNDLED_PACKAGE_ROOT: JSON.stringify(packageRoot) } : {},
    logLevel: 'silent',
  };
}

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

/** The cache folders to try, in order: one per checkout (two clones never share a bundle). */
function cacheDirs() {
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const bases = [process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), os.tmpdir()];
  return bases.map((base) => path.join(base, 'ork', 'cli', checkout));
}

/**
 * A cache folder whose `node_modules` is the checkout's: the bundle leaves packages external, and Node finds them
 * by walking up from the bundle.
 */
function prepareCache(cache) {
  mkdirSync(cache, { recursive: true });
  const modules = path.join(cache, 'node_modules');
  if (!existsSync(modules)) {
    try {
      symlinkSync(path.join(root, 'node_modules'), modules, 'junction');
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
    }
  }
}

async function build(outdir) {
  const { build } = await import('esbuild');
  const staging = `${outdir}.${process.pid}.tmp`;
  await build({ ...cliBuildOptions(staging, root), sourcemap: 'inline' });
  // Another ork process may have built the same sources meanwhile (test files start many at once): the first
  // rename wins, and a folder that another process may be importing from is never replaced or removed.
  try {
    renameSync(staging, outdir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Bundles of older sources, left a while for processes that may still be loading their chunks. */
function removeStale(cache, current) {
  const hour = 60 * 60 * 1000;
  for (const entry of readdirSync(cache)) {
    const full = path.join(cache, entry);
    try {
      if (entry !== current && entry !== 'node_modules' && Date.now() - statSync(full).mtimeMs > hour) rmSync(full, { recursive: true, force: true });
    } catch {
      // removed by another process
    }
  }
}

async function cachedBundle() {
  // One folder per state of the sources, named by their newest modification time.
  const version = String(Math.floor(newestSourceTime()));
  let lastError;
  for (const cache of cacheDirs()) {
    const bundle = path.join(cache, version, 'main.js');
    try {
      if (!existsSync(bundle)) {
        prepareCache(cache);
        await build(path.join(cache, version));
        removeStale(cache, version);
      }
      return await import(pathToFileURL(bundle).href);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** The CLI's main module: the built one in an install, else a cached bundle of the sources, else the sources through tsx. */
export async function loadCli() {
  // A checkout has the sources: they win over a dist/ that may be older.
  if (!existsSync(ENTRY)) return await import(pathToFileURL(BUILT).href);
  try {
    return await cachedBundle();
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    return await import(pathToFileURL(ENTRY).href);
  }
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Set by bin/cli-bundle.js in a bundle it builds outside the package (a checkout's CLI, kept in the user's cache). */
declare const ORK_BUNDLED_PACKAGE_ROOT: string | undefined;

/**
 * The package condition (package.json `exports`) that selects the TypeScript sources of `ork/task` and
 * `ork/deploy` instead of dist/: a checkout runs from its sources, which dist/ may be older than.
 */
export const SOURCE_CONDITION = 'ork-source';

let cached: string | undefined;
let sources: boolean | undefined;

/**
 * The directory of Ork's package.json. Found by walking up, because this module runs from its source (lib/), from
 * dist/lib/ and dist/cli/ in an install, and from a checkout's CLI bundle in the user's cache (which is told).
 */
export function packageRoot(): string {
  if (cached) return cached;
  if (typeof ORK_BUNDLED_PACKAGE_ROOT === 'string') return (cached = ORK_BUNDLED_PACKAGE_ROOT);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (pkg.name === 'ork') return (cached = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the ork package root');
    dir = parent;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Whether the package runs from its TypeScript sources (a checkout: lib/ and lambdas/node/ork/ hold .ts files)
 * or from dist/ (an install: the npm package ships compiled files only). Whatever Ork starts or bundles (the
 * node worker, the Node SDK in a Lambda bundle, `ork/task` of a task file) comes from the same side, so a task
 * and the SDK running it never are two copies of one module.
 */
export function runsFromSources(): boolean {
  sources ??= existsSync(path.join(packageRoot(), 'lambdas', 'node', 'ork', 'index.ts'));
  return sources;
}

/** The folder of a file of the package that a checkout has as TypeScript and an install as dist/…/*.js. */
export function compiledPath(...parts: string[]): string {
  return runsFromSources() ? path.join(packageRoot(), ...parts) : path.join(packageRoot(), 'dist', ...parts);
}

/** A module of the package by its source name (`worker.ts`): itself in a checkout, its compiled `.js` in an install. */
export function moduleFile(...parts: string[]): string {
  const file = compiledPath(...parts);
  return runsFromSources() ? file : file.replace(/\.ts$/, '.js');
}

/** The Python SDK (`import ork`) shipped with this package. */
export function pythonSdkPath(): string {
  return path.join(packageRoot(), 'lambdas', 'python');
}

/** The Node SDK's local worker (lambdas/node/ork/worker.ts, or its compiled worker.js). */
export function nodeWorkerPath(): string {
  return moduleFile('lambdas', 'node', 'ork', 'worker.ts');
}

/** tsx's ESM loader as a file URL, for `node --import`: found from Ork's package, wherever the task runs. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(path.join(packageRoot(), 'package.json')).resolve('tsx/esm')).href;
}

/**
 * `node` arguments that start the local node worker: tsx (task files may be TypeScript, in an install too) and,
 * from a checkout, the condition under which `ork/task` is the SDK's sources the worker itself runs from.
 */
export function nodeWorkerArgs(): string[] {
  return [...(runsFromSources() ? [`--conditions=${SOURCE_CONDITION}`] : []), '--import', tsxLoaderUrl(), nodeWorkerPath()];
}

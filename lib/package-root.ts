import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

let cached: string | undefined;

/**
 * The directory of Ork's package.json. Found by walking up, because this module runs both from its
 * source (lib/) and from the CLI bundle (node_modules/.cache/ork-cli/).
 */
export function packageRoot(): string {
  if (cached) return cached;
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

/** The Python SDK (`import ork`) shipped with this package. */
export function pythonSdkPath(): string {
  return path.join(packageRoot(), 'lambdas', 'python');
}

/** The Node SDK's local worker (lambdas/node/ork/worker.ts). */
export function nodeWorkerPath(): string {
  return path.join(packageRoot(), 'lambdas', 'node', 'ork', 'worker.ts');
}

/** tsx's ESM loader as a file URL, for `node --import`: found from Ork's package, wherever the task runs. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(path.join(packageRoot(), 'package.json')).resolve('tsx/esm')).href;
}

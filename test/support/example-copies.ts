import { copyFileSync, cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES_DIR } from './workflows.js';

/** Copies of the examples that the suites running them end to end make in a scratch folder, and the files a copy holds. */

/** examples/<name> copied to `root`/examples/<as>, without what earlier runs left in it (.ork/). */
export function copyExample(root: string, name: string, as = name): string {
  const target = path.join(root, 'examples', as);
  cpSync(path.join(EXAMPLES_DIR, name), target, { recursive: true, filter: (source) => path.basename(source) !== '.ork' });
  return target;
}

/**
 * A copy of foreach-aggregate (or its node twin) whose day holds 12 files, not 3: more than its `concurrency: 8`,
 * so that the cap is reached.
 */
export function copyForeachAggregateWide(root: string, name: string): string {
  const wide = copyExample(root, name, `${name}-wide`);
  const raw = path.join(wide, 'data', 'raw', '2024-01-15');
  for (const file of readdirSync(raw)) for (const copy of [2, 3, 4]) copyFileSync(path.join(raw, file), path.join(raw, file.replace('.csv', `-${copy}.csv`)));
  return wide;
}

/** Every file under `dir`, relative, sorted; __pycache__ (Python's own, and skipped where it cannot write) aside. */
export function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes('__pycache__'))
    .sort();
}

import { StatePaths, type FanOutMap, type TaskManifest } from '../../compiler/index.js';

/**
 * The inline fan-out Maps, by state name, as the manifest records them. (Distributed Maps have become Tasks by
 * now, distributed-map-in-runner; their runner reports their size.)
 */
export function findFanOutMaps(manifest: TaskManifest): Map<string, FanOutMap> {
  const found = new Map<string, FanOutMap>();
  for (const task of manifest.tasks) for (const map of task.fanOut?.maps ?? []) if (map.mode === 'inline') found.set(map.state, map);
  return found;
}

/** Value at a reference path such as `$.results.discover.files`. */
export function valueAt(root: unknown, referencePath: string): unknown {
  let node = root;
  for (const segment of referencePath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** How many instances a fan-out Map will run, from its input: its items, times each element's workers (`$.ork.indexes`). */
export function fanOutSize(map: FanOutMap, input: unknown): number | undefined {
  const items = valueAt(input, map.items.path);
  if (!Array.isArray(items)) return undefined;
  if (map.grouping !== 'workers') return items.length;
  const indexes = valueAt(input, `${StatePaths.scratch}.indexes`);
  return Array.isArray(indexes) ? items.length * indexes.length : undefined;
}

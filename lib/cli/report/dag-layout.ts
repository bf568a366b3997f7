import type { TaskManifest } from '../../../compiler/index.js';

export interface PlacedNode {
  readonly task: string;
  readonly layer: number;
  readonly row: number;
}

/** Layers by longest path from the sources; inside a layer, file order. Enough for workflow-sized graphs. */
export function layoutDag(manifest: TaskManifest): { nodes: PlacedNode[]; layers: number; rows: number } {
  const layer = new Map<string, number>();
  const byName = new Map(manifest.tasks.map((t) => [t.name, t]));
  const depth = (name: string, seen = new Set<string>()): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (seen.has(name)) return 0;
    seen.add(name);
    const ups = byName.get(name)?.dependsOn ?? [];
    const value = ups.length === 0 ? 0 : Math.max(...ups.map((u) => depth(u, seen) + 1));
    layer.set(name, value);
    return value;
  };
  const rowsPerLayer = new Map<number, number>();
  const nodes = manifest.tasks.map((t) => {
    const l = depth(t.name);
    const row = rowsPerLayer.get(l) ?? 0;
    rowsPerLayer.set(l, row + 1);
    return { task: t.name, layer: l, row };
  });
  return { nodes, layers: Math.max(0, ...nodes.map((n) => n.layer)) + 1, rows: Math.max(1, ...rowsPerLayer.values()) };
}

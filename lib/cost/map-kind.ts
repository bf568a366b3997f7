import { ARRAY_RANGE_LIMIT, type MapState, type TaskManifestEntry } from '../../compiler/index.js';
import { nestedMaps } from './success-path.js';

/**
 * How a fan-out Map groups its instances, which decides what one "child" (one run of the ItemProcessor)
 * holds: one instance, a batch, a chunk of 1,000 indexes, or the workers of one element.
 */
export type Grouping = 'single' | 'batch' | 'chunk' | 'workers';

export interface MapKind {
  readonly mode: 'inline' | 'distributed';
  /** Distributed only: what each child execution is. */
  readonly children?: 'STANDARD' | 'EXPRESS';
  readonly grouping: Grouping;
  /** Task instances one run of the ItemProcessor serves. */
  readonly instancesPerChild: number;
  /** True when that count is only known at run time (foreach with `parallel: task.field`) and was assumed. */
  readonly instancesAssumed: boolean;
}

export interface KindOptions {
  /**
   * Workers per element when `foreach:` meets a run-time `parallel:` count. The fewer, the more the
   * per-element states weigh on each instance, so the default (1) gives the upper bound.
   */
  readonly perItemCount?: number;
}

export function classifyMap(map: MapState, task: TaskManifestEntry, options: KindOptions = {}): MapKind {
  const config = map.ItemProcessor.ProcessorConfig;
  const mode = config.Mode === 'INLINE' ? 'inline' : 'distributed';
  const children = config.Mode === 'DISTRIBUTED' ? { children: config.ExecutionType } : {};
  if (map.ItemBatcher) return { mode, ...children, grouping: 'batch', instancesPerChild: map.ItemBatcher.MaxItemsPerBatch, instancesAssumed: false };
  if (nestedMaps(map).length === 0) return { mode, ...children, grouping: 'single', instancesPerChild: 1, instancesAssumed: false };
  // A chunk's child is handed its first index; an element's workers are handed the element.
  if (map.ItemSelector && 'start.$' in map.ItemSelector) return { mode, ...children, grouping: 'chunk', instancesPerChild: ARRAY_RANGE_LIMIT, instancesAssumed: false };
  const parallel = task.fanOut?.parallel;
  if (typeof parallel === 'number') return { mode, ...children, grouping: 'workers', instancesPerChild: parallel, instancesAssumed: false };
  return { mode, ...children, grouping: 'workers', instancesPerChild: options.perItemCount ?? 1, instancesAssumed: true };
}

/** A short name for tables: "inline", "distributed EXPRESS, batches of 10". */
export function describeKind(kind: MapKind): string {
  const base = kind.mode === 'inline' ? 'inline' : `distributed ${kind.children ?? ''}`.trim();
  const n = kind.instancesPerChild.toLocaleString('en-US');
  switch (kind.grouping) {
    case 'single':
      return base;
    case 'batch':
      return `${base}, batches of ${n}`;
    case 'chunk':
      return `${base}, chunks of ${n}`;
    case 'workers':
      return `${base}, ${kind.instancesAssumed ? `${n} (assumed)` : n} workers per element`;
  }
}

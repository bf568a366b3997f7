import type { FanOutGrouping, FanOutMap } from '../../compiler/index.js';

/** What one child of a fan-out Map holds and what it runs as: the manifest's record, with a run-time count assumed. */
export interface MapKind {
  readonly mode: 'inline' | 'distributed';
  /** Distributed only: what each child execution is. */
  readonly children?: 'STANDARD' | 'EXPRESS';
  readonly grouping: FanOutGrouping;
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

/** The kind of a fan-out Map, as emit recorded it in the manifest (a chunk is a chunk because emit built one). */
export function mapKindOf(record: FanOutMap, options: KindOptions = {}): MapKind {
  const children = record.executionType !== undefined ? { children: record.executionType } : {};
  const assumed = record.instancesPerChild === undefined;
  return {
    mode: record.mode,
    ...children,
    grouping: record.grouping,
    instancesPerChild: record.instancesPerChild ?? options.perItemCount ?? 1,
    instancesAssumed: assumed,
  };
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

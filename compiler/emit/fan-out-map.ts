import type { FailureTolerance } from '../model/index.js';

/**
 * How a fan-out Map groups its instances, which decides what one child (one run of the ItemProcessor)
 * holds: one instance, a batch (`batch_size`), a chunk of 1,000 indexes (`parallel:` above 1,000), or the
 * workers of one element (`foreach:` with `parallel:`).
 */
export type FanOutGrouping = 'single' | 'batch' | 'chunk' | 'workers';

/** Where a fan-out Map takes its items from. */
export type FanOutItems =
  /** A list in the state (ItemsPath). */
  | { readonly from: 'state'; readonly path: string }
  /** A list the upstream runtime stored (ItemReader), through the `ork_items` reference at this path. */
  | { readonly from: 'stored'; readonly path: string };

/**
 * What emit decided for one Map state that fans a task out, recorded in the manifest where it was decided, so
 * that cost, explain, the local engine, the deploy and the cloud client read it instead of recognising it in
 * the ASL. A task has one per Map kind its machine may take (docs/scale.md, "Compiled shapes").
 */
export interface FanOutMap {
  readonly task: string;
  /** The Map state's name (unique in the machine). */
  readonly state: string;
  /** The names of the Parallel states that lead to it, then its own (walkStates' path). */
  readonly path: readonly string[];
  readonly mode: 'inline' | 'distributed';
  /** Distributed only: what each child execution is. */
  readonly executionType?: 'STANDARD' | 'EXPRESS';
  readonly grouping: FanOutGrouping;
  /**
   * Task instances one child serves: 1, the batch size, 1,000 for a chunk, the static count per element;
   * absent when only the run knows it (`foreach:` with `parallel: task.field`).
   */
  readonly instancesPerChild?: number;
  /** A chunk's or an element's workers: the inline Map inside each child that runs its instances. */
  readonly workers?: { readonly state: string; readonly maxConcurrency?: number };
  /** The Map's MaxConcurrency, when it has one. */
  readonly maxConcurrency?: number;
  /** Failed instances the fan-out tolerates: by the Map's ToleratedFailure* (distributed) or a Catch and a check after it (inline). */
  readonly toleratedFailures?: FailureTolerance;
  readonly items: FanOutItems;
  /** Distributed: where ResultWriter writes the children's results (the payload bucket's placeholder, a key prefix). */
  readonly resultWriter?: { readonly bucket: string; readonly prefix: string };
}

/** Where a workflow's Distributed Maps write their results (ResultWriter Prefix), docs/scale.md. */
export function resultsPrefix(workflow: string): string {
  return `ork-results/${workflow}/`;
}

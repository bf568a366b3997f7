import { INLINE_MAP_CONCURRENCY, type MapState, type TaskManifest, type TaskManifestEntry } from '../../compiler/index.js';
import { PRICES } from './prices.js';

/**
 * What a fan-out's instances read from S3 on AWS for the stored data they are handed (issue 13). Every
 * instance's payload carries its upstream outputs; when an upstream feeds a distributed `foreach:`, its list
 * is stored and the output holds an `ork_items` reference to it, so each instance is handed that reference.
 * Whether the instance then GETs the list depends on the task, not on the machine:
 *
 * - `not-read`: the task does not read the field — a typed Input that leaves the upstream out, or a Python
 *   task without a model that never reads it (the SDK reads a stored field on first use): no GET.
 * - `once-per-worker`: the task reads it (a typed Input that declares the upstream, a dict it reads), or a
 *   Node task that takes every field (no schema, `z.any()`): one GET per warm Lambda container, then the
 *   runtime's cache answers (lambdas/python/ork/read_cache.py, lambdas/node/ork/read-cache.ts).
 * - `per-instance`: every instance GETs it — what both runtimes did for a task without a model before the
 *   fix, kept as the baseline.
 *
 * Containers: at most one per instance running at once, so the model takes `min(instances, MaxConcurrency)`
 * — for a Map without MaxConcurrency, Lambda's default concurrency per account and region (1,000), below the
 * Distributed Map's 10,000 children; an inline Map runs 40 at once. An upper bound: Lambda keeps fewer
 * containers when instances are short.
 */
export type InputReading = 'not-read' | 'once-per-worker' | 'per-instance';

/** Lambda's default concurrent executions per account and region; an inline Map's iterations at once. */
export const LAMBDA_DEFAULT_CONCURRENCY = 1_000;

/**
 * Reading time of one GET, an assumption of the model (not a price): S3's first-byte latency for an object
 * read from Lambda in the same region (~20 ms), and 20 MB/s for the stream and the JSON parse together.
 */
export const S3_READ = { firstByteSeconds: 0.02, bytesPerSecond: 20_000_000 } as const;

export interface StoredReads {
  /** Upstream outputs holding a stored list that each instance is handed. */
  readonly storedInputs: readonly string[];
  /** Lambda containers assumed: min(instances, the Map's concurrency). */
  readonly workers: number;
  /** GETs of stored inputs for the whole fan-out (the ItemReader's own read of the list is apart). */
  readonly gets: number;
  readonly getsPerInstance: number;
  /** Bytes read per instance on average, for a stored list of `storedBytes`. */
  readonly bytesPerInstance: number;
  /** Time spent reading (and parsing) per instance on average (S3_READ). */
  readonly readSecondsPerInstance: number;
  readonly usd: number;
}

/** Upstream tasks whose output holds a stored list: the sources of a `foreach:` that may run distributed. */
export function storedSources(manifest: TaskManifest): Set<string> {
  const sources = new Set<string>();
  for (const task of manifest.tasks) {
    const foreach = task.fanOut?.foreach;
    if (foreach && task.fanOut?.kinds.distributed) sources.add(foreach.split('.')[0] ?? foreach);
  }
  return sources;
}

/** The upstream tasks an instance of this Map is handed (its ItemSelector's or BatchInput's `inputs`). */
export function handedInputs(map: MapState): string[] {
  const template = (map.ItemBatcher?.BatchInput ?? map.ItemSelector ?? {}) as Record<string, unknown>;
  const inputs = template.inputs;
  if (inputs === null || typeof inputs !== 'object') return [];
  return Object.keys(inputs).map((key) => key.replace(/\.\$$/, ''));
}

export function storedInputReads(map: MapState, manifest: TaskManifest, instances: number, reading: InputReading, storedBytes = 0): StoredReads {
  const sources = storedSources(manifest);
  const storedInputs = handedInputs(map).filter((name) => sources.has(name));
  const distributed = map.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED';
  const concurrency = map.MaxConcurrency && map.MaxConcurrency > 0 ? map.MaxConcurrency : distributed ? LAMBDA_DEFAULT_CONCURRENCY : INLINE_MAP_CONCURRENCY;
  const workers = Math.min(instances, concurrency);
  const readsPerInput = reading === 'not-read' ? 0 : reading === 'once-per-worker' ? workers : instances;
  const gets = readsPerInput * storedInputs.length;
  const getsPerInstance = instances > 0 ? gets / instances : 0;
  const bytesPerInstance = getsPerInstance * storedBytes;
  return {
    storedInputs,
    workers,
    gets,
    getsPerInstance,
    bytesPerInstance,
    readSecondsPerInstance: getsPerInstance * S3_READ.firstByteSeconds + bytesPerInstance / S3_READ.bytesPerSecond,
    usd: gets * PRICES.s3GetUsd,
  };
}

/** What a task's input takes and reads of the upstream that holds the stored list. */
export type Signature = 'typed-without-upstream' | 'typed-with-upstream' | 'untyped-item-only' | 'untyped-reads-upstream';

/** How a task's instances read their stored inputs, from its executor and signature (see InputReading). */
export function readingOf(task: Pick<TaskManifestEntry, 'executor'>, signature: Signature): InputReading {
  if (signature === 'typed-without-upstream') return 'not-read';
  if (signature === 'untyped-item-only') return task.executor === 'node' ? 'once-per-worker' : 'not-read';
  return 'once-per-worker';
}

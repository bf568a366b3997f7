import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MapState, SubMachine } from '../../compiler/index.js';
import { LAMBDA_DEFAULT_CONCURRENCY, outermostMaps, PRICES, readingOf, storedInputReads, type Signature } from '../../lib/cost/index.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/**
 * Issue 13 in the cost model for AWS: what a fan-out's instances GET from S3 for the stored list they are
 * handed (lib/cost/stored-reads.ts). At 100,000 items an untyped task must cost — in S3 requests and in
 * time per instance — within 1.5× the typed one; reading the list once per instance, as the runtimes did
 * before, is far outside it.
 */

const compiled = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
const N = 100_000;
/** The stored list of a 100,000-file foreach: `["file-0.csv", …]`. */
const LIST_BYTES = Buffer.byteLength(JSON.stringify(Array.from({ length: N }, (_, i) => `file-${i}.csv`)));
/** A short task's own run time on Lambda, the model's assumption for the ratio. */
const TASK_SECONDS = 0.01;

function mapNamed(name: string): MapState {
  const found = outermostMaps(compiled.definition as SubMachine).find((m) => m.name === name);
  if (!found) throw new Error(`no Map ${name}`);
  return found.map;
}

function task(name: string) {
  const found = compiled.manifest.tasks.find((t) => t.name === name);
  if (!found) throw new Error(`no task ${name}`);
  return found;
}

const reads = (mapName: string, executor: 'python' | 'node', signature: Signature) =>
  storedInputReads(mapNamed(mapName), compiled.manifest, N, readingOf({ executor }, signature), LIST_BYTES);

describe('S3 reads of stored inputs (AWS cost model)', () => {
  it('finds the stored list each instance is handed: the foreach source, also in other fan-outs over its output', () => {
    expect(storedInputReads(mapNamed('each_file-distributed'), compiled.manifest, N, 'per-instance').storedInputs).toEqual(['make']);
    expect(storedInputReads(mapNamed('batched-distributed'), compiled.manifest, N, 'per-instance').storedInputs).toEqual(['make']);
    expect(storedInputReads(mapNamed('counted-distributed'), compiled.manifest, N, 'per-instance').storedInputs).toEqual(['make']);
    expect(task('each_file').fanOut?.foreach).toBe('make.files');
  });

  it('counts GETs: none when the task does not read the list, one per container when it does, not one per instance', () => {
    const typed = reads('each_file-distributed', 'python', 'typed-without-upstream');
    const pythonDict = reads('each_file-distributed', 'python', 'untyped-item-only');
    const nodeAny = reads('each_file-distributed', 'node', 'untyped-item-only');
    const readsIt = reads('each_file-distributed', 'python', 'untyped-reads-upstream');
    expect([typed.gets, pythonDict.gets]).toEqual([0, 0]);
    // No MaxConcurrency: Lambda's default concurrency bounds the containers.
    expect(nodeAny).toMatchObject({ workers: LAMBDA_DEFAULT_CONCURRENCY, gets: LAMBDA_DEFAULT_CONCURRENCY });
    expect(readsIt.gets).toBe(LAMBDA_DEFAULT_CONCURRENCY);
    // concurrency: 500 → at most 500 containers.
    expect(reads('batched-distributed', 'node', 'untyped-item-only')).toMatchObject({ workers: 500, gets: 500 });
    // The same at 1,000 and 100,000 items past the concurrency: a fixed number per fan-out.
    expect(storedInputReads(mapNamed('each_file-distributed'), compiled.manifest, 1_000_000, 'once-per-worker').gets).toBe(LAMBDA_DEFAULT_CONCURRENCY);
    // The baseline: every instance reads the whole list.
    const before = storedInputReads(mapNamed('each_file-distributed'), compiled.manifest, N, 'per-instance', LIST_BYTES);
    expect(before).toMatchObject({ gets: N, getsPerInstance: 1, bytesPerInstance: LIST_BYTES });
    expect(before.usd).toBeCloseTo(N * PRICES.s3GetUsd, 10);
  });

  it('an untyped 100,000-item foreach runs within 1.5× the typed one per instance; reading per instance did not', () => {
    const typed = TASK_SECONDS + reads('each_file-distributed', 'python', 'typed-without-upstream').readSecondsPerInstance;
    const ratio = (seconds: number): number => (TASK_SECONDS + seconds) / typed;
    expect(ratio(reads('each_file-distributed', 'python', 'untyped-item-only').readSecondsPerInstance)).toBe(1);
    expect(ratio(reads('each_file-distributed', 'node', 'untyped-item-only').readSecondsPerInstance)).toBeLessThanOrEqual(1.5);
    expect(ratio(reads('each_file-distributed', 'python', 'untyped-reads-upstream').readSecondsPerInstance)).toBeLessThanOrEqual(1.5);
    const before = storedInputReads(mapNamed('each_file-distributed'), compiled.manifest, N, 'per-instance', LIST_BYTES);
    expect(ratio(before.readSecondsPerInstance)).toBeGreaterThan(5);
  });
});

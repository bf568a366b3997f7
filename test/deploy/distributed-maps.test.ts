import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskManifest } from '../../compiler/index.js';
import { checkResultWriters, distributedMapsOf } from '../../lib/deploy/distributed-maps.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/** The deploy grants and checks the Distributed Maps the manifest records (no synth: lib/deploy/distributed-maps.ts alone). */
describe('distributedMapsOf', () => {
  const { manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));

  it('are the records of mode distributed, with their grouping and results prefix', () => {
    const maps = distributedMapsOf(manifest);
    expect(maps.map((m) => `${m.state} ${m.executionType} ${m.grouping}`)).toEqual([
      'each_file-distributed EXPRESS single',
      'batched-distributed EXPRESS batch',
      'many-distributed-chunks STANDARD chunk',
      'counted-distributed STANDARD single',
      'counted-distributed-chunks STANDARD chunk',
      'grid-distributed STANDARD workers',
      'in_containers-distributed STANDARD single',
      'wide_grid-distributed STANDARD workers',
    ]);
    expect(() => checkResultWriters(maps, manifest.workflow, 'Stack/Wf')).not.toThrow();
  });

  it('checks the record’s ResultWriter: a record writing elsewhere fails the synth', () => {
    const elsewhere: TaskManifest = {
      ...manifest,
      tasks: manifest.tasks.map((t) =>
        t.name === 'many' && t.fanOut
          ? { ...t, fanOut: { ...t.fanOut, maps: t.fanOut.maps.map((m) => ({ ...m, resultWriter: { bucket: 'other', prefix: 'x' } })) } }
          : t,
      ),
    };
    expect(() => checkResultWriters(distributedMapsOf(elsewhere), manifest.workflow, 'Stack/Wf')).toThrow(
      /^Stack\/Wf: the Distributed Map Ork-Parallel-1 > many-distributed-chunks writes its results to \{"Bucket":"other","Prefix":"x"\}/,
    );
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FanOutMap, TaskManifest } from '../../compiler/index.js';
import { fanOutCosts, mapKindOf } from '../../lib/cost/index.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/** The cost model's Map kinds are the manifest's record (compiler/emit/fan-out-map.ts), not a reading of the ASL. */

const record = (fields: Partial<FanOutMap>): FanOutMap => ({
  task: 't',
  state: 't-distributed',
  path: ['t-distributed'],
  mode: 'distributed',
  executionType: 'STANDARD',
  grouping: 'single',
  instancesPerChild: 1,
  items: { from: 'state', path: '$.ork.indexes' },
  ...fields,
});

describe('mapKindOf', () => {
  it('is the record: mode, children, grouping and instances per child', () => {
    expect(mapKindOf(record({ grouping: 'batch', instancesPerChild: 10, executionType: 'EXPRESS' }))).toEqual({
      mode: 'distributed',
      children: 'EXPRESS',
      grouping: 'batch',
      instancesPerChild: 10,
      instancesAssumed: false,
    });
    expect(mapKindOf(record({ mode: 'inline', executionType: undefined }))).toEqual({
      mode: 'inline',
      grouping: 'single',
      instancesPerChild: 1,
      instancesAssumed: false,
    });
    expect(mapKindOf(record({ grouping: 'chunk', instancesPerChild: 1000 })).instancesPerChild).toBe(1000);
  });

  it('assumes the count per element only where the record has none (foreach with a run-time parallel:)', () => {
    const workers = record({ grouping: 'workers', instancesPerChild: undefined });
    expect(mapKindOf(workers)).toMatchObject({ instancesPerChild: 1, instancesAssumed: true });
    expect(mapKindOf(workers, { perItemCount: 10 })).toMatchObject({ instancesPerChild: 10, instancesAssumed: true });
  });
});

describe('fanOutCosts', () => {
  it('takes the kind from the manifest: a record saying batches of 25 is costed so, whatever the ItemBatcher says', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
    const changed: TaskManifest = {
      ...manifest,
      tasks: manifest.tasks.map((t) =>
        t.name === 'batched' && t.fanOut ? { ...t, fanOut: { ...t.fanOut, maps: t.fanOut.maps.map((m) => ({ ...m, instancesPerChild: 25 })) } } : t,
      ),
    };
    const label = (m: TaskManifest): string | undefined => fanOutCosts(definition, m).find((c) => c.task === 'batched')?.kinds[0]?.label;
    expect(label(manifest)).toBe('distributed EXPRESS, batches of 10');
    expect(label(changed)).toBe('distributed EXPRESS, batches of 25');
  });

  it('refuses a record whose path names no Map of the definition', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'static-parallel'));
    const moved: TaskManifest = {
      ...manifest,
      tasks: manifest.tasks.map((t) => (t.fanOut ? { ...t, fanOut: { ...t.fanOut, maps: t.fanOut.maps.map((m) => ({ ...m, path: ['elsewhere'] })) } } : t)),
    };
    expect(() => fanOutCosts(definition, moved)).toThrow(/the manifest's Map 'elsewhere' is not a Map state of the definition/);
  });
});

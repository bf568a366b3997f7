import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFanOutMaps, fanOutSize } from '../../lib/local/fan-out-sizes.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/** How ork run sizes an inline fan-out as its Map starts: from the manifest's record of it (lib/local/fan-out-sizes.ts). */
describe('fan-out sizes', () => {
  const { manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
  const maps = findFanOutMaps(manifest);

  it('are known for the inline Maps the manifest records, by state name; Distributed Maps are sized by their runner', () => {
    expect([...maps.keys()]).toEqual(['each_file-fanout', 'counted-fanout', 'tolerant-fanout', 'grid-fanout']);
    expect([...maps.values()].map((m) => m.task)).toEqual(['each_file', 'counted', 'tolerant', 'grid']);
  });

  it('count the items at the recorded path, times each element’s workers for foreach × parallel', () => {
    const input = { results: { make: { files: ['a', 'b', 'c'] } }, ork: { indexes: [0, 1, 2, 3] } };
    expect(fanOutSize(maps.get('each_file-fanout')!, input)).toBe(3);
    expect(fanOutSize(maps.get('counted-fanout')!, input)).toBe(4);
    expect(fanOutSize(maps.get('grid-fanout')!, input)).toBe(12);
    expect(fanOutSize(maps.get('grid-fanout')!, { results: { make: { files: ['a'] } } })).toBeUndefined();
    expect(fanOutSize(maps.get('each_file-fanout')!, { results: {} })).toBeUndefined();
  });
});

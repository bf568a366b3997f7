import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkStates, type MapState, type StateMachineDefinition } from '../../compiler/index.js';
import { explainFanOuts } from '../../lib/cli/commands/explain-fan-outs.js';
import { fanOutCosts } from '../../lib/cost/index.js';
import { distributedMapsOf } from '../../lib/deploy/distributed-maps.js';
import { findFanOutMaps } from '../../lib/local/fan-out-sizes.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/**
 * A chunked Distributed Map (`parallel:` above 1,000) used to be recognised twice, differently: the cost
 * model by a `start.$` key in its ItemSelector, `ork compile --explain` by an ItemsPath ending in `.starts`.
 * On the compiler's output both marks were there together, so they agreed; a Map with one mark and not the
 * other (a renamed scratch field, a reworded selector) was a chunk to one and not to the other. Emit now
 * records the grouping, and every consumer reads it.
 */

/** The two recognitions as they were, kept here to show the case where they disagreed. */
const chunkedByItemsPath = (map: MapState): boolean => map.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED' && map.ItemsPath?.endsWith('.starts') === true;
const chunkedBySelector = (map: MapState): boolean =>
  Object.values(map.ItemProcessor.States).some((s) => s.Type === 'Map') && map.ItemSelector !== undefined && 'start.$' in map.ItemSelector;

function mapNamed(definition: StateMachineDefinition, name: string): MapState {
  const found = [...walkStates(definition)].find((v) => v.name === name)?.state;
  if (found?.Type !== 'Map') throw new Error(`no Map ${name}`);
  return found;
}

describe('a chunked Map', () => {
  const compiled = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));

  it('is a chunk to cost, explain and deploy alike, as the manifest records it', () => {
    const { definition, manifest } = compiled;
    const chunks = manifest.tasks
      .flatMap((t) => t.fanOut?.maps ?? [])
      .filter((m) => m.grouping === 'chunk')
      .map((m) => m.state);
    expect(chunks).toEqual(['many-distributed-chunks', 'counted-distributed-chunks']);
    const costed = fanOutCosts(definition, manifest)
      .flatMap((t) => t.kinds)
      .filter((k) => k.kind.grouping === 'chunk')
      .map((k) => k.mapState);
    expect(costed).toEqual(chunks);
    expect(
      distributedMapsOf(manifest)
        .filter((m) => m.grouping === 'chunk')
        .map((m) => m.state),
    ).toEqual(chunks);
    const explained = explainFanOuts(manifest)
      .split('\n')
      .filter((l) => l.includes('1,000 instances per child'));
    expect(explained.map((l) => l.trim().split(':')[0])).toEqual(['many', 'counted']);
    // ork run sizes inline Maps only: a chunked one is sized by its Distributed Map runner.
    expect(chunks.filter((c) => findFanOutMaps(manifest).has(c))).toEqual([]);
  });

  it('stays a chunk everywhere where the two old recognitions disagreed', () => {
    const definition = structuredClone(compiled.definition);
    const many = mapNamed(definition, 'many-distributed-chunks');
    const counted = mapNamed(definition, 'counted-distributed-chunks');
    // One Map keeps the selector's mark only, the other the ItemsPath's only.
    many.ItemsPath = '$.ork.chunk_firsts';
    const { ['start.$']: start, ...rest } = counted.ItemSelector ?? {};
    counted.ItemSelector = { ...rest, 'first.$': start ?? '' };
    expect([chunkedByItemsPath(many), chunkedBySelector(many)]).toEqual([false, true]);
    expect([chunkedByItemsPath(counted), chunkedBySelector(counted)]).toEqual([true, false]);

    const kinds = fanOutCosts(definition, compiled.manifest).flatMap((t) => t.kinds);
    expect(kinds.find((k) => k.mapState === 'many-distributed-chunks')?.label).toBe('distributed STANDARD, chunks of 1,000');
    expect(kinds.find((k) => k.mapState === 'counted-distributed-chunks')?.label).toBe('distributed STANDARD, chunks of 1,000');
    expect(explainFanOuts(compiled.manifest)).toMatch(/many: Distributed Map \(standard child executions, 1,000 instances per child past 1,000\)/);
    expect(explainFanOuts(compiled.manifest)).toMatch(/counted: .*1,000 instances per child past 1,000/);
  });
});

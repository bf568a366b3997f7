import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateAt, walkStates, type FanOutMap, type MapState, type StateMachineDefinition, type TaskManifest } from '../../compiler/index.js';
import { compileCleanly, EXAMPLES_DIR, FIXTURES_DIR, workflowDirectories } from '../support/workflows.js';

/**
 * The manifest's record of each fan-out Map (fanOut.maps, compiler/emit/fan-out-map.ts): golden per fixture
 * (test/fixtures/<case>/expected.fan-outs.json, regenerated with `ORK_UPDATE_GOLDEN=1`, then reviewed), and
 * checked against the definition it was emitted with, so a consumer that reads the record reads what the
 * machine does.
 */
const UPDATE = process.env.ORK_UPDATE_GOLDEN === '1';
const fixtures = workflowDirectories(FIXTURES_DIR);
const workflows = [...fixtures, ...workflowDirectories(EXAMPLES_DIR)];

function recordsOf(manifest: TaskManifest): FanOutMap[] {
  return manifest.tasks.flatMap((t) => t.fanOut?.maps ?? []);
}

/** What the record says, stated the way the ASL says it. */
function expectedState(record: FanOutMap): Record<string, unknown> {
  const processor = record.mode === 'inline' ? { Mode: 'INLINE' } : { Mode: 'DISTRIBUTED', ExecutionType: record.executionType };
  const tolerance = record.toleratedFailures;
  return {
    processor,
    items:
      record.items.from === 'state'
        ? { ItemsPath: record.items.path }
        : { Bucket: `${record.items.path}.ork_items.bucket`, Key: `${record.items.path}.ork_items.key` },
    maxConcurrency: record.maxConcurrency,
    batch: record.grouping === 'batch' ? record.instancesPerChild : undefined,
    tolerated:
      record.mode === 'distributed' && tolerance ? (tolerance.kind === 'count' ? { count: tolerance.count } : { percent: tolerance.percent }) : undefined,
    resultWriter: record.resultWriter ? { Bucket: record.resultWriter.bucket, Prefix: record.resultWriter.prefix } : undefined,
    workers: record.workers ? { name: record.workers.state, maxConcurrency: record.workers.maxConcurrency } : undefined,
  };
}

function actualState(map: MapState): Record<string, unknown> {
  // A chunk's workers Map is the last state of the child; an element's is the only one.
  const workers = Object.entries(map.ItemProcessor.States).filter(([, s]) => s.Type === 'Map');
  const reader = map.ItemReader?.Parameters as Record<string, string> | undefined;
  return {
    processor: map.ItemProcessor.ProcessorConfig,
    items: map.ItemReader ? { Bucket: reader?.['Bucket.$'], Key: reader?.['Key.$'] } : { ItemsPath: map.ItemsPath },
    maxConcurrency: map.MaxConcurrency,
    batch: map.ItemBatcher?.MaxItemsPerBatch,
    tolerated:
      map.ToleratedFailureCount !== undefined
        ? { count: map.ToleratedFailureCount }
        : map.ToleratedFailurePercentage !== undefined
          ? { percent: map.ToleratedFailurePercentage }
          : undefined,
    resultWriter: map.ResultWriter?.Parameters,
    workers: workers[0] ? { name: workers[0][0], maxConcurrency: (workers[0][1] as MapState).MaxConcurrency } : undefined,
  };
}

describe('the manifest records every fan-out Map emit built', () => {
  for (const { name, directory } of fixtures) {
    it(`${name}: fanOut.maps equals expected.fan-outs.json`, () => {
      const { manifest } = compileCleanly(directory);
      const records = Object.fromEntries(manifest.tasks.filter((t) => t.fanOut).map((t) => [t.name, t.fanOut?.maps]));
      const expectedFile = path.join(directory, 'expected.fan-outs.json');
      if (UPDATE) {
        writeFileSync(expectedFile, `${JSON.stringify(records, null, 2)}\n`);
        return;
      }
      if (!existsSync(expectedFile)) throw new Error(`${expectedFile} is missing: run with ORK_UPDATE_GOLDEN=1 to create it, then review it`);
      expect(records).toStrictEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }

  for (const { name, directory } of workflows) {
    it(`${name}: each record is the Map at its path, as the definition states it, and every outermost Map is recorded`, () => {
      const { definition, manifest } = compileCleanly(directory);
      for (const record of recordsOf(manifest)) {
        const found = stateAt(definition, record.path);
        expect(found?.state.Type, record.path.join(' > ')).toBe('Map');
        expect(actualState(found?.state as MapState), record.state).toEqual(expectedState(record));
        // The record's task is the task whose instance states the Map runs.
        const inside = [...walkStates((found?.state as MapState).ItemProcessor)].map((v) => v.name);
        expect(
          manifest.tasks.find((t) => t.name === record.task)?.stateNames.some((n) => inside.includes(n)),
          record.state,
        ).toBe(true);
      }
      expect(outermostMapNames(definition).sort()).toEqual(
        recordsOf(manifest)
          .map((r) => r.state)
          .sort(),
      );
    });
  }
});

function outermostMapNames(definition: StateMachineDefinition): string[] {
  return [...walkStates(definition)].filter((v) => v.state.Type === 'Map' && v.maps.length === 0).map((v) => v.name);
}

describe('walkStates', () => {
  it('yields every state once, parents first, with its path through Parallel branches and ItemProcessors', () => {
    const { definition } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
    const visits = [...walkStates(definition)];
    expect(new Set(visits.map((v) => v.name)).size).toBe(visits.length);
    const chunkChild = visits.find((v) => v.name === 'many-chunk-child');
    expect(chunkChild?.path).toEqual(['Ork-Parallel-1', 'many-distributed-chunks', 'many-chunk-workers', 'many-chunk-child']);
    expect(chunkChild?.maps.map((m) => m.name)).toEqual(['many-distributed-chunks', 'many-chunk-workers']);
    expect(visits.findIndex((v) => v.name === 'many-distributed-chunks')).toBeLessThan(visits.findIndex((v) => v.name === 'many-chunk-child'));
    expect(stateAt(definition, chunkChild?.path ?? [])?.state.Type).toBe('Task');
    expect(stateAt(definition, ['many-chunk-child'])).toBeUndefined();
  });
});

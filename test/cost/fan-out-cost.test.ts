import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compile,
  formatDiagnostic,
  permissiveHost,
  type MapState,
  type StateMachineDefinition,
  type SubMachine,
  type TaskManifest,
} from '../../compiler/index.js';
import { costTables, expressDurationUsd, fanOutCosts, outermostMaps, PRICES, type MapKindCost, type TaskCost } from '../../lib/cost/index.js';
import { compileCleanly, FIXTURES_DIR, ROOT } from '../support/workflows.js';

/**
 * The cost model reads the emitted shapes (docs/scale.md, "Cost"). Figures are asserted per child in whole
 * numbers — transitions, Express requests, instances — so that one more state per instance in any Map kind
 * changes them and fails here.
 */

interface Compiled {
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
}

/** A workflow `make → work → report` where `work` carries the given lines. */
function compileWork(lines: readonly string[]): Compiled {
  const source = [
    'name: costs',
    'tasks:',
    '  make:',
    '    file: tasks/make.py',
    '  work:',
    '    file: tasks/work.py',
    ...lines.map((l) => `    ${l}`),
    '  report:',
    '    file: tasks/report.py',
    '    depends_on: work',
  ].join('\n');
  const result = compile({ file: 'workflow.yaml', source, host: permissiveHost() });
  if (!result.ok || !result.definition || !result.manifest) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
  return { definition: result.definition, manifest: result.manifest };
}

function kindsOf(costs: readonly TaskCost[], task: string): readonly MapKindCost[] {
  const found = costs.find((c) => c.task === task);
  if (!found) throw new Error(`no costs for ${task}`);
  return found.kinds;
}

function kindAt(costs: readonly TaskCost[], task: string, mapState: string): MapKindCost {
  const found = kindsOf(costs, task).find((k) => k.mapState === mapState);
  if (!found)
    throw new Error(
      `no Map ${mapState} for ${task}: ${kindsOf(costs, task)
        .map((k) => k.mapState)
        .join(', ')}`,
    );
  return found;
}

/** Whole-number figures of one Map kind: what the tests pin down. */
function figures(cost: MapKindCost): Record<string, number | string> {
  return {
    label: cost.label,
    ork: cost.ork.child.transitions,
    orkRequests: cost.ork.child.expressRequests,
    minimum: cost.minimum.child.transitions,
    minimumRequests: cost.minimum.child.expressRequests,
    instances: cost.ork.child.instances,
    fixed: cost.fixedTransitions,
  };
}

describe('fan-out costs of the large-fan-outs fixture', () => {
  const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
  const costs = fanOutCosts(definition, manifest);

  it('covers every fanned-out task, one entry per Map kind', () => {
    expect(costs.map((c) => c.task)).toEqual(manifest.tasks.filter((t) => t.fanOut).map((t) => t.name));
    expect(costs.map((c) => [c.task, c.kinds.map((k) => k.mapState)])).toEqual(
      expect.arrayContaining([
        ['each_file', ['each_file-distributed', 'each_file-fanout']],
        ['batched', ['batched-distributed']],
        ['many', ['many-distributed-chunks']],
        ['counted', ['counted-fanout', 'counted-distributed', 'counted-distributed-chunks']],
        ['tolerant', ['tolerant-fanout']],
        ['grid', ['grid-distributed', 'grid-fanout']],
        ['in_containers', ['in_containers-distributed']],
        ['wide_grid', ['wide_grid-distributed']],
      ]),
    );
  });

  it('inline: one transition per instance, as hand-written', () => {
    const inline = kindAt(costs, 'each_file', 'each_file-fanout');
    expect(figures(inline)).toEqual({ label: 'inline', ork: 1, orkRequests: 0, minimum: 1, minimumRequests: 0, instances: 1, fixed: 2 });
    expect(inline.ork.perInstance).toEqual({ transitions: 1, expressRequests: 0 });
    expect(inline.ratio).toBe(1);
    expect(inline.ork.usdPerMillion).toBeCloseTo(25, 9);
    expect(figures(kindAt(costs, 'counted', 'counted-fanout'))).toMatchObject({ ork: 1, minimum: 1, instances: 1, fixed: 5 });
  });

  it('inline with tolerate_failures: the catch is off the success path, the check is per fan-out', () => {
    const tolerant = kindAt(costs, 'tolerant', 'tolerant-fanout');
    expect(figures(tolerant)).toMatchObject({ ork: 1, minimum: 1, instances: 1, fixed: 10 });
    expect(tolerant.fixedRoute).toEqual([
      'tolerant-check-count',
      'tolerant-count-text',
      'tolerant-check-whole',
      'tolerant-count',
      'tolerant-fanout',
      'tolerant-failures-wrap',
      'tolerant-failures',
      'tolerant-failures-unwrap',
      'tolerant-check-failures',
      'tolerant-check-failures-done',
    ]);
  });

  it('inline foreach × parallel: the workers Map is one more transition per element', () => {
    const grid = kindAt(costs, 'grid', 'grid-fanout');
    expect(figures(grid)).toEqual({ label: 'inline, 4 workers per element', ork: 5, orkRequests: 0, minimum: 4, minimumRequests: 0, instances: 4, fixed: 10 });
    expect(grid.ork.perInstance.transitions).toBe(1.25);
    expect(grid.ratio).toBeCloseTo(1.25, 12);
  });

  it('distributed EXPRESS: one child start and one request per instance', () => {
    const express = kindAt(costs, 'each_file', 'each_file-distributed');
    expect(figures(express)).toEqual({ label: 'distributed EXPRESS', ork: 1, orkRequests: 1, minimum: 1, minimumRequests: 1, instances: 1, fixed: 2 });
    expect(express.ork.usdPerMillion).toBeCloseTo(26, 9);
  });

  it('batched EXPRESS, 10 per batch: 0.1 transitions and 0.1 requests per instance', () => {
    const batched = kindAt(costs, 'batched', 'batched-distributed');
    expect(figures(batched)).toEqual({
      label: 'distributed EXPRESS, batches of 10',
      ork: 1,
      orkRequests: 1,
      minimum: 1,
      minimumRequests: 1,
      instances: 10,
      fixed: 2,
    });
    expect(batched.ork.perInstance).toEqual({ transitions: 0.1, expressRequests: 0.1 });
    expect(batched.ork.usdPerMillion).toBeCloseTo(2.6, 9);
    expect(batched.ratio).toBe(1);
  });

  it('distributed STANDARD: the child start and the Task', () => {
    expect(figures(kindAt(costs, 'counted', 'counted-distributed'))).toEqual({
      label: 'distributed STANDARD',
      ork: 2,
      orkRequests: 0,
      minimum: 2,
      minimumRequests: 0,
      instances: 1,
      fixed: 5,
    });
  });

  it('containers: a payload Pass and the ECS Task per instance', () => {
    expect(figures(kindAt(costs, 'in_containers', 'in_containers-distributed'))).toEqual({
      label: 'distributed STANDARD',
      ork: 3,
      orkRequests: 0,
      minimum: 3,
      minimumRequests: 0,
      instances: 1,
      fixed: 2,
    });
  });

  it('chunks: four range states and the workers Map per 1,000 instances', () => {
    for (const [task, map, fixed] of [
      ['many', 'many-distributed-chunks', 2],
      ['counted', 'counted-distributed-chunks', 5],
    ] as const) {
      const chunks = kindAt(costs, task, map);
      expect(figures(chunks)).toEqual({
        label: 'distributed STANDARD, chunks of 1,000',
        ork: 1005,
        orkRequests: 0,
        minimum: 1001,
        minimumRequests: 0,
        instances: 1000,
        fixed,
      });
      expect(chunks.ork.perInstance.transitions).toBeCloseTo(1.005, 12);
    }
  });

  it('distributed foreach × parallel: child start, workers Map, then one Task per worker', () => {
    const grid = kindAt(costs, 'grid', 'grid-distributed');
    expect(figures(grid)).toEqual({
      label: 'distributed STANDARD, 4 workers per element',
      ork: 6,
      orkRequests: 0,
      minimum: 5,
      minimumRequests: 0,
      instances: 4,
      fixed: 3,
    });
    expect(grid.ratio).toBeCloseTo(1.2, 12);
    // Above the inline limit per element there is no inline branch; the per-element states weigh less.
    expect(figures(kindAt(costs, 'wide_grid', 'wide_grid-distributed'))).toEqual({
      label: 'distributed STANDARD, 50 workers per element',
      ork: 52,
      orkRequests: 0,
      minimum: 51,
      minimumRequests: 0,
      instances: 50,
      fixed: 3,
    });
  });

  it('docs/scale.md shows the figures this code computes', () => {
    const docs = readFileSync(path.join(ROOT, 'docs', 'scale.md'), 'utf8');
    const tables = costTables(costs);
    if (process.env.ORK_PRINT_COSTS)
      console.log(`${tables}\n\nExpress duration per 1,000,000 instances per second of run time: $${expressDurationUsd(1, 1_000_000)}`);
    expect(docs).toContain(tables);
  });
});

describe('fan-out costs of hand-made workflows', () => {
  it('inline parallel: a count Pass and the Map per fan-out, one transition per instance', () => {
    const costs = fanOutCosts(...args(compileWork(['parallel: 3'])));
    expect(kindsOf(costs, 'work').map(figures)).toEqual([{ label: 'inline', ork: 1, orkRequests: 0, minimum: 1, minimumRequests: 0, instances: 1, fixed: 2 }]);
    expect(kindsOf(costs, 'work')[0]?.fixedRoute).toEqual(['work-count', 'work-fanout']);
  });

  it('inline containers: two states per instance, as hand-written', () => {
    const costs = fanOutCosts(...args(compileWork(['executor: container', 'image: example/work:latest', 'foreach: make.files', 'mode: inline'])));
    expect(kindsOf(costs, 'work').map(figures)).toEqual([{ label: 'inline', ork: 2, orkRequests: 0, minimum: 2, minimumRequests: 0, instances: 1, fixed: 2 }]);
  });

  it('distributed STANDARD and EXPRESS: chosen by the timeout', () => {
    const standard = fanOutCosts(...args(compileWork(['foreach: make.files', 'mode: distributed'])));
    expect(kindsOf(standard, 'work').map(figures)).toEqual([
      { label: 'distributed STANDARD', ork: 2, orkRequests: 0, minimum: 2, minimumRequests: 0, instances: 1, fixed: 2 },
    ]);
    const express = fanOutCosts(...args(compileWork(['foreach: make.files', 'mode: distributed', 'timeout: 30s'])));
    expect(kindsOf(express, 'work').map(figures)).toEqual([
      { label: 'distributed EXPRESS', ork: 1, orkRequests: 1, minimum: 1, minimumRequests: 1, instances: 1, fixed: 2 },
    ]);
  });

  it('batched: the child start and one Task per batch', () => {
    const express = kindsOf(fanOutCosts(...args(compileWork(['foreach: make.files', 'batch_size: 10', 'timeout: 10s']))), 'work');
    expect(express.map(figures)).toEqual([
      { label: 'distributed EXPRESS, batches of 10', ork: 1, orkRequests: 1, minimum: 1, minimumRequests: 1, instances: 10, fixed: 2 },
    ]);
    expect(express[0]?.ork.perInstance).toEqual({ transitions: 0.1, expressRequests: 0.1 });
    // Without a timeout a batch may run past Express's five minutes: Standard children.
    const standard = kindsOf(fanOutCosts(...args(compileWork(['parallel: 200', 'batch_size: 20']))), 'work');
    expect(standard.map(figures)).toEqual([
      { label: 'distributed STANDARD, batches of 20', ork: 2, orkRequests: 0, minimum: 2, minimumRequests: 0, instances: 20, fixed: 2 },
    ]);
    expect(standard[0]?.ork.perInstance.transitions).toBe(0.1);
  });

  it('chunks: a static count above 1,000', () => {
    const chunks = kindsOf(fanOutCosts(...args(compileWork(['parallel: 250000']))), 'work');
    expect(chunks.map(figures)).toEqual([
      { label: 'distributed STANDARD, chunks of 1,000', ork: 1005, orkRequests: 0, minimum: 1001, minimumRequests: 0, instances: 1000, fixed: 2 },
    ]);
  });

  it('foreach with a run-time parallel count: workers per element assumed, 1 by default', () => {
    const lines = ['foreach: make.files', 'parallel: make.n', 'mode: inline'];
    const worst = kindsOf(fanOutCosts(...args(compileWork(lines))), 'work')[0];
    expect(worst && { ...figures(worst), assumed: worst.kind.instancesAssumed }).toMatchObject({
      label: 'inline, 1 (assumed) workers per element',
      ork: 2,
      minimum: 1,
      instances: 1,
      assumed: true,
    });
    const ten = kindsOf(fanOutCosts(...args(compileWork(lines)), { perItemCount: 10 }), 'work')[0];
    expect(ten && figures(ten)).toMatchObject({ ork: 11, minimum: 10, instances: 10 });
  });

  it('tolerate_failures: a count, inline, mid-workflow: the check hands on to the next task', () => {
    const costs = kindsOf(fanOutCosts(...args(compileWork(['parallel: 10', 'tolerate_failures: 2']))), 'work');
    expect(costs.map(figures)).toEqual([{ label: 'inline', ork: 1, orkRequests: 0, minimum: 1, minimumRequests: 0, instances: 1, fixed: 6 }]);
    expect(costs[0]?.fixedRoute).toEqual(['work-count', 'work-fanout', 'work-failures-wrap', 'work-failures', 'work-failures-unwrap', 'work-check-failures']);
  });
});

describe('the figures follow the emitted shape', () => {
  /** The same definition with a Pass before the first state of every fan-out Map's innermost processor. */
  function withExtraStatePerInstance(definition: StateMachineDefinition): StateMachineDefinition {
    const copy = structuredClone(definition);
    const innermost = (map: MapState): SubMachine => {
      const inner = Object.values(map.ItemProcessor.States).find((s): s is MapState => s.Type === 'Map');
      return inner ? innermost(inner) : map.ItemProcessor;
    };
    for (const { map } of outermostMaps(copy)) {
      const processor = innermost(map);
      processor.States['extra-per-instance'] = { Type: 'Pass', Next: processor.StartAt };
      processor.StartAt = 'extra-per-instance';
    }
    return copy;
  }

  it('one more state per instance raises every Map kind that bills instance states', () => {
    const { definition, manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
    const before = fanOutCosts(definition, manifest);
    const after = fanOutCosts(withExtraStatePerInstance(definition), manifest);
    for (const task of before) {
      for (const kind of task.kinds) {
        const changed = kindAt(after, task.task, kind.mapState);
        // Express children pay per request, not per state: their figures stay, the others grow by one per run of the processor.
        const runs = kind.kind.grouping === 'chunk' || kind.kind.grouping === 'workers' ? kind.kind.instancesPerChild : 1;
        const growth = kind.kind.children === 'EXPRESS' ? 0 : runs;
        expect({ map: kind.mapState, transitions: changed.ork.child.transitions }).toEqual({
          map: kind.mapState,
          transitions: kind.ork.child.transitions + growth,
        });
        expect(changed.minimum.child).toEqual(kind.minimum.child);
      }
    }
  });

  it('prices are the recorded us-east-1 list prices', () => {
    expect(PRICES).toMatchObject({ standardTransitionUsd: 0.000025, expressRequestUsd: 0.000001, expressGbSecondUsd: 0.00001667 });
    // 64 MB for one second, a million times.
    expect(expressDurationUsd(1, 1_000_000)).toBeCloseTo(1.041875, 9);
  });
});

function args(compiled: Compiled): [StateMachineDefinition, TaskManifest] {
  return [compiled.definition, compiled.manifest];
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TaskManifest } from '../../compiler/index.js';
import { explainFanOuts } from '../../lib/cli/commands/explain-fan-outs.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

describe('ork compile --explain, fan-outs', () => {
  const { manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));

  it('says which Map kind runs each fan-out and why', () => {
    expect(explainFanOuts(manifest)).toBe(
      [
        '',
        'Fan-outs:',
        '  each_file: inline Map while make.files has up to 40 elements, Distributed Map (express child executions) above (the upstream task stores the list)',
        '  batched: Distributed Map (express child executions, 10 instances each) — batch_size needs it; tolerates 5% failed',
        '  many: Distributed Map (standard child executions, 1,000 instances per child past 1,000) — concurrency: 200 is above the 40 an inline Map runs',
        '  counted: inline Map up to 40 instances, Distributed Map (standard child executions, ' +
          '1,000 instances per child past 1,000) above (chosen by the machine from the count)',
        '  tolerant: inline Map — mode: inline; tolerates 10% failed',
        '  grid: inline Map while make.files has up to 40 elements, Distributed Map (standard ' +
          'child executions) above (the upstream task stores the list); tolerates 2 failed',
        '  in_containers: Distributed Map (standard child executions) — mode: distributed',
        '  wide_grid: Distributed Map (standard child executions) — 50 instances',
        '',
      ].join('\n'),
    );
  });

  it('takes the children, batches and chunks from the manifest’s record, with no definition to read', () => {
    const changed: TaskManifest = {
      ...manifest,
      tasks: manifest.tasks.map((t) =>
        t.name === 'in_containers' && t.fanOut
          ? { ...t, fanOut: { ...t.fanOut, maps: t.fanOut.maps.map((m) => ({ ...m, executionType: 'EXPRESS' as const, grouping: 'chunk' as const })) } }
          : t,
      ),
    };
    expect(explainFanOuts(changed)).toContain(
      '  in_containers: Distributed Map (express child executions, 1,000 instances per child past 1,000) — mode: distributed',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { compile, permissiveHost, type MapState, type State, type StateMachineDefinition, type SubMachine } from '../../compiler/index.js';

/**
 * Which Map kinds a fan-out compiles to, and the kind of child execution (docs/scale.md): decided from
 * what the compiler knows — counts, concurrency, batch_size, mode — and, for sizes it cannot know, left to
 * the machine at run time.
 */

function compileTask(lines: string, upstream = true): StateMachineDefinition {
  const source = [
    'name: kinds',
    'tasks:',
    ...(upstream ? ['  make:', '    file: tasks/make.py'] : []),
    '  work:',
    '    file: tasks/work.py',
    ...lines.split('\n').map((l) => `    ${l}`),
  ].join('\n');
  const result = compile({ file: 'workflow.yaml', source, host: permissiveHost() });
  if (!result.ok || !result.definition) throw new Error(JSON.stringify(result.diagnostics));
  return result.definition;
}

function maps(machine: SubMachine, found: { name: string; map: MapState }[] = []): { name: string; map: MapState }[] {
  for (const [name, state] of Object.entries(machine.States) as [string, State][]) {
    if (state.Type === 'Map') {
      found.push({ name, map: state });
      maps(state.ItemProcessor, found);
    }
    if (state.Type === 'Parallel') for (const branch of state.Branches) maps(branch, found);
  }
  return found;
}

/** `inline`, or the child execution type of each Distributed Map of the fan-out (outermost Maps only). */
function kinds(definition: StateMachineDefinition): string[] {
  return maps(definition)
    .filter(({ name }) => name.endsWith('-fanout') || name.includes('-distributed'))
    .map(({ map }) => (map.ItemProcessor.ProcessorConfig.Mode === 'INLINE' ? 'inline' : map.ItemProcessor.ProcessorConfig.ExecutionType));
}

describe('Map kinds chosen by the compiler', () => {
  it('a static count up to 40 stays inline; above, distributed; above 1,000, in chunks', () => {
    expect(kinds(compileTask('parallel: 40', false))).toEqual(['inline']);
    expect(kinds(compileTask('parallel: 41', false))).toEqual(['STANDARD']);
    const chunked = maps(compileTask('parallel: 250000', false)).map((m) => m.name);
    expect(chunked).toEqual(['work-distributed-chunks', 'work-chunk-workers']);
  });

  it('a run-time count or a foreach gets both, the machine choosing', () => {
    expect(kinds(compileTask('parallel: make.n'))).toEqual(['inline', 'STANDARD', 'STANDARD']);
    expect(kinds(compileTask('foreach: make.items'))).toEqual(['STANDARD', 'inline']);
  });

  it('concurrency above 40 or batch_size means distributed only; mode forces either', () => {
    expect(kinds(compileTask('foreach: make.items\nconcurrency: 41'))).toEqual(['STANDARD']);
    expect(kinds(compileTask('foreach: make.items\nbatch_size: 5'))).toEqual(['STANDARD']);
    expect(kinds(compileTask('foreach: make.items\nmode: distributed'))).toEqual(['STANDARD']);
    expect(kinds(compileTask('parallel: 500\nmode: inline', false))).toEqual(['inline']);
  });

  it('children are Express when the worst case fits in 5 minutes, Standard otherwise', () => {
    // The default timeout is Lambda's 15 minutes: Standard.
    expect(kinds(compileTask('foreach: make.items\nmode: distributed'))).toEqual(['STANDARD']);
    expect(kinds(compileTask('foreach: make.items\nmode: distributed\ntimeout: 300s'))).toEqual(['EXPRESS']);
    expect(kinds(compileTask('foreach: make.items\nmode: distributed\ntimeout: 301s'))).toEqual(['STANDARD']);
    // Retries and their waits count: 2 × 100 s + 1 s < 300 s; 3 × 100 s + 1 s + 2 s > 300 s.
    expect(kinds(compileTask('foreach: make.items\nmode: distributed\ntimeout: 100s\nretries: 1'))).toEqual(['EXPRESS']);
    expect(kinds(compileTask('foreach: make.items\nmode: distributed\ntimeout: 100s\nretries: 2'))).toEqual(['STANDARD']);
    // A batch runs its instances one after another: 10 × 30 s fits, 11 × 30 s does not.
    expect(kinds(compileTask('foreach: make.items\nbatch_size: 10\ntimeout: 30s'))).toEqual(['EXPRESS']);
    expect(kinds(compileTask('foreach: make.items\nbatch_size: 11\ntimeout: 30s'))).toEqual(['STANDARD']);
    // Express cannot wait for a task token.
    expect(kinds(compileTask('foreach: make.items\nmode: distributed\ntimeout: 10s\nexecutor: container\nimage: x'))).toEqual(['STANDARD']);
  });

  it('a batch: ItemBatcher with the shared fields, one timeout for the whole batch', () => {
    const map = maps(compileTask('foreach: make.items\nbatch_size: 10\ntimeout: 30s')).find((m) => m.name === 'work-distributed')?.map;
    expect(map?.ItemBatcher).toStrictEqual({
      MaxItemsPerBatch: 10,
      BatchInput: { 'params.$': '$.params', inputs: { 'make.$': '$.results.make' }, 'execution_id.$': '$$.Execution.Id' },
    });
    expect(map?.ItemSelector).toStrictEqual({ 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index' });
    const child = map?.ItemProcessor.States['work-child'];
    expect(child).toMatchObject({
      TimeoutSeconds: 300,
      Parameters: {
        'batch.$': '$.Items',
        'params.$': '$.BatchInput.params',
        'inputs.$': '$.BatchInput.inputs',
        'execution_id.$': '$.BatchInput.execution_id',
        output_spill_bytes: 16384,
      },
    });
  });

  it('instances in child executions report the parent execution, which $$.Execution.Id there is not', () => {
    for (const lines of ['foreach: make.items\nmode: distributed', 'parallel: 5000', 'foreach: make.items\nparallel: 50']) {
      const found = maps(compileTask(lines, lines.includes('make')));
      const outer = found.find((m) => m.map.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED')?.map;
      expect(outer?.ItemSelector?.['execution_id.$'], lines).toBe('$$.Execution.Id');
      const tasks = found.flatMap(({ map }) => Object.values(map.ItemProcessor.States)).filter((s) => s.Type === 'Task');
      expect(tasks.length, lines).toBeGreaterThan(0);
      for (const task of tasks) expect((task as { Parameters: Record<string, unknown> }).Parameters['execution_id.$'], lines).toBe('$.execution_id');
    }
  });

  it('the upstream of a foreach is told which field to store, and from what length', () => {
    const definition = compileTask('foreach: make.items');
    expect((definition.States.make as { Parameters: Record<string, unknown> }).Parameters.fan_out_fields).toEqual([{ path: ['items'], above: 40 }]);
    const always = compileTask('foreach: make.items\nmode: distributed');
    expect((always.States.make as { Parameters: Record<string, unknown> }).Parameters.fan_out_fields).toEqual([{ path: ['items'], above: -1 }]);
    const inline = compileTask('foreach: make.items\nmode: inline');
    expect((inline.States.make as { Parameters: Record<string, unknown> }).Parameters.fan_out_fields).toBeUndefined();
    // With 4 workers per element, 10 elements already make 40 instances.
    const grid = compileTask('foreach: make.items\nparallel: 4');
    expect((grid.States.make as { Parameters: Record<string, unknown> }).Parameters.fan_out_fields).toEqual([{ path: ['items'], above: 10 }]);
  });
});

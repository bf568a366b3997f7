import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../compiler/index.js';
import {
  adaptForLocal,
  INLINE_MAP_CONCURRENCY,
  inlineMapConcurrency,
  LOCAL_ADAPTATIONS,
  LONGEST_LOCAL_TIMEOUT_SECONDS,
  taskTimeoutInRunner,
} from '../../lib/local/local-adaptation.js';
import { EXAMPLES_DIR, compileCleanly, workflowDirectories } from '../support/workflows.js';

/**
 * The local adaptation passes (lib/local/local-adaptation.ts) rewrite only what the local interpreter
 * does differently from AWS. Each pass is pinned here on a small definition that has every shape it could
 * touch — Tasks with and without TimeoutSeconds, Maps with no, zero, small and large MaxConcurrency, a Map
 * inside a Map, a Parallel — by comparing the whole definition before and after.
 */

const lambda = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:ork-local-${name}`;

function definition(): StateMachineDefinition {
  return {
    Comment: 'every shape the passes look at',
    StartAt: 'first',
    States: {
      first: { Type: 'Task', Resource: lambda('first'), TimeoutSeconds: 900, ResultPath: '$.results.first', Next: 'container' },
      // A container task with no `timeout`: no TimeoutSeconds at all.
      container: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken', HeartbeatSeconds: 300, ResultPath: '$.results.container', Next: 'capped' },
      capped: {
        Type: 'Map',
        ItemsPath: '$.results.first.items',
        MaxConcurrency: 8,
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'capped-task', States: { 'capped-task': { Type: 'Task', Resource: lambda('capped'), TimeoutSeconds: 2, End: true } } },
        ResultPath: '$.results.capped',
        Next: 'uncapped',
      },
      uncapped: {
        Type: 'Map',
        ItemsPath: '$.results.first.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'inner',
          States: {
            // foreach × parallel: a Map of workers inside the Map of items.
            inner: {
              Type: 'Map',
              ItemsPath: '$.indexes',
              MaxConcurrency: 0,
              ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'inner-task', States: { 'inner-task': { Type: 'Task', Resource: lambda('inner'), End: true } } },
              End: true,
            },
          },
        },
        ResultPath: '$.results.uncapped',
        Next: 'branches',
      },
      branches: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'left', States: { left: { Type: 'Task', Resource: lambda('left'), TimeoutSeconds: 60, End: true } } },
          {
            StartAt: 'wide',
            States: {
              wide: {
                Type: 'Map',
                ItemsPath: '$.items',
                MaxConcurrency: 500,
                ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'wide-task', States: { 'wide-task': { Type: 'Task', Resource: lambda('wide'), TimeoutSeconds: 30, End: true } } },
                End: true,
              },
            },
          },
        ],
        ResultPath: null,
        Next: 'done',
      },
      done: { Type: 'Pass', End: true },
    },
  };
}

/** `definition()` with `edit` applied to a copy. */
function edited(edit: (d: StateMachineDefinition & { States: Record<string, any> }) => void): StateMachineDefinition {
  const copy = definition() as StateMachineDefinition & { States: Record<string, any> };
  edit(copy);
  return copy;
}

const LONGEST = LONGEST_LOCAL_TIMEOUT_SECONDS;

describe('local adaptation passes', () => {
  it('are these two, in this order, each saying why', () => {
    expect(LOCAL_ADAPTATIONS.map((p) => p.name)).toEqual(['task-timeout-in-runner', 'inline-map-concurrency']);
    for (const pass of LOCAL_ADAPTATIONS) expect(pass.why.length).toBeGreaterThan(40);
  });

  it('task-timeout-in-runner: every Task gets the longest timeout a Node timer holds; nothing else changes', () => {
    const before = definition();
    const after = taskTimeoutInRunner.apply(before);
    expect(after).toStrictEqual(
      edited((d) => {
        d.States.first.TimeoutSeconds = LONGEST;
        d.States.container.TimeoutSeconds = LONGEST;
        d.States.capped.ItemProcessor.States['capped-task'].TimeoutSeconds = LONGEST;
        d.States.uncapped.ItemProcessor.States.inner.ItemProcessor.States['inner-task'].TimeoutSeconds = LONGEST;
        d.States.branches.Branches[0].States.left.TimeoutSeconds = LONGEST;
        d.States.branches.Branches[1].States.wide.ItemProcessor.States['wide-task'].TimeoutSeconds = LONGEST;
      }),
    );
    expect(before).toStrictEqual(definition());
  });

  it('task-timeout-in-runner: the timeout fits a Node timer (a longer one fires after 1 ms)', () => {
    expect(LONGEST * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
    expect((LONGEST + 1) * 1000).toBeGreaterThan(2 ** 31 - 1);
    expect(LONGEST / 86_400).toBeGreaterThan(24);
  });

  it('inline-map-concurrency: a Map with no, zero or more than 40 MaxConcurrency runs 40 at once; nothing else changes', () => {
    const before = definition();
    const after = inlineMapConcurrency.apply(before);
    expect(INLINE_MAP_CONCURRENCY).toBe(40);
    expect(after).toStrictEqual(
      edited((d) => {
        d.States.uncapped.MaxConcurrency = 40;
        d.States.uncapped.ItemProcessor.States.inner.MaxConcurrency = 40;
        d.States.branches.Branches[1].States.wide.MaxConcurrency = 40;
      }),
    );
    expect(before).toStrictEqual(definition());
  });

  it('adaptForLocal applies both and nothing else', () => {
    const both = edited((d) => {
      for (const task of [
        d.States.first,
        d.States.container,
        d.States.capped.ItemProcessor.States['capped-task'],
        d.States.uncapped.ItemProcessor.States.inner.ItemProcessor.States['inner-task'],
        d.States.branches.Branches[0].States.left,
        d.States.branches.Branches[1].States.wide.ItemProcessor.States['wide-task'],
      ])
        task.TimeoutSeconds = LONGEST;
      d.States.uncapped.MaxConcurrency = 40;
      d.States.uncapped.ItemProcessor.States.inner.MaxConcurrency = 40;
      d.States.branches.Branches[1].States.wide.MaxConcurrency = 40;
    });
    expect(adaptForLocal(definition())).toStrictEqual(both);
    expect(adaptForLocal(definition(), [])).toStrictEqual(definition());
  });

  it('on every compiled example, changes only Tasks’ TimeoutSeconds and Maps’ MaxConcurrency', () => {
    const changed = (a: unknown, b: unknown, at: string, out: string[]): string[] => {
      if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) changed((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`, out);
      } else if (a !== b) out.push(at);
      return out;
    };
    for (const { name, directory } of workflowDirectories(EXAMPLES_DIR)) {
      const { definition: compiled } = compileCleanly(directory);
      const paths = changed(compiled, adaptForLocal(compiled), '$', []);
      expect(paths.length, name).toBeGreaterThan(0);
      for (const p of paths) expect(p, name).toMatch(/\.(TimeoutSeconds|MaxConcurrency)$/);
    }
  });
});

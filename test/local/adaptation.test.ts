import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../compiler/index.js';
import {
  adaptForLocal,
  DISTRIBUTED_MAP_RUNNER_RESOURCE,
  distributedMapInRunner,
  INLINE_MAP_CONCURRENCY,
  inlineMapConcurrency,
  LOCAL_ADAPTATIONS,
  LONGEST_LOCAL_TIMEOUT_SECONDS,
  replaceDistributedMaps,
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
      container: {
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
        HeartbeatSeconds: 300,
        ResultPath: '$.results.container',
        Next: 'capped',
      },
      capped: {
        Type: 'Map',
        ItemsPath: '$.results.first.items',
        MaxConcurrency: 8,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'capped-task',
          States: { 'capped-task': { Type: 'Task', Resource: lambda('capped'), TimeoutSeconds: 2, End: true } },
        },
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
              ItemProcessor: {
                ProcessorConfig: { Mode: 'INLINE' },
                StartAt: 'inner-task',
                States: { 'inner-task': { Type: 'Task', Resource: lambda('inner'), End: true } },
              },
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
                ItemProcessor: {
                  ProcessorConfig: { Mode: 'INLINE' },
                  StartAt: 'wide-task',
                  States: { 'wide-task': { Type: 'Task', Resource: lambda('wide'), TimeoutSeconds: 30, End: true } },
                },
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

/** States an edit reaches into at any depth (Maps' ItemProcessor, Parallels' Branches) without a cast at each step. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test's deep edits of the ASL, typed by the definition they start from
type DeepStates = Record<string, any>;

/** `definition()` with `edit` applied to a copy. */
function edited(edit: (d: StateMachineDefinition & { States: DeepStates }) => void): StateMachineDefinition {
  const copy = definition() as StateMachineDefinition & { States: DeepStates };
  edit(copy);
  return copy;
}

const LONGEST = LONGEST_LOCAL_TIMEOUT_SECONDS;

describe('local adaptation passes', () => {
  it('are these four, in this order, each saying why', () => {
    expect(LOCAL_ADAPTATIONS.map((p) => p.name)).toEqual([
      'task-timeout-in-runner',
      'inline-map-concurrency',
      'task-parameters-in-handler',
      'distributed-map-in-runner',
    ]);
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
    expect(adaptForLocal(definition())).toStrictEqual({ definition: both, distributedMaps: new Map() });
    expect(adaptForLocal(definition(), [])).toStrictEqual({ definition: definition(), distributedMaps: new Map() });
  });

  it('on every compiled example, changes only Tasks’ TimeoutSeconds and Parameters, inline Maps’ MaxConcurrency and Distributed Maps (into Tasks)', () => {
    const changed = (a: unknown, b: unknown, at: string, out: string[]): string[] => {
      if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
        for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
          changed((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`, out);
      } else if (a !== b) out.push(at);
      return out;
    };
    for (const { name, directory } of workflowDirectories(EXAMPLES_DIR)) {
      const { definition: compiled } = compileCleanly(directory);
      const { definition: adapted, distributedMaps } = adaptForLocal(compiled);
      const replaced = [...distributedMaps.keys()];
      const paths = changed(compiled, adapted, '$', []).filter((p) => !replaced.some((name) => p.includes(`.States.${name}.`)));
      expect(paths.length, name).toBeGreaterThan(0);
      for (const p of paths) expect(p, name).toMatch(/\.(TimeoutSeconds|MaxConcurrency)$|\.Parameters\./);
    }
  });
});

/**
 * distributed-map-in-runner on a definition with a Distributed Map at the top (every field a Map run has),
 * one inside a Parallel branch, one inside an inline Map, and one inside another Distributed Map's child.
 */
describe('distributed-map-in-runner', () => {
  const child = (name: string) => ({ StartAt: name, States: { [name]: { Type: 'Task', Resource: lambda(name), TimeoutSeconds: 30, End: true } } });
  const distributed = (type: 'EXPRESS' | 'STANDARD') => ({ Mode: 'DISTRIBUTED', ExecutionType: type });
  const inner = { Type: 'Map', ItemsPath: '$.inner', ItemProcessor: { ProcessorConfig: distributed('EXPRESS'), ...child('inner-task') }, End: true };
  const top = {
    Type: 'Map',
    Comment: 'a Map run',
    InputPath: '$.in',
    OutputPath: '$.out',
    ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' } },
    ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index' },
    ItemBatcher: { MaxItemsPerBatch: 5, BatchInput: { 'params.$': '$.params' } },
    ItemProcessor: { ProcessorConfig: distributed('STANDARD'), StartAt: 'inner-map', States: { 'inner-map': inner } },
    MaxConcurrency: 500,
    ToleratedFailurePercentage: 5,
    ToleratedFailureCount: 3,
    ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'p' } },
    ResultSelector: { 'key.$': '$.ResultWriterDetails.Key' },
    ResultPath: '$.results.top',
    Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }],
    Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'done' }],
    Next: 'branches',
  };
  const inParallel = {
    Type: 'Map',
    ItemsPath: '$.items',
    ItemProcessor: { ProcessorConfig: distributed('EXPRESS'), ...child('branch-task') },
    ResultPath: null,
    End: true,
  };
  const inInline = { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: distributed('EXPRESS'), ...child('deep-task') }, End: true };
  const source = (): StateMachineDefinition =>
    ({
      StartAt: 'top',
      States: {
        top,
        branches: { Type: 'Parallel', Branches: [{ StartAt: 'in-parallel', States: { 'in-parallel': inParallel } }], ResultPath: null, Next: 'inline' },
        inline: {
          Type: 'Map',
          ItemsPath: '$.list',
          MaxConcurrency: 4,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'in-inline', States: { 'in-inline': inInline } },
          Next: 'done',
        },
        done: { Type: 'Pass', End: true },
      },
    }) as unknown as StateMachineDefinition;

  it('replaces each Distributed Map by a Task keeping its input, result, error handling and transition; nothing else changes', () => {
    const before = source();
    const after = distributedMapInRunner.apply(before);
    expect(after).toStrictEqual({
      StartAt: 'top',
      States: {
        top: {
          Type: 'Task',
          Resource: DISTRIBUTED_MAP_RUNNER_RESOURCE,
          Comment: 'a Map run',
          InputPath: '$.in',
          OutputPath: '$.out',
          ResultSelector: { 'key.$': '$.ResultWriterDetails.Key' },
          ResultPath: '$.results.top',
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1 }],
          Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], Next: 'done' }],
          TimeoutSeconds: LONGEST,
          Next: 'branches',
        },
        branches: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'in-parallel',
              States: { 'in-parallel': { Type: 'Task', Resource: DISTRIBUTED_MAP_RUNNER_RESOURCE, ResultPath: null, TimeoutSeconds: LONGEST, End: true } },
            },
          ],
          ResultPath: null,
          Next: 'inline',
        },
        inline: {
          Type: 'Map',
          ItemsPath: '$.list',
          MaxConcurrency: 4,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'in-inline',
            States: { 'in-inline': { Type: 'Task', Resource: DISTRIBUTED_MAP_RUNNER_RESOURCE, TimeoutSeconds: LONGEST, End: true } },
          },
          Next: 'done',
        },
        done: { Type: 'Pass', End: true },
      },
    });
    expect(before).toStrictEqual(source());
  });

  it('returns the Maps it replaced, by state name, with Distributed Maps inside their children replaced too', () => {
    const { definition: after, distributedMaps: maps } = replaceDistributedMaps(source());
    expect(after).toStrictEqual(distributedMapInRunner.apply(source()));
    expect([...maps.keys()].sort()).toEqual(['in-inline', 'in-parallel', 'inner-map', 'top']);
    expect(maps.get('top')).toStrictEqual({
      ...top,
      ItemProcessor: {
        ...top.ItemProcessor,
        States: { 'inner-map': { Type: 'Task', Resource: DISTRIBUTED_MAP_RUNNER_RESOURCE, TimeoutSeconds: LONGEST, End: true } },
      },
    });
    expect(maps.get('inner-map')).toStrictEqual(inner);
    expect(maps.get('in-parallel')).toStrictEqual(inParallel);
    // What it returned has none left to replace.
    expect(replaceDistributedMaps(after).distributedMaps.size).toBe(0);
  });

  it('after the other passes: a Distributed Map keeps its MaxConcurrency, its children’s Tasks get the long timeout', () => {
    const maps = adaptForLocal(source()).distributedMaps;
    expect(maps.get('top')?.MaxConcurrency).toBe(500);
    expect(maps.get('inner-map')?.ItemProcessor.States['inner-task']).toMatchObject({ TimeoutSeconds: LONGEST });
  });
});

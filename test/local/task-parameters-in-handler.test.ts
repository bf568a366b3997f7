import '../../lib/local/promise-polyfill.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../compiler/index.js';
import { adaptForLocal } from '../../lib/local/local-adaptation.js';
import { LOCAL_CONTEXT_KEY, LOCAL_INPUT_KEY, movedParameters, taskParametersInHandler, withParameters } from '../../lib/local/task-parameters-in-handler.js';
import type { TaskHandler } from '../../lib/local/task-handlers.js';

/**
 * task-parameters-in-handler moves a Task's Parameters from the interpreter into its local handler. What a
 * task receives must not change: each case runs the same definition twice through aws-local-stepfunctions,
 * as written (the interpreter evaluates Parameters) and adapted (the handler does), and compares every
 * payload the handlers saw.
 */

/** States the tests reach into at any depth (a Map's ItemProcessor) without a cast at each step. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test's deep reads of the ASL, typed by the definition they start from
type DeepStates = Record<string, any>;

const lambda = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:ork-local-${name}`;

const PAYLOAD = {
  ork: 1,
  'execution_id.$': '$$.Execution.Id',
  'attempt.$': '$$.State.RetryCount',
  'params.$': '$.params',
  'first.$': '$.params.list[0]',
  'deep.$': '$.params.nested.a.b',
  'falsy.$': '$.params.zero',
  'empty.$': '$.params.empty',
  'nothing.$': '$.params.none',
  constants: { text: 'x', list: [1, { 'n.$': '$.params.zero' }], flag: true, none: null },
  inputs: { 'whole.$': '$' },
};

function definition(): StateMachineDefinition {
  return {
    StartAt: 'top',
    States: {
      top: { Type: 'Task', Resource: lambda('top'), Parameters: PAYLOAD, ResultPath: '$.results.top', Next: 'each' },
      each: {
        Type: 'Map',
        ItemsPath: '$.params.list',
        ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index', 'params.$': '$.params' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'per-item',
          States: {
            'per-item': {
              Type: 'Task',
              Resource: lambda('per-item'),
              Parameters: { ...PAYLOAD, 'item.$': '$.item', 'item_index.$': '$.item_index' },
              End: true,
            },
          },
        },
        ResultPath: '$.results.each',
        Next: 'container',
      },
      // An intrinsic function: the interpreter keeps these Parameters.
      container: { Type: 'Task', Resource: lambda('container'), Parameters: { 'payload.$': 'States.JsonToString($.params)' }, ResultPath: null, End: true },
    },
  } as unknown as StateMachineDefinition;
}

const INPUT = { params: { list: ['a', 'b', 'c'], nested: { a: { b: [1, 2] } }, zero: 0, empty: '', none: null } };
const CONTEXT = { Execution: { Id: 'arn:aws:states:us-east-1:000000000000:execution:flow:run-1', Name: 'run-1' }, State: { RetryCount: 0 } };

async function payloadsSeen(machine: StateMachineDefinition, wrap: (state: string, handler: TaskHandler) => TaskHandler): Promise<Record<string, unknown[]>> {
  const seen: Record<string, unknown[]> = {};
  const handlers: Record<string, TaskHandler> = {};
  for (const state of ['top', 'per-item', 'container']) {
    const record: TaskHandler = (payload) => {
      (seen[state] ??= []).push(payload);
      return Promise.resolve({ from: state });
    };
    handlers[state] = wrap(state, record);
  }
  const execution = new StateMachine(machine as never, { validationOptions: { checkArn: true, checkPaths: true } }).run(INPUT as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: CONTEXT as never,
  });
  await execution.result;
  return seen;
}

describe('task-parameters-in-handler', () => {
  it('gives every task the payload the interpreter would have built from the same Parameters', async () => {
    const written = await payloadsSeen(definition(), (_, handler) => handler);
    const adapted = taskParametersInHandler.apply(definition());
    const moved = movedParameters(definition());
    const local = await payloadsSeen(adapted, (state, handler) => {
      const template = moved.get(state);
      return template ? withParameters(template, handler) : handler;
    });
    expect(local).toStrictEqual(written);
    expect(written['per-item']).toHaveLength(3);
    expect((written.top?.[0] as { falsy: unknown }).falsy).toBe(0);
  });

  it('moves only Parameters made of paths: a Task with an intrinsic function keeps its own', () => {
    const adapted = taskParametersInHandler.apply(definition()) as unknown as { States: DeepStates };
    const kept = { [`${LOCAL_INPUT_KEY}.$`]: '$', [`${LOCAL_CONTEXT_KEY}.$`]: '$$' };
    expect(adapted.States.top.Parameters).toStrictEqual(kept);
    expect(adapted.States.each.ItemProcessor.States['per-item'].Parameters).toStrictEqual(kept);
    expect(adapted.States.container.Parameters).toStrictEqual({ 'payload.$': 'States.JsonToString($.params)' });
    expect([...movedParameters(definition()).keys()]).toEqual(['top', 'per-item']);
    // Nothing else changes, and the input is not modified.
    const back = structuredClone(adapted);
    back.States.top.Parameters = PAYLOAD;
    back.States.each.ItemProcessor.States['per-item'].Parameters = (definition() as unknown as { States: DeepStates }).States.each.ItemProcessor.States[
      'per-item'
    ].Parameters;
    expect(back).toStrictEqual(definition());
  });

  it('is one of the local adaptations, before Distributed Maps leave the definition', () => {
    const adapted = adaptForLocal(definition()).definition as unknown as { States: DeepStates };
    expect(adapted.States.top.Parameters).toStrictEqual({ [`${LOCAL_INPUT_KEY}.$`]: '$', [`${LOCAL_CONTEXT_KEY}.$`]: '$$' });
  });

  it(
    'a path that selects nothing fails the execution with States.Runtime, which Retry and ' + 'Catch on States.ALL do not handle, as the interpreter does',
    async () => {
      const failing = (): StateMachineDefinition =>
        ({
          StartAt: 'task',
          States: {
            task: {
              Type: 'Task',
              Resource: lambda('task'),
              Parameters: { 'missing.$': '$.params.absent' },
              Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 0 }],
              Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught' }],
              End: true,
            },
            caught: { Type: 'Pass', Result: 'caught', End: true },
          },
        }) as unknown as StateMachineDefinition;
      const outcome = async (machine: StateMachineDefinition, handler: TaskHandler): Promise<{ error: string; calls: number }> => {
        let calls = 0;
        const counted: TaskHandler = (payload) => {
          calls++;
          return handler(payload);
        };
        try {
          await new StateMachine(machine as never).run(INPUT as never, { overrides: { taskResourceLocalHandlers: { task: counted } as never } }).result;
          return { error: 'none', calls };
        } catch (thrown) {
          const cause = thrown instanceof Error && thrown.cause instanceof Error ? thrown.cause : (thrown as Error);
          return { error: cause.name, calls };
        }
      };
      const handler: TaskHandler = () => Promise.resolve('ran');
      const written = await outcome(failing(), handler);
      const template = movedParameters(failing()).get('task');
      if (!template) throw new Error('the template was not moved');
      const local = await outcome(taskParametersInHandler.apply(failing()), withParameters(template, handler));
      expect(written).toStrictEqual({ error: 'States.Runtime', calls: 0 });
      // The wrapper is called once (the interpreter evaluates only the two paths it kept): not retried, not caught.
      expect(local).toStrictEqual({ error: 'States.Runtime', calls: 1 });
    },
  );
});

import { describe, expect, it } from 'vitest';
import { compile, permissiveHost } from '../../../compiler/index.js';
import type { State, StateMachineDefinition } from '../../../compiler/index.js';

/** Compiles an in-memory workflow whose task files all exist. */
function build(yaml: string) {
  const result = compile({ file: 'workflow.yaml', source: yaml, host: permissiveHost() });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.definition || !result.manifest) throw new Error('did not compile');
  return { definition: result.definition, manifest: result.manifest };
}

/** Every state of the machine by name, inside Parallel branches too (tasks never sit inside Maps). */
function statesOf(machine: { States: Record<string, State> }): Record<string, State> {
  const all: Record<string, State> = {};
  for (const [name, state] of Object.entries(machine.States)) {
    all[name] = state;
    if (state.Type === 'Parallel') for (const branch of state.Branches) Object.assign(all, statesOf(branch));
  }
  return all;
}

describe('skipped tasks', () => {
  it('a condition becomes a Choice before the task; false goes to a Pass that sets its result to null', () => {
    const { definition, manifest } = build(`
tasks:
  a: { file: a.py }
  b: { file: b.py, depends_on: [a], when: "a.n > 2" }
`);
    const states = statesOf(definition);
    expect(states['b-when']).toStrictEqual({
      Type: 'Choice',
      Comment: 'Run b when a.n > 2',
      Choices: [
        {
          And: [
            { Variable: '$.results.a.n', IsPresent: true },
            { Variable: '$.results.a.n', IsNumeric: true },
            { Variable: '$.results.a.n', NumericGreaterThan: 2 },
          ],
          Next: 'b',
        },
      ],
      Default: 'b-skipped',
    });
    expect(states['b-skipped']).toStrictEqual({
      Type: 'Pass',
      Comment: 'b is skipped: its result is null',
      Parameters: { 'params.$': '$.params', 'results.$': `States.JsonMerge($.results, States.StringToJson('{"b":null}'), false)` },
      Next: 'Ork-Done',
    });
    expect(manifest.tasks.find((t) => t.name === 'b')).toMatchObject({ when: 'a.n > 2', skipState: 'b-skipped' });
    // a's output keeps the field the condition reads when it is stored.
    expect((states.a as { Parameters: Record<string, unknown> }).Parameters.condition_fields).toStrictEqual([['n']]);
  });

  it('a skip carries down required dependencies, not through if: always, and the upstream test comes first', () => {
    const { definition, manifest } = build(`
tasks:
  a: { file: a.py, when: "params.go == true" }
  b: { file: b.py, depends_on: [a], when: "a.n > 2" }
  c: { file: c.py, depends_on: [b] }
  d: { file: d.py, depends_on: [{ task: c, if: always }] }
`);
    const states = statesOf(definition);
    const b = states['b-when'] as { Choices: unknown[] };
    expect(b.Choices[0]).toStrictEqual({
      Or: [{ Not: { Variable: '$.results.a', IsPresent: true } }, { Variable: '$.results.a', IsNull: true }],
      Next: 'b-skipped',
    });
    expect(states['c-when']).toStrictEqual({
      Type: 'Choice',
      Comment: 'Skip c when b was skipped',
      Choices: [{ Or: [{ Not: { Variable: '$.results.b', IsPresent: true } }, { Variable: '$.results.b', IsNull: true }], Next: 'c-skipped' }],
      Default: 'c',
    });
    expect(states['d-when']).toBeUndefined();
    expect(manifest.tasks.find((t) => t.name === 'd')).toMatchObject({ runsAfterSkipped: ['c'] });
    expect(manifest.tasks.find((t) => t.name === 'd')?.skipState).toBeUndefined();
  });

  it('an unquoted when: false (a YAML boolean) is the constant condition', () => {
    const { definition } = build(`
tasks:
  a: { file: a.py, when: false }
`);
    expect((statesOf(definition)['a-when'] as { Choices: unknown[]; Default: string }).Choices).toStrictEqual([
      { Not: { Variable: '$', IsPresent: true }, Next: 'a' },
    ]);
  });

  it('a task with several upstreams that may be skipped is skipped when any of them was', () => {
    const { definition } = build(`
tasks:
  a: { file: a.py, when: "params.x == 1" }
  b: { file: b.py, when: "params.y == 1" }
  c: { file: c.py, depends_on: [a, b] }
`);
    expect((statesOf(definition)['c-when'] as { Choices: unknown[] }).Choices[0]).toStrictEqual({
      Or: [
        { Not: { Variable: '$.results.a', IsPresent: true } },
        { Variable: '$.results.a', IsNull: true },
        { Not: { Variable: '$.results.b', IsPresent: true } },
        { Variable: '$.results.b', IsNull: true },
      ],
      Next: 'c-skipped',
    });
  });
});

describe('on_failure', () => {
  const { definition, manifest } = build(`
tasks:
  a: { file: a.py }
  b: { file: b.py, foreach: a.items }
on_failure:
  file: alert.py
  retries: 1
`);
  const top = definition as StateMachineDefinition;

  it('wraps the body in one Parallel whose Catch reads the failure, runs the handler, and fails with the original error', () => {
    expect(Object.keys(top.States)).toStrictEqual([
      'Ork-Start',
      'Ork-Workflow',
      'Ork-Failure-Read',
      'Ork-Failure-Unwrap',
      'Ork-Failure-Unwrapped',
      'Ork-Failure-Plain',
      'on_failure',
      'Ork-Failed',
      'Ork-Done',
    ]);
    expect(top.States['Ork-Workflow']).toMatchObject({
      Type: 'Parallel',
      ResultSelector: { 'params.$': '$[0].params', 'results.$': '$[0].results' },
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.ork_caught', Next: 'Ork-Failure-Read' }],
      Next: 'Ork-Done',
    });
    expect(top.States['Ork-Failed']).toStrictEqual({
      Type: 'Fail',
      Comment: 'The workflow failed: its original error and cause',
      ErrorPath: '$.failure.error',
      CausePath: '$.failure.cause',
    });
    expect(top.States.on_failure).toMatchObject({
      Type: 'Task',
      ResultPath: null,
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.ork_handler_error', Next: 'Ork-Failed' }],
      Next: 'Ork-Failed',
      Parameters: { task: 'on_failure', 'failure.$': '$.failure', inputs: {} },
    });
    expect(manifest.tasks.at(-1)).toMatchObject({ name: 'on_failure', role: 'on_failure', file: 'alert.py', dependsOn: [] });
  });

  it("names the failing task: its running states catch and rethrow, and the fan-out's own checks go the same way", () => {
    const states = statesOf(top);
    expect((states.a as { Catch: unknown }).Catch).toStrictEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.ork_error', Next: 'a-failure' }]);
    expect(states['a-failure']).toMatchObject({
      Parameters: { 'error.$': '$.ork_error.Error', wrapper: { ork_failure: { task: 'a', instance: 'a', 'cause.$': '$.ork_error.Cause' } } },
    });
    expect(states['b-failure']).toMatchObject({ Parameters: { wrapper: { ork_failure: { task: 'b', instance: null } } } });
    expect(states['b-rethrow']).toMatchObject({ Type: 'Fail', ErrorPath: '$.error', CausePath: '$.cause' });
    expect(states['b-not-a-list']).toMatchObject({ Type: 'Pass', Parameters: { ork_error: { Error: 'Ork.FanOutSourceNotAList' } }, Next: 'b-failure' });
    expect(Object.values(states).filter((s) => s.Type === 'Fail' && 'Error' in s)).toEqual([]);
  });
});

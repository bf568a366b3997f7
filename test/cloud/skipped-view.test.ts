import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition, TaskState } from '../../compiler/index.js';
import { printOutcome } from '../../lib/cli/commands/execution-outcome.js';
import type { Io } from '../../lib/cli/terminal.js';
import { executionView } from '../../lib/cloud/execution-view.js';
import type { ExecutionSnapshot } from '../../lib/cloud/watch-execution.js';
import { readWorkflowShape } from '../../lib/cloud/workflow-shape.js';

/**
 * `ork status` and `ork start --wait` of a workflow with `when:` and `on_failure:` (issue 15). AWS keeps the
 * definition, not the manifest, so a task's skip state is found by what it does (it sets the task's result
 * to null), whatever its name; entering it in the history (PassStateEntered) makes the task skipped, not
 * pending. The on_failure handler's failure is reported beside the execution's error, never in its place.
 */

const lambda = (task: string): TaskState => ({
  Type: 'Task',
  Resource: `arn:aws:lambda:us-east-1:123456789012:function:${task}`,
  Parameters: { ork: 1, workflow: 'w', task, 'params.$': '$.params' },
  ResultPath: `$.results.${task}`,
  Next: 'Ork-Done',
});

/** a: skipped the way skip-guard.ts emits it; b: the design's `Result: null` form, under a hashed name. */
const DEFINITION: StateMachineDefinition = {
  StartAt: 'Ork-Start',
  States: {
    'Ork-Start': { Type: 'Pass', Parameters: { 'params.$': '$', results: {} }, Next: 'a-when' },
    'a-when': { Type: 'Choice', Choices: [{ Variable: '$.params.go', IsPresent: true, Next: 'a' }], Default: 'a-skipped' },
    'a-skipped': {
      Type: 'Pass',
      Comment: 'a is skipped: its result is null',
      Parameters: { 'params.$': '$.params', 'results.$': `States.JsonMerge($.results, States.StringToJson('{"a":null}'), false)` },
      Next: 'b_0123abcd-skipped',
    },
    a: { ...lambda('a'), Next: 'b_0123abcd-skipped' },
    'b_0123abcd-skipped': { Type: 'Pass', Result: null, ResultPath: '$.results.b', Next: 'b' },
    b: { ...lambda('b'), Next: 'not-a-skip' },
    // Neither sets a task's result to null: not skip states.
    'not-a-skip': {
      Type: 'Pass',
      Parameters: { 'params.$': '$.params', 'results.$': `States.JsonMerge($.results, States.StringToJson('{"c":1}'), false)` },
      Next: 'c-skipped',
    },
    'c-skipped': { Type: 'Pass', Result: {}, ResultPath: '$.results.c', Next: 'c' },
    c: { ...lambda('c'), Next: 'on_failure' },
    on_failure: { ...lambda('on_failure'), ResultPath: null, Next: 'Ork-Done' },
    'Ork-Done': { Type: 'Pass', InputPath: '$.results', End: true },
  },
};

const at = (seconds: number): Date => new Date(Date.UTC(2026, 11, 6, 12, 0, seconds));

/** a skipped; c fails and is caught (its state exits); the handler fails; the execution fails with c's error. */
const HISTORY: HistoryEvent[] = [
  { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
  { id: 2, previousEventId: 1, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'Ork-Start' }, timestamp: at(0) },
  { id: 3, previousEventId: 2, type: 'PassStateExited', stateExitedEventDetails: { name: 'Ork-Start' }, timestamp: at(0) },
  { id: 4, previousEventId: 3, type: 'ChoiceStateEntered', stateEnteredEventDetails: { name: 'a-when' }, timestamp: at(0) },
  { id: 5, previousEventId: 4, type: 'ChoiceStateExited', stateExitedEventDetails: { name: 'a-when' }, timestamp: at(0) },
  { id: 6, previousEventId: 5, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'a-skipped' }, timestamp: at(1) },
  { id: 7, previousEventId: 6, type: 'PassStateExited', stateExitedEventDetails: { name: 'a-skipped' }, timestamp: at(1) },
  { id: 8, previousEventId: 7, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'c' }, timestamp: at(2) },
  { id: 9, previousEventId: 8, type: 'LambdaFunctionScheduled', timestamp: at(2) },
  {
    id: 10,
    previousEventId: 9,
    type: 'LambdaFunctionFailed',
    lambdaFunctionFailedEventDetails: { error: 'ValueError', cause: '{"errorMessage":"c broke"}' },
    timestamp: at(3),
  },
  { id: 11, previousEventId: 10, type: 'TaskStateExited', stateExitedEventDetails: { name: 'c' }, timestamp: at(3) },
  { id: 12, previousEventId: 11, type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'on_failure' }, timestamp: at(4) },
  { id: 13, previousEventId: 12, type: 'LambdaFunctionScheduled', timestamp: at(4) },
  {
    id: 14,
    previousEventId: 13,
    type: 'LambdaFunctionFailed',
    lambdaFunctionFailedEventDetails: { error: 'RuntimeError', cause: '{"errorMessage":"alert broke"}' },
    timestamp: at(5),
  },
  {
    id: 15,
    previousEventId: 14,
    type: 'ExecutionFailed',
    executionFailedEventDetails: { error: 'ValueError', cause: '{"errorMessage":"c broke"}' },
    timestamp: at(5),
  },
];

describe('skip states and the handler on AWS', () => {
  const shape = readWorkflowShape(DEFINITION, 'w');

  it('reads each skip state from the definition by what it does, and the handler by its reserved name', () => {
    const byName = new Map(shape.tasks.map((t) => [t.name, t]));
    expect(byName.get('a')?.skipState).toBe('a-skipped');
    expect(byName.get('b')?.skipState).toBe('b_0123abcd-skipped');
    expect(byName.get('c')?.skipState).toBeUndefined();
    expect(byName.get('on_failure')?.role).toBe('on_failure');
    expect(byName.get('a')?.role).toBeUndefined();
  });

  it('a task whose skip state was entered is skipped; the handler’s failure does not replace the execution’s', () => {
    const view = executionView(HISTORY, shape, true);
    expect(view.tasks.get('a')).toMatchObject({ skipped: true, instances: 0 });
    expect(view.tasks.get('b')?.skipped).toBeUndefined();
    // Caught, its state exited: failed all the same.
    expect(view.tasks.get('c')).toMatchObject({ instances: 1, succeeded: 0, failed: 1 });
    expect(view.failure).toEqual({ task: 'c', error: 'ValueError', cause: '{"errorMessage":"c broke"}' });
    expect(view.onFailureError).toEqual({ task: 'on_failure', error: 'RuntimeError', cause: '{"errorMessage":"alert broke"}' });
  });

  it('a handler whose retry succeeded has no failure to report', () => {
    const retried: HistoryEvent[] = [
      ...HISTORY.slice(0, 14),
      { id: 15, previousEventId: 14, type: 'LambdaFunctionScheduled', timestamp: at(6) },
      { id: 16, previousEventId: 15, type: 'LambdaFunctionSucceeded', timestamp: at(7) },
      { id: 17, previousEventId: 16, type: 'TaskStateExited', stateExitedEventDetails: { name: 'on_failure' }, timestamp: at(7) },
    ];
    const view = executionView(retried, shape, false);
    expect(view.onFailureError).toBeUndefined();
    expect(view.tasks.get('on_failure')).toMatchObject({ succeeded: 1, failed: 0, retried: 1 });
  });

  function outcome(json: boolean): string {
    let stdout = '';
    const io = { stdout: { write: (text: string) => void (stdout += text) } } as unknown as Io;
    const snapshot: ExecutionSnapshot = {
      status: 'FAILED',
      view: executionView(HISTORY, shape, true),
      error: 'ValueError',
      cause: '{"errorMessage":"c broke"}',
      startDate: at(0),
      stopDate: at(5),
    };
    printOutcome(io, 'arn:aws:states:us-east-1:123456789012:execution:w:x', snapshot, json, shape);
    return stdout;
  }

  it('ork status --json: each task’s status once the execution ended, the handler’s failure apart from the error', () => {
    const json = JSON.parse(outcome(true)) as {
      tasks: Record<string, { status?: string }>;
      error: { error: string; task: string };
      onFailureError: { error: string; cause: string; task: string };
    };
    expect(Object.fromEntries(Object.entries(json.tasks).map(([name, t]) => [name, t.status]))).toEqual({
      a: 'skipped',
      b: 'cancelled',
      c: 'failed',
      on_failure: 'failed',
    });
    expect(json.error).toMatchObject({ error: 'ValueError', task: 'c' });
    expect(json.onFailureError).toEqual({ error: 'RuntimeError', cause: '{"errorMessage":"alert broke"}', task: 'on_failure' });
  });

  it('ork status: the handler’s failure in one line after the execution’s error', () => {
    expect(outcome(false).split('\n')).toEqual([
      'FAILED after 5.0s',
      "  task 'c': ValueError: c broke",
      '  on_failure handler failed: RuntimeError: alert broke',
      '',
    ]);
  });
});

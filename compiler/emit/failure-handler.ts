import { ON_FAILURE_TASK, type TaskSpec } from '../model/index.js';
import type { Catcher, FailState, ParallelState, PassState, State } from './asl-types.js';
import { chain, close, single, type Fragment } from './fragment.js';
import { StatePaths } from './payload.js';
import { runInstance } from './run-instance.js';
import type { StateNames } from './state-names.js';

/**
 * `on_failure:` (docs/conditions.md). A Catch sees only an error name and a cause, so a task's failure
 * leaves its task as a rethrow whose cause is `{"ork_failure": {task, instance, cause}}` (JSON text); the
 * workflow's Catch unwraps it for the handler, and the run ends with the original error and cause.
 */

/**
 * The key of a failure a task names itself in (`{"ork_failure": …}` as the cause's JSON text). Only the machine
 * writes and reads it: the handler receives the failure unwrapped.
 */
export const FAILURE_MARKER = 'ork_failure';

/** Where the workflow's Catch puts what it caught, and where the handler's input is built. */
const CAUGHT = '$.ork_caught';
const FAILURE = '$.failure';

/**
 * Where a task's Catch puts `{Error, Cause}`. Not `$`, which replaces the state on AWS: aws-local-stepfunctions
 * writes a key named `$` instead.
 */
const TASK_ERROR = '$.ork_error';

/** A task's failure leaves it here, with what its Catch caught at TASK_ERROR. */
function wrapFailure(task: TaskSpec, instance: string | null, names: StateNames): { start: string; states: Record<string, State> } {
  const describe = names.helper(task.name, 'failure');
  const text = names.helper(task.name, 'failure-text');
  const rethrow = names.helper(task.name, 'rethrow');
  return {
    start: describe,
    states: {
      [describe]: {
        Type: 'Pass',
        Comment: `${task.name} failed: name it in the cause the workflow's Catch reads`,
        Parameters: { 'error.$': `${TASK_ERROR}.Error`, wrapper: { [FAILURE_MARKER]: { task: task.name, instance, 'cause.$': `${TASK_ERROR}.Cause` } } },
        Next: text,
      },
      [text]: { Type: 'Pass', Parameters: { 'error.$': '$.error', 'cause.$': 'States.JsonToString($.wrapper)' }, Next: rethrow },
      [rethrow]: { Type: 'Fail', Comment: `The error of ${task.name}, its cause wrapped`, ErrorPath: '$.error', CausePath: '$.cause' },
    },
  };
}

/**
 * A task's states, with every failure of the task itself named: the states that run it (Task, Map,
 * Parallel at the top of its fragment) catch all errors after their retries, and the machine's own checks
 * (a fan-out's Fail states) go the same way.
 */
export function nameFailures(task: TaskSpec, body: Fragment, names: StateNames): Fragment {
  const wrap = wrapFailure(task, task.fanOut ? null : task.name, names);
  const catcher: Catcher = { ErrorEquals: ['States.ALL'], ResultPath: TASK_ERROR, Next: wrap.start };
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(body.states)) {
    if (state.Type === 'Task' || state.Type === 'Map' || state.Type === 'Parallel') {
      states[name] = { ...state, Catch: [...(state.Catch ?? []), catcher] };
    } else if (state.Type === 'Fail' && 'Error' in state) {
      const raise: PassState = {
        Type: 'Pass',
        Comment: state.Comment ?? `${task.name} fails`,
        Parameters: { ork_error: { Error: state.Error, Cause: state.Cause } },
        Next: wrap.start,
      };
      states[name] = raise;
    } else {
      states[name] = state;
    }
  }
  return { start: body.start, states: { ...states, ...wrap.states }, exits: body.exits };
}

/**
 * The workflow's body as one Parallel branch whose Catch runs the handler, then fails the run with the
 * error and cause it caught. A handler that fails is caught too: it never replaces the original error.
 */
export function withFailureHandler(body: Fragment, handler: TaskSpec, workflow: string, names: StateNames): Fragment {
  const run = names.internal('Workflow');
  const read = names.internal('Failure-Read');
  const unwrap = names.internal('Failure-Unwrap');
  const unwrapped = names.internal('Failure-Unwrapped');
  const plain = names.internal('Failure-Plain');
  const failed = names.internal('Failed');
  const handlerState = names.instanceState(ON_FAILURE_TASK, 'inline');
  const executionId = { 'execution_id.$': '$$.Execution.Id' };

  const workflowState: ParallelState = {
    Type: 'Parallel',
    Comment: 'The workflow, whose failure runs the on_failure handler',
    Branches: [close(body)],
    ResultSelector: { 'params.$': '$[0].params', 'results.$': '$[0].results' },
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: CAUGHT, Next: read }],
  };
  const handlerRun = runInstance(
    handler,
    workflow,
    { parallelIndex: 0, parallelCount: 1, params: StatePaths.params, inputs: {}, failure: FAILURE },
    { stateName: handlerState, resultPath: null, catchAll: { ErrorEquals: ['States.ALL'], ResultPath: '$.ork_handler_error', Next: failed } },
    (suffix) => names.helper(ON_FAILURE_TASK, suffix),
  );
  const fail: FailState = {
    Type: 'Fail',
    Comment: 'The workflow failed: its original error and cause',
    ErrorPath: `${FAILURE}.error`,
    CausePath: `${FAILURE}.cause`,
  };
  const states: Record<string, State> = {
    [run]: workflowState,
    [read]: {
      Type: 'Choice',
      Comment: 'A task named itself in the cause, or the failure came from elsewhere',
      Choices: [{ Variable: `${CAUGHT}.Cause`, StringMatches: `{"${FAILURE_MARKER}":*`, Next: unwrap }],
      Default: plain,
    },
    [unwrap]: {
      Type: 'Pass',
      Parameters: { 'params.$': StatePaths.params, 'error.$': `${CAUGHT}.Error`, 'wrapped.$': `States.StringToJson(${CAUGHT}.Cause)` },
      Next: unwrapped,
    },
    [unwrapped]: {
      Type: 'Pass',
      Comment: 'The handler input: which task failed, with its own error and cause',
      Parameters: {
        'params.$': StatePaths.params,
        failure: {
          'task.$': `$.wrapped.${FAILURE_MARKER}.task`,
          'instance.$': `$.wrapped.${FAILURE_MARKER}.instance`,
          'error.$': '$.error',
          'cause.$': `$.wrapped.${FAILURE_MARKER}.cause`,
          ...executionId,
        },
      },
      Next: handlerRun.start,
    },
    [plain]: {
      Type: 'Pass',
      Comment: 'The handler input: a failure of no one task (a state of the machine)',
      Parameters: {
        'params.$': StatePaths.params,
        failure: { task: null, instance: null, 'error.$': `${CAUGHT}.Error`, 'cause.$': `${CAUGHT}.Cause`, ...executionId },
      },
      Next: handlerRun.start,
    },
    // The handler, then the Fail: whatever the handler did, the run ends with the original error.
    ...chain([handlerRun, single(failed, fail)]).states,
  };
  return { start: run, states, exits: [run] };
}

import type { FailureTolerance, TaskSpec } from '../model/index.js';
import type { Catcher, PassState, PayloadTemplate, State } from './asl-types.js';
import { Markers } from '../../lambdas/contract/contract.js';
import type { Fragment } from './fragment.js';
import { failState } from './fan-out-guards.js';
import { StatePaths } from './payload.js';
import type { StateNames } from './state-names.js';

/**
 * Inline mode's error when more instances failed than tolerated: AWS's name for a Distributed Map's, with
 * Ork's prefix, since error names of a machine's own Fail states must not begin with `States.` (the ASL
 * specification; moto enforces it at run time).
 */
export const TOLERANCE_EXCEEDED = 'Ork.ExceedToleratedFailureThreshold';
/** Where a caught instance's error sits in its input. */
const ERROR_PATH = '$.ork_error';

function describe(tolerance: FailureTolerance): string {
  return tolerance.kind === 'count' ? `${tolerance.count}` : `${tolerance.percent}%`;
}

/**
 * Inline mode: a failed instance (after its retries) is caught and becomes `{"ork_failed": …}` in the
 * list of outputs, in its place (docs/scale.md); the runtimes hand downstream tasks the rest.
 */
export function catchInstanceFailure(
  names: StateNames,
  task: TaskSpec,
  fields: { readonly itemIndex: boolean; readonly parallelIndex: boolean },
): { readonly catcher: Catcher; readonly states: Record<string, State>; readonly exit: string } {
  const name = names.helper(task.name, 'failed');
  const marker: PayloadTemplate = { 'error.$': `${ERROR_PATH}.Error`, 'cause.$': `${ERROR_PATH}.Cause` };
  if (fields.itemIndex) marker['item_index.$'] = '$.item_index';
  if (fields.parallelIndex) marker['parallel_index.$'] = '$.parallel_index';
  const state: PassState = { Type: 'Pass', Comment: `A failed instance of ${task.name}, tolerated`, Parameters: { [Markers.failed]: marker } };
  return { catcher: { ErrorEquals: ['States.ALL'], ResultPath: ERROR_PATH, Next: name }, states: { [name]: state }, exit: name };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Inline mode: after the Map, fail the run when more instances failed than tolerated.
 *
 * A JSONPath filter that matches nothing is an error in the local interpreter, so the list is first
 * wrapped in place beside a sentinel failure (in place: a copy would double the state) and every count
 * below is one more than the real one. A count compares directly (is there a failure at index
 * `count + 1`?). A percentage needs `failed × 100 > p × total`, and ASL has no multiplication: each side is
 * built as a range repeated as often as its factor, flattened, and measured.
 */
export function checkToleratedFailures(
  names: StateNames,
  task: TaskSpec,
  output: string,
  tolerance: FailureTolerance,
  knownTotal: number | undefined,
): Fragment | undefined {
  if (tolerance.kind === 'percent' && tolerance.percent >= 100) return undefined;
  const exceeded = names.helper(task.name, 'too-many-failed');
  const scratch = StatePaths.scratch;
  const fail = failState(TOLERANCE_EXCEEDED, `task '${task.name}': more instances failed than tolerate_failures: ${describe(tolerance)} allows`);
  const count: number | undefined =
    tolerance.kind === 'count'
      ? tolerance.count
      : tolerance.percent === 0
        ? 0
        : knownTotal !== undefined
          ? Math.floor((knownTotal * tolerance.percent) / 100)
          : undefined;

  const wrap = names.helper(task.name, 'failures-wrap');
  const collect = names.helper(task.name, 'failures');
  const unwrap = names.helper(task.name, 'failures-unwrap');
  const check = names.helper(task.name, 'check-failures');
  const states: Record<string, State> = {
    [wrap]: {
      Type: 'Pass',
      Comment: `The outputs of ${task.name} beside a sentinel failure, so that the filter below always matches`,
      Parameters: { 'outputs.$': output, sentinel: [{ [Markers.failed]: { error: 'sentinel' } }] },
      ResultPath: output,
      Next: collect,
    },
    [collect]: {
      Type: 'Pass',
      Comment: `Errors of the failed instances of ${task.name} (and the sentinel's), and the instance count`,
      Parameters: { 'failed.$': `${output}.*[?(@.${Markers.failed})].${Markers.failed}.error`, 'total.$': `States.ArrayLength(${output}.outputs)` },
      ResultPath: scratch,
      Next: unwrap,
    },
    [unwrap]: { Type: 'Pass', InputPath: `${output}.outputs`, ResultPath: output, Next: check },
  };
  if (count !== undefined) {
    states[check] = { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed[${count + 1}]`, IsPresent: true, Next: exceeded }], Default: '' };
    states[exceeded] = fail;
    return { start: wrap, states, exits: [check] };
  }
  const percent = tolerance.kind === 'percent' ? tolerance.percent : 0;
  const divisor = gcd(percent, 100);
  const [a, b] = [percent / divisor, 100 / divisor];
  const repeat = (paths: readonly string[]): string => `States.Array(${paths.join(', ')})`;
  const times = (path: string, n: number): string[] => Array.from({ length: n }, () => path);
  const ranges = names.helper(task.name, 'failure-ranges');
  const scale = names.helper(task.name, 'failure-scale');
  const flatten = names.helper(task.name, 'failure-flatten');
  const measure = names.helper(task.name, 'failure-measure');
  const compare = names.helper(task.name, 'check-failure-share');
  // Any real failure at all? (index 0 always holds one: the sentinel's or a real one.)
  states[check] = { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed[1]`, IsPresent: true, Next: ranges }], Default: '' };
  Object.assign(states, {
    // (f + 1) × b against t × a + b, that is f × b against t × a, where a/b is the percentage over 100, reduced.
    [ranges]: {
      Type: 'Pass',
      Parameters: {
        'failed.$': `States.ArrayRange(1, States.ArrayLength(${scratch}.failed), 1)`,
        'total.$': `States.ArrayRange(1, ${scratch}.total, 1)`,
        pad: Array.from({ length: b }, () => 1),
      },
      ResultPath: scratch,
      Next: scale,
    },
    [scale]: {
      Type: 'Pass',
      Parameters: { 'failed.$': repeat(times(`${scratch}.failed`, b)), 'total.$': repeat([...times(`${scratch}.total`, a), `${scratch}.pad`]) },
      ResultPath: scratch,
      Next: flatten,
    },
    [flatten]: { Type: 'Pass', Parameters: { 'failed.$': `${scratch}.failed[*][*]`, 'total.$': `${scratch}.total[*][*]` }, ResultPath: scratch, Next: measure },
    [measure]: {
      Type: 'Pass',
      Parameters: { 'failed.$': `States.ArrayLength(${scratch}.failed)`, 'total.$': `States.ArrayLength(${scratch}.total)` },
      ResultPath: scratch,
      Next: compare,
    },
    [compare]: { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed`, NumericGreaterThanPath: `${scratch}.total`, Next: exceeded }], Default: '' },
    [exceeded]: fail,
  } satisfies Record<string, State>);
  return { start: wrap, states, exits: [check, compare] };
}

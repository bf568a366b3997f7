import type { FailureTolerance, TaskSpec } from '../model/index.js';
import type { Catcher, PassState, PayloadTemplate, State } from './asl-types.js';
import { chain, single, type Fragment } from './fragment.js';
import { failState } from './fan-out-guards.js';
import { StatePaths } from './payload.js';
import type { StateNames } from './state-names.js';

/** AWS's own error when a Distributed Map has more failed items than it tolerates; inline mode uses the same. */
export const TOLERANCE_EXCEEDED = 'States.ExceedToleratedFailureThreshold';
/** Where a caught instance's error sits in its input. */
const ERROR_PATH = '$.ork_error';

function describe(tolerance: FailureTolerance): string {
  return tolerance.kind === 'count' ? `${tolerance.count}` : `${tolerance.percent}%`;
}

/**
 * Inline mode: a failed instance (after its retries) is caught and becomes `{"ork_failed": …}` in the
 * list of outputs, in its place (docs/scale.md); the runtimes hand downstream tasks the rest.
 */
export function catchInstanceFailure(names: StateNames, task: TaskSpec, fields: { readonly itemIndex: boolean; readonly parallelIndex: boolean }): { readonly catcher: Catcher; readonly states: Record<string, State>; readonly exit: string } {
  const name = names.helper(task.name, 'failed');
  const marker: PayloadTemplate = { 'error.$': `${ERROR_PATH}.Error`, 'cause.$': `${ERROR_PATH}.Cause` };
  if (fields.itemIndex) marker['item_index.$'] = '$.item_index';
  if (fields.parallelIndex) marker['parallel_index.$'] = '$.parallel_index';
  const state: PassState = { Type: 'Pass', Comment: `A failed instance of ${task.name}, tolerated`, Parameters: { ork_failed: marker } };
  return { catcher: { ErrorEquals: ['States.ALL'], ResultPath: ERROR_PATH, Next: name }, states: { [name]: state }, exit: name };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Inline mode: after the Map, fail the run when more instances failed than tolerated. A count compares
 * directly (is there a failure at index `count`?). A percentage needs `failed × 100 > p × total`, and ASL
 * has no multiplication: each side is built as a list repeated as often as the factor, flattened, and
 * measured.
 */
export function checkToleratedFailures(names: StateNames, task: TaskSpec, output: string, tolerance: FailureTolerance, knownTotal: number | undefined): Fragment | undefined {
  const exceeded = names.helper(task.name, 'too-many-failed');
  const scratch = StatePaths.scratch;
  const failedErrors = `${output}[?(@.ork_failed)].ork_failed.error`;
  const fail = failState(TOLERANCE_EXCEEDED, `task '${task.name}': more instances failed than tolerate_failures: ${describe(tolerance)} allows`);
  let count: number | undefined = tolerance.kind === 'count' ? tolerance.count : knownTotal !== undefined ? Math.floor((knownTotal * tolerance.percent) / 100) : undefined;
  if (tolerance.kind === 'percent' && tolerance.percent === 0) count = 0;
  if (tolerance.kind === 'percent' && tolerance.percent >= 100) return undefined;
  if (count !== undefined) {
    const collect = names.helper(task.name, 'failures');
    const check = names.helper(task.name, 'check-failures');
    return chain([
      single(collect, { Type: 'Pass', Comment: `Errors of the failed instances of ${task.name}`, Parameters: { 'failed.$': failedErrors }, ResultPath: scratch }),
      { start: check, states: { [check]: { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed[${count}]`, IsPresent: true, Next: exceeded }], Default: '' }, [exceeded]: fail }, exits: [check] },
    ]);
  }
  const percent = tolerance.kind === 'percent' ? tolerance.percent : 0;
  const divisor = gcd(percent, 100);
  const [a, b] = [percent / divisor, 100 / divisor];
  const repeat = (path: string, times: number): string => `States.Array(${Array.from({ length: times }, () => path).join(', ')})`;
  const collect = names.helper(task.name, 'failures');
  const any = names.helper(task.name, 'any-failed');
  const ranges = names.helper(task.name, 'failure-ranges');
  const scale = names.helper(task.name, 'failure-scale');
  const flatten = names.helper(task.name, 'failure-flatten');
  const measure = names.helper(task.name, 'failure-measure');
  const compare = names.helper(task.name, 'check-failures');
  const states: Record<string, State> = {
    [collect]: { Type: 'Pass', Comment: `Errors of the failed instances of ${task.name}, and the instance count`, Parameters: { 'failed.$': failedErrors, 'total.$': `States.ArrayLength(${output})` }, ResultPath: scratch, Next: any },
    [any]: { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed[0]`, IsPresent: true, Next: ranges }], Default: '' },
    [ranges]: { Type: 'Pass', Parameters: { 'failed.$': `States.ArrayRange(1, States.ArrayLength(${scratch}.failed), 1)`, 'total.$': `States.ArrayRange(1, ${scratch}.total, 1)` }, ResultPath: scratch, Next: scale },
    // failed × b against total × a, where a/b is the percentage as a reduced fraction of 100.
    [scale]: { Type: 'Pass', Parameters: { 'failed.$': repeat(`${scratch}.failed`, b), 'total.$': repeat(`${scratch}.total`, a) }, ResultPath: scratch, Next: flatten },
    [flatten]: { Type: 'Pass', Parameters: { 'failed.$': `${scratch}.failed[*][*]`, 'total.$': `${scratch}.total[*][*]` }, ResultPath: scratch, Next: measure },
    [measure]: { Type: 'Pass', Parameters: { 'failed.$': `States.ArrayLength(${scratch}.failed)`, 'total.$': `States.ArrayLength(${scratch}.total)` }, ResultPath: scratch, Next: compare },
    [compare]: { Type: 'Choice', Choices: [{ Variable: `${scratch}.failed`, NumericGreaterThanPath: `${scratch}.total`, Next: exceeded }], Default: '' },
    [exceeded]: fail,
  };
  return { start: collect, states, exits: [any, compare] };
}

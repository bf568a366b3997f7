import type { FieldReference, TaskSpec } from '../model/index.js';
import type { ChoiceRule, FailState, State } from './asl-types.js';
import { Markers } from '../../lambdas/contract/contract.js';
import { fieldPath, StatePaths } from './payload.js';
import type { StateNames } from './state-names.js';

/** Fail states a guard Choice can jump to, and its rules in order (the first match wins). */
export interface Guards {
  readonly states: Record<string, State>;
  readonly rules: ChoiceRule[];
}

export function failState(error: string, cause: string): FailState {
  return { Type: 'Fail', Error: error, Cause: cause };
}

/** The first Choice of a run-time count's checks and what leads from it to the second (see countGuards). */
export interface CountCheck {
  /** The first Choice: missing, not a number, negative, zero, too many. */
  readonly start: string;
  /** The first Choice and the Pass after it, which leads to `next`. */
  readonly states: Record<string, State>;
  /** The second Choice, the caller's to build from `guards` (its routes after the whole-number rules). */
  readonly next: string;
}

/**
 * A count that is missing, negative, not a whole number or too large fails the run; zero runs no instance.
 *
 * Two Choices, since no Choice rule tests whether a number is whole, and States.ArrayRange fails a fraction
 * with a States.Runtime that names no task (AWS's States.MathAdd would round 2.5 first and run 3 instances):
 * the first sends on only a number from 1 to the maximum; a Pass writes it as text (States.Format) to the
 * scratch space; the second fails a text with a `.` (2.5; AWS writes a JSON 3.0 as `3.0`, which stays
 * allowed: ArrayRange's MathAdd there takes it as 3, and this engine reads it as 3) and a number below 1
 * (1e-7, which JavaScript writes without a `.`). The caller adds its routes to `guards`, the second Choice.
 */
export function countGuards(
  task: TaskSpec,
  ref: FieldReference,
  names: StateNames,
  none: string,
  max: { readonly count: number; readonly why: string },
  guards: Guards,
): CountCheck {
  const path = fieldPath(ref.task, ref.field);
  const check = names.helper(task.name, 'check-count');
  const asText = names.helper(task.name, 'count-text');
  const next = names.helper(task.name, 'check-whole');
  const missing = names.helper(task.name, 'no-count');
  const invalid = names.helper(task.name, 'bad-count');
  const tooMany = names.helper(task.name, 'too-many');
  guards.states[missing] = failState(
    'Ork.FanOutSourceMissing',
    `task '${task.name}': parallel: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`,
  );
  guards.states[invalid] = failState('Ork.InvalidFanOutCount', `task '${task.name}': parallel: ${ref.text} must be a whole number, 0 or more`);
  guards.states[tooMany] = failState(
    'Ork.FanOutTooLarge',
    `task '${task.name}': parallel: ${ref.text} is above ${max.count.toLocaleString('en-US')}, ${max.why}`,
  );
  const first: ChoiceRule[] = [
    { Not: { Variable: path, IsPresent: true }, Next: missing },
    { Not: { Variable: path, IsNumeric: true }, Next: invalid },
    { Variable: path, NumericLessThan: 0, Next: invalid },
    { Variable: path, NumericEquals: 0, Next: none },
    { Variable: path, NumericGreaterThan: max.count, Next: tooMany },
  ];
  const text = `${StatePaths.scratch}.count_text`;
  guards.rules.push(
    { And: [{ Variable: text, StringMatches: '*.*' }, { Not: { Variable: text, StringMatches: '*.0' } }], Next: invalid },
    { Variable: path, NumericLessThan: 1, Next: invalid },
  );
  return {
    start: check,
    states: {
      [check]: { Type: 'Choice', Choices: first, Default: asText },
      [asText]: {
        Type: 'Pass',
        Comment: `parallel: ${ref.text} as text, to tell a whole number from a fraction`,
        Parameters: { 'count_text.$': `States.Format('{}', ${path})` },
        ResultPath: StatePaths.scratch,
        Next: next,
      },
    },
    next,
  };
}

/**
 * A foreach source that is missing or not a list fails the run. When the fan-out may run distributed, the
 * upstream runtime may have stored the list and left `{"ork_items": …}` (docs/scale.md): that goes to
 * `stored`, before the type checks (the reference is an object).
 */
export function listGuards(task: TaskSpec, ref: FieldReference, names: StateNames, guards: Guards, stored?: string): void {
  const path = fieldPath(ref.task, ref.field);
  const missing = names.helper(task.name, 'no-items');
  const notAList = names.helper(task.name, 'not-a-list');
  guards.states[missing] = failState(
    'Ork.FanOutSourceMissing',
    `task '${task.name}': foreach: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`,
  );
  guards.states[notAList] = failState('Ork.FanOutSourceNotAList', `task '${task.name}': foreach: ${ref.text} must be a list`);
  guards.rules.push({ Not: { Variable: path, IsPresent: true }, Next: missing });
  if (stored !== undefined) guards.rules.push({ Variable: `${path}.${Markers.items}`, IsPresent: true, Next: stored });
  guards.rules.push(
    { Variable: path, IsNull: true, Next: notAList },
    { Variable: path, IsString: true, Next: notAList },
    { Variable: path, IsNumeric: true, Next: notAList },
    { Variable: path, IsBoolean: true, Next: notAList },
  );
}

import type { FieldReference, TaskSpec } from '../model/index.js';
import type { ChoiceRule, FailState, State } from './asl-types.js';
import { fieldPath } from './payload.js';
import type { StateNames } from './state-names.js';

/** Fail states a guard Choice can jump to, and its rules in order (the first match wins). */
export interface Guards {
  readonly states: Record<string, State>;
  readonly rules: ChoiceRule[];
}

export function failState(error: string, cause: string): FailState {
  return { Type: 'Fail', Error: error, Cause: cause };
}

/** A count that is missing, not a whole number, or negative fails the run; zero runs no instance. */
export function countGuards(task: TaskSpec, ref: FieldReference, names: StateNames, none: string, max: { readonly count: number; readonly why: string }, guards: Guards): void {
  const path = fieldPath(ref.task, ref.field);
  const missing = names.helper(task.name, 'no-count');
  const invalid = names.helper(task.name, 'bad-count');
  const tooMany = names.helper(task.name, 'too-many');
  guards.states[missing] = failState('Ork.FanOutSourceMissing', `task '${task.name}': parallel: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`);
  guards.states[invalid] = failState('Ork.InvalidFanOutCount', `task '${task.name}': parallel: ${ref.text} must be a whole number, 0 or more`);
  guards.states[tooMany] = failState('Ork.FanOutTooLarge', `task '${task.name}': parallel: ${ref.text} is above ${max.count.toLocaleString('en-US')}, ${max.why}`);
  guards.rules.push(
    { Not: { Variable: path, IsPresent: true }, Next: missing },
    { Not: { Variable: path, IsNumeric: true }, Next: invalid },
    { Variable: path, NumericLessThan: 0, Next: invalid },
    { Variable: path, NumericEquals: 0, Next: none },
    { Variable: path, NumericGreaterThan: max.count, Next: tooMany },
  );
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
  guards.states[missing] = failState('Ork.FanOutSourceMissing', `task '${task.name}': foreach: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`);
  guards.states[notAList] = failState('Ork.FanOutSourceNotAList', `task '${task.name}': foreach: ${ref.text} must be a list`);
  guards.rules.push({ Not: { Variable: path, IsPresent: true }, Next: missing });
  if (stored !== undefined) guards.rules.push({ Variable: `${path}.ork_items`, IsPresent: true, Next: stored });
  guards.rules.push(
    { Variable: path, IsNull: true, Next: notAList },
    { Variable: path, IsString: true, Next: notAList },
    { Variable: path, IsNumeric: true, Next: notAList },
    { Variable: path, IsBoolean: true, Next: notAList },
  );
}

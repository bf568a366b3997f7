import type { ConditionReference, TaskSpec } from '../model/index.js';
import type { ChoiceRule, ChoiceState, PassState, State } from './asl-types.js';
import { conditionRule } from './condition-rule.js';
import type { Fragment } from './fragment.js';
import { fieldPath, resultPath, StatePaths } from './payload.js';
import type { StateNames } from './state-names.js';

/** Where a condition's reference is read: `$.params.mode`, `$.results.discover.count`. */
export function conditionPath(reference: ConditionReference): string {
  return reference.source.kind === 'params' ? [StatePaths.params, ...reference.path].join('.') : fieldPath(reference.source.task, reference.path);
}

/**
 * Which tasks may be skipped: those with a `when:`, and those with a required upstream (one not listed
 * with `if: always`, the fan-out source included) that may be. `order` has every task after its upstreams.
 */
export function skippableTasks(tasks: ReadonlyMap<string, TaskSpec>, order: readonly string[]): Set<string> {
  const skippable = new Set<string>();
  for (const name of order) {
    const task = tasks.get(name);
    if (!task) continue;
    if (task.when || requiredUpstreams(task).some((u) => skippable.has(u))) skippable.add(name);
  }
  return skippable;
}

/** The upstreams whose skip skips the task: every dependency but those listed with `if: always`. */
export function requiredUpstreams(task: TaskSpec): string[] {
  const always = new Set(task.dependsOn.filter((d) => d.always && !d.implicit).map((d) => d.task));
  const required: string[] = [];
  for (const dependency of task.dependsOn) {
    if (dependency.task === task.name || required.includes(dependency.task)) continue;
    // A fan-out source is required even when also listed with `if: always` (ORK306 refuses that).
    if (!always.has(dependency.task) || dependency.implicit) required.push(dependency.task);
  }
  return required;
}

export interface SkipGuard {
  /** The Choice before the task's states. */
  readonly check: string;
  /** The Pass entered instead of the task: its result is null. */
  readonly skipped: string;
}

/**
 * Puts a Choice before a task that may be skipped: a required upstream that was skipped (its result is
 * null, which no task returns) skips it first, since its condition may read that upstream; then its own
 * condition decides. Skipping sets `$.results.<task>` to null and goes on to what follows the task.
 */
export function guardTask(task: TaskSpec, body: Fragment, skippedUpstreams: readonly string[], names: StateNames): { fragment: Fragment; guard: SkipGuard } {
  const check = names.helper(task.name, 'when');
  const skipped = names.helper(task.name, 'skipped');
  const choices: ChoiceRule[] = [];
  if (skippedUpstreams.length > 0) {
    // Null is what a skip writes; "absent" costs nothing and holds should a merge of branches drop a null key.
    const tests = skippedUpstreams.flatMap((u): ChoiceRule[] => [
      { Not: { Variable: resultPath(u), IsPresent: true } },
      { Variable: resultPath(u), IsNull: true },
    ]);
    choices.push({ Or: tests, Next: skipped });
  }
  const condition = task.when?.condition;
  if (condition) choices.push({ ...conditionRule(condition, conditionPath), Next: body.start });
  const choice: ChoiceState = {
    Type: 'Choice',
    Comment: task.when ? `Run ${task.name} when ${task.when.text}` : `Skip ${task.name} when ${skippedUpstreams.join(' or ')} was skipped`,
    Choices: choices,
    Default: condition ? skipped : body.start,
  };
  const skip: PassState = {
    Type: 'Pass',
    Comment: `${task.name} is skipped: its result is null`,
    // A Pass's `Result: null` is taken for no Result by aws-local-stepfunctions (the input passes through),
    // so the null is merged in from a literal; the state is params and results between tasks.
    Parameters: {
      'params.$': StatePaths.params,
      'results.$': skipMerge(task.name),
    },
  };
  return {
    fragment: { start: check, states: { [check]: choice, [skipped]: skip, ...body.states }, exits: [...body.exits, skipped] },
    guard: { check, skipped },
  };
}

/** What a skip Pass puts at `results.$`: the results with `{"<task>": null}` merged in. */
function skipMerge(task: string): string {
  return `States.JsonMerge(${StatePaths.results}, States.StringToJson('${JSON.stringify({ [task]: null })}'), false)`;
}

/**
 * Finds the skip states of a definition whose manifest is not at hand (AWS keeps only the definition): by
 * what a state does, since its name is hashed when long. A Pass is a task's skip state when it is the one
 * guardTask emits, or sets `$.results.<task>` to null with `Result` (the form AWS itself would take).
 */
export function skipStateReader(tasks: Iterable<string>): (state: State) => string | undefined {
  const byMerge = new Map<string, string>();
  const byResultPath = new Map<string, string>();
  for (const task of tasks) {
    byMerge.set(skipMerge(task), task);
    byResultPath.set(resultPath(task), task);
  }
  return (state) => {
    if (state.Type !== 'Pass') return undefined;
    const merged = state.Parameters?.['results.$'];
    if (typeof merged === 'string') return byMerge.get(merged);
    return 'Result' in state && state.Result === null && typeof state.ResultPath === 'string' ? byResultPath.get(state.ResultPath) : undefined;
  };
}

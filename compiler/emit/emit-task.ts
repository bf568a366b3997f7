import type { TaskSpec } from '../model/index.js';
import { ARRAY_RANGE_LIMIT, fanOutKinds, fanOutLimit, INLINE_FAN_OUT_LIMIT } from '../model/index.js';
import type { PassState, State } from './asl-types.js';
import { chain, type Fragment } from './fragment.js';
import { distributedChunks, distributedForeach, distributedForeachParallel, distributedParallel } from './distributed-fan-out.js';
import { upstreamInputs, type FanOutContext, type FanOutDecision } from './fan-out-context.js';
import { countGuards, failState, listGuards, type Guards } from './fan-out-guards.js';
import { inlineForeach, inlineForeachParallel, inlineParallel } from './inline-fan-out.js';
import { fieldPath, resultPath, StatePaths } from './payload.js';
import { runInstance } from './run-instance.js';
import type { StateNames } from './state-names.js';

export interface TaskEmitContext {
  readonly workflow: string;
  readonly names: StateNames;
  /** Direct upstream tasks, whose outputs the task receives. */
  readonly upstream: readonly string[];
  /** This task's output fields that feed a distributed-capable `foreach:` (docs/scale.md). */
  readonly fanOutFields?: readonly { readonly path: readonly string[]; readonly above: number }[];
  /** Records each fan-out Map the task's states hold, with what was decided for it. */
  readonly record: (map: FanOutDecision) => void;
  /** This task's output fields a downstream `when:` reads. */
  readonly conditionFields?: readonly (readonly string[])[];
}

/** A Choice of guards and routes, then the branches it routes to; every branch ends the task. */
function routed(guardName: string, guards: Guards, branches: readonly Fragment[], defaultBranch: Fragment | undefined, extra: Record<string, State>): Fragment {
  const states: Record<string, State> = {
    [guardName]: { Type: 'Choice', Choices: guards.rules, ...(defaultBranch ? { Default: defaultBranch.start } : {}) },
    ...guards.states,
    ...extra,
  };
  const exits: string[] = [];
  for (const branch of [...branches, ...(defaultBranch ? [defaultBranch] : [])]) {
    Object.assign(states, branch.states);
    exits.push(...branch.exits);
  }
  return { start: guardName, states, exits };
}

/** All states of one task, entered with the workflow state and leaving its output at `$.results.<task>`. */
export function emitTask(task: TaskSpec, emitContext: TaskEmitContext): Fragment {
  const fanOut = task.fanOut;
  const output = resultPath(task.name);
  const { names } = emitContext;
  if (!fanOut) {
    return runInstance(
      task,
      emitContext.workflow,
      { parallelIndex: 0, parallelCount: 1, params: StatePaths.params, inputs: upstreamInputs(emitContext.upstream) },
      {
        stateName: names.instanceState(task.name, 'inline'),
        resultPath: output,
        ...(emitContext.fanOutFields ? { fanOutFields: emitContext.fanOutFields } : {}),
        ...(emitContext.conditionFields ? { conditionFields: emitContext.conditionFields } : {}),
      },
      (s) => names.helper(task.name, s),
    );
  }
  const none = names.helper(task.name, 'none');
  const context: FanOutContext = {
    task,
    workflow: emitContext.workflow,
    names,
    inputs: upstreamInputs(emitContext.upstream),
    output,
    none,
    record: emitContext.record,
  };
  const noneState: PassState = { Type: 'Pass', Comment: `No instances of ${task.name}: hand on an empty list`, Result: [], ResultPath: output };
  const kinds = fanOutKinds(fanOut);
  const { foreach, parallel } = fanOut;
  const guards: Guards = { states: {}, rules: [] };

  if (foreach && !parallel) {
    const inline = kinds.inline ? inlineForeach(context, foreach) : undefined;
    const distributed = kinds.distributed ? distributedForeach(context, foreach) : undefined;
    listGuards(task, foreach, names, guards, distributed?.start);
    // A list that was not stored cannot feed a Distributed Map: only an upstream that ignored
    // fan_out_fields leaves one (docs/scale.md).
    const fallback = inline ?? unstoredList(task, names);
    return routed(names.helper(task.name, 'check-items'), guards, distributed ? [distributed] : [], fallback, {});
  }

  if (parallel && !foreach) {
    if (parallel.kind === 'static') {
      if (kinds.inline) return inlineParallel(context, parallel);
      return parallel.count <= ARRAY_RANGE_LIMIT ? distributedParallel(context, parallel) : distributedChunks(context, parallel);
    }
    const limit = fanOutLimit(fanOut);
    // The Fail state's cause says how to go past a limit the user chose (mode: inline).
    const max = { count: limit.count, why: fanOut.mode === 'inline' ? `${limit.why}; ${limit.hint}` : limit.why };
    const count = countGuards(task, parallel.ref, names, none, max, guards);
    const path = fieldPath(parallel.ref.task, parallel.ref.field);
    const branches: Fragment[] = [];
    let fallback: Fragment;
    if (kinds.distributed) {
      const direct = distributedParallel(context, parallel);
      const chunked = max.count > ARRAY_RANGE_LIMIT ? distributedChunks(context, parallel) : undefined;
      if (kinds.inline) {
        const inline = inlineParallel(context, parallel);
        guards.rules.push({ Variable: path, NumericLessThanEquals: INLINE_FAN_OUT_LIMIT, Next: inline.start });
        branches.push(inline);
      }
      if (chunked) {
        guards.rules.push({ Variable: path, NumericLessThanEquals: ARRAY_RANGE_LIMIT, Next: direct.start });
        branches.push(direct);
        fallback = chunked;
      } else {
        fallback = direct;
      }
    } else {
      fallback = inlineParallel(context, parallel);
    }
    const body = routed(count.next, guards, branches, fallback, { [none]: noneState });
    return { start: count.start, states: { ...count.states, ...body.states }, exits: [...body.exits, none] };
  }

  if (foreach && parallel) {
    const steps: Fragment[] = [];
    if (parallel.kind === 'reference') {
      const countGuardSet: Guards = { states: {}, rules: [] };
      const { count: most, why } = fanOutLimit(fanOut);
      const count = countGuards(task, parallel.ref, names, none, { count: most, why }, countGuardSet);
      steps.push({
        start: count.start,
        states: { ...count.states, [count.next]: { Type: 'Choice', Choices: countGuardSet.rules, Default: '' }, ...countGuardSet.states },
        exits: [count.next],
      });
    }
    const inline = kinds.inline ? inlineForeachParallel(context, foreach, parallel) : undefined;
    const distributed = kinds.distributed ? distributedForeachParallel(context, foreach, parallel) : undefined;
    listGuards(task, foreach, names, guards, distributed?.start);
    steps.push(routed(names.helper(task.name, 'check-items'), guards, distributed ? [distributed] : [], inline ?? unstoredList(task, names), {}));
    const body = chain(steps);
    // Reached from a zero count, or from the inline branch's empty-list check.
    if (parallel.kind === 'static' && !inline) return body;
    return { start: body.start, states: { ...body.states, [none]: noneState }, exits: [...body.exits, none] };
  }
  throw new Error(`task '${task.name}' has a fan-out with neither foreach nor parallel`);
}

function unstoredList(task: TaskSpec, names: StateNames): Fragment {
  const name = names.helper(task.name, 'not-stored');
  return {
    start: name,
    states: {
      [name]: failState(
        'Ork.FanOutSourceNotStored',
        `task '${task.name}': the list to fan out over was handed on in the state, not stored: the upstream task's runtime must support fan_out_fields (docs/scale.md)`,
      ),
    },
    exits: [],
  };
}

import type { MapState, State, StateMachineDefinition, SubMachine } from '../../compiler/index.js';

/**
 * The local interpreter runs the deployed definition. Where it differs from AWS, a named pass rewrites
 * only that feature; each pass says what it changes and why, and a test pins it (test/local).
 */
export interface LocalAdaptation {
  readonly name: string;
  readonly why: string;
  apply(definition: StateMachineDefinition): StateMachineDefinition;
}

/**
 * The longest timer Node can set (2^31 − 1 ms, about 24.8 days). A longer one, such as AWS's default Task
 * timeout of 99999999 s, fires after 1 ms.
 */
export const LONGEST_LOCAL_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** Inline Map on AWS runs up to about 40 iterations at once, whatever MaxConcurrency says above that. */
export const INLINE_MAP_CONCURRENCY = 40;

function mapStates(machine: SubMachine, visit: (name: string, state: State) => void): void {
  for (const [name, state] of Object.entries(machine.States)) {
    visit(name, state);
    if (state.Type === 'Map') mapStates(state.ItemProcessor, visit);
    if (state.Type === 'Parallel') for (const branch of state.Branches) mapStates(branch, visit);
  }
}

export const taskTimeoutInRunner: LocalAdaptation = {
  name: 'task-timeout-in-runner',
  why:
    'the local runner enforces each task’s timeout (the manifest’s timeoutSeconds), killing the worker and naming the instance; ' +
    'the interpreter’s own timer would fire first and only fail the state, leaving the task running. So every Task gets the longest ' +
    'timeout a Node timer holds (AWS’s default of 99999999 s would fire after 1 ms; the interpreter’s own default is 60 s)',
  apply(definition) {
    const copy = structuredClone(definition);
    mapStates(copy, (_, state) => {
      if (state.Type === 'Task') state.TimeoutSeconds = LONGEST_LOCAL_TIMEOUT_SECONDS;
    });
    return copy;
  },
};

export const inlineMapConcurrency: LocalAdaptation = {
  name: 'inline-map-concurrency',
  why: 'an inline Map with no MaxConcurrency runs about 40 iterations at once on AWS; the interpreter would start them all',
  apply(definition) {
    const copy = structuredClone(definition);
    mapStates(copy, (_, state) => {
      const map = state as MapState;
      if (state.Type === 'Map' && (map.MaxConcurrency === undefined || map.MaxConcurrency === 0 || map.MaxConcurrency > INLINE_MAP_CONCURRENCY)) {
        map.MaxConcurrency = INLINE_MAP_CONCURRENCY;
      }
    });
    return copy;
  },
};

export const LOCAL_ADAPTATIONS: readonly LocalAdaptation[] = [taskTimeoutInRunner, inlineMapConcurrency];

export function adaptForLocal(definition: StateMachineDefinition, passes: readonly LocalAdaptation[] = LOCAL_ADAPTATIONS): StateMachineDefinition {
  return passes.reduce((current, pass) => pass.apply(current), definition);
}

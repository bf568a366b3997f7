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

/** AWS's TimeoutSeconds default for a Task is 99999999 s; the interpreter's is 60 s. */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;
/** Inline Map on AWS runs up to about 40 iterations at once, whatever MaxConcurrency says above that. */
export const INLINE_MAP_CONCURRENCY = 40;

function mapStates(machine: SubMachine, visit: (name: string, state: State) => void): void {
  for (const [name, state] of Object.entries(machine.States)) {
    visit(name, state);
    if (state.Type === 'Map') mapStates(state.ItemProcessor, visit);
    if (state.Type === 'Parallel') for (const branch of state.Branches) mapStates(branch, visit);
  }
}

export const taskTimeoutDefault: LocalAdaptation = {
  name: 'task-timeout-default',
  why: 'a Task without TimeoutSeconds gets AWS’s default (99999999 s) instead of the interpreter’s 60 s',
  apply(definition) {
    const copy = structuredClone(definition);
    mapStates(copy, (_, state) => {
      if (state.Type === 'Task' && state.TimeoutSeconds === undefined) state.TimeoutSeconds = AWS_DEFAULT_TASK_TIMEOUT_SECONDS;
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

export const LOCAL_ADAPTATIONS: readonly LocalAdaptation[] = [taskTimeoutDefault, inlineMapConcurrency];

export function adaptForLocal(definition: StateMachineDefinition, passes: readonly LocalAdaptation[] = LOCAL_ADAPTATIONS): StateMachineDefinition {
  return passes.reduce((current, pass) => pass.apply(current), definition);
}

import type { MapState, State, SubMachine } from './asl-types.js';

/** One state of a definition, where it sits. */
export interface StateVisit {
  readonly name: string;
  readonly state: State;
  /** The names of the Parallel and Map states that enclose it, outermost first, then its own. */
  readonly path: readonly string[];
  /** The States map it sits in: the top level, a Parallel branch or a Map's ItemProcessor. */
  readonly scope: SubMachine;
  /** The Map states whose ItemProcessor it runs in, outermost first. */
  readonly maps: readonly { readonly name: string; readonly state: MapState }[];
}

/**
 * Every state of a (sub-)machine, parents before what they hold, inside Parallel branches and Maps'
 * ItemProcessors: the one walk over a definition that the compiler, the cost model, the local engine and
 * the cloud client share (state names are unique in a whole machine, so a name is enough to find a state;
 * the path says where it is). The entries of a States map are read before its states are yielded, so a
 * caller may replace the state it is handed; what that state held is still walked.
 */
export function* walkStates(machine: SubMachine, within: Pick<StateVisit, 'path' | 'maps'> = { path: [], maps: [] }): Generator<StateVisit> {
  for (const [name, state] of Object.entries(machine.States)) {
    const path = [...within.path, name];
    yield { name, state, path, scope: machine, maps: within.maps };
    if (state.Type === 'Map') yield* walkStates(state.ItemProcessor, { path, maps: [...within.maps, { name, state }] });
    if (state.Type === 'Parallel') for (const branch of state.Branches) yield* walkStates(branch, { path, maps: within.maps });
  }
}

/** The state at a path walkStates gave, with the States map it sits in; undefined when there is none. */
export function stateAt(machine: SubMachine, path: readonly string[]): { readonly state: State; readonly scope: SubMachine } | undefined {
  let scopes: readonly SubMachine[] = [machine];
  for (const [depth, name] of path.entries()) {
    const scope = scopes.find((s) => Object.hasOwn(s.States, name));
    const state = scope?.States[name];
    if (!scope || !state) return undefined;
    if (depth === path.length - 1) return { state, scope };
    // A path goes on through a Parallel's branches or a Map's ItemProcessor.
    scopes = state.Type === 'Parallel' ? state.Branches : state.Type === 'Map' ? [state.ItemProcessor] : [];
  }
  return undefined;
}

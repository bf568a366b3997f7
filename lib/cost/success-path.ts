import type { MapState, State, SubMachine } from '../../compiler/index.js';

/**
 * The states one run of a sub-machine enters when nothing fails: from StartAt along Next; a Choice takes
 * its Default (the route Ork emits for the ordinary case: the range not clipped, the count of failures
 * below the threshold). Catch targets and Fail states are off this path, so they cost nothing here.
 */
export function successPath(machine: SubMachine, where: string): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  let name: string | undefined = machine.StartAt;
  while (name !== undefined) {
    if (seen.has(name)) throw new Error(`${where}: the success path loops at '${name}'`);
    seen.add(name);
    const state: State | undefined = machine.States[name];
    if (!state) throw new Error(`${where}: '${name}' is not a state`);
    path.push(name);
    name = nextOnSuccess(state);
  }
  return path;
}

/** The state entered after this one on the success path, if any. */
export function nextOnSuccess(state: State): string | undefined {
  switch (state.Type) {
    case 'Choice':
      return state.Default;
    case 'Fail':
    case 'Succeed':
      return undefined;
    default:
      return state.End ? undefined : state.Next;
  }
}

/**
 * Standard transitions of one run of a Map's ItemProcessor: one per state entered, and for an inline Map
 * nested in it (a chunk's or an element's workers) one more per inner instance for each state of the
 * inner processor. Ork nests at most one level; a deeper Map would need its own instance count, so it is
 * refused rather than guessed.
 */
export function processorTransitions(processor: SubMachine, innerInstances: number, where: string): number {
  let transitions = 0;
  for (const name of successPath(processor, where)) {
    const state = processor.States[name] as State;
    transitions += 1;
    if (state.Type === 'Map') {
      if (nestedMaps(state).length > 0) throw new Error(`${where}: '${name}' nests a Map inside a nested Map; the cost model handles one level`);
      transitions += innerInstances * successPath(state.ItemProcessor, `${where} > ${name}`).length;
    }
  }
  return transitions;
}

/** Maps inside a Map's ItemProcessor (the workers of a chunk or of an element). */
export function nestedMaps(map: MapState): MapState[] {
  return Object.values(map.ItemProcessor.States).filter((s): s is MapState => s.Type === 'Map');
}

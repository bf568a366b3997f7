import { stateAt, walkStates, type FanOutMap, type MapState, type SubMachine, type TaskManifestEntry } from '../../compiler/index.js';

/** A Map state of the machine, with the States map it sits in (the top level or a Parallel branch). */
export interface MapInMachine {
  readonly name: string;
  readonly map: MapState;
  readonly scope: SubMachine;
}

/** A fan-out Map as the manifest records it, with its state, whose success path the cost model counts. */
export interface CostedMap extends MapInMachine {
  readonly record: FanOutMap;
}

/**
 * The outermost Maps of the machine (a Map inside a Map's processor is a chunk's or an element's workers,
 * part of the outer one's cost), looking through Parallel branches, where concurrent tasks sit.
 */
export function outermostMaps(machine: SubMachine): MapInMachine[] {
  const found: MapInMachine[] = [];
  for (const { name, state, scope, maps } of walkStates(machine)) if (state.Type === 'Map' && maps.length === 0) found.push({ name, map: state, scope });
  return found;
}

/** The Maps that run this task's instances, in definition order: one per Map kind the machine may take (the manifest's record). */
export function mapsOfTask(machine: SubMachine, task: TaskManifestEntry): CostedMap[] {
  return (task.fanOut?.maps ?? []).map((record) => {
    const found = stateAt(machine, record.path);
    if (found?.state.Type !== 'Map')
      throw new Error(`task '${task.name}': the manifest's Map '${record.path.join(' > ')}' is not a Map state of the definition`);
    return { name: record.state, map: found.state, scope: found.scope, record };
  });
}

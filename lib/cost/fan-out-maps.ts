import type { MapState, State, SubMachine, TaskManifestEntry } from '../../compiler/index.js';

/** A Map state that fans a task out, with the States map it sits in (the top level or a Parallel branch). */
export interface FanOutMap {
  readonly name: string;
  readonly map: MapState;
  readonly scope: SubMachine;
}

/** Every Task state inside a Map's processor, at any depth: how a Map is tied to the task it runs. */
function taskStatesWithin(machine: SubMachine, into: Set<string>): Set<string> {
  for (const [name, state] of Object.entries(machine.States)) {
    if (state.Type === 'Task') into.add(name);
    if (state.Type === 'Map') taskStatesWithin(state.ItemProcessor, into);
    if (state.Type === 'Parallel') for (const branch of state.Branches) taskStatesWithin(branch, into);
  }
  return into;
}

/**
 * The outermost Maps of the machine (a Map inside a Map's processor is a chunk's or an element's workers,
 * part of the outer one's cost), looking through Parallel branches, where concurrent tasks sit.
 */
export function outermostMaps(machine: SubMachine): FanOutMap[] {
  const found: FanOutMap[] = [];
  for (const [name, state] of Object.entries(machine.States) as [string, State][]) {
    if (state.Type === 'Map') found.push({ name, map: state, scope: machine });
    if (state.Type === 'Parallel') for (const branch of state.Branches) found.push(...outermostMaps(branch));
  }
  return found;
}

/** The Maps that run this task's instances, in definition order: one per Map kind the machine may take. */
export function mapsOfTask(machine: SubMachine, task: TaskManifestEntry): FanOutMap[] {
  // The manifest names every Task state that runs the task's instances (docs/scale.md, "Compiled shapes").
  const own = new Set(task.stateNames);
  return outermostMaps(machine).filter((m) => [...taskStatesWithin(m.map.ItemProcessor, new Set())].some((n) => own.has(n)));
}

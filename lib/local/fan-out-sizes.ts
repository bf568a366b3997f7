import { stateNamesOf } from './distributed-map.js';
import { StatePaths, type MapState, type State, type StateMachineDefinition, type SubMachine, type TaskManifest } from '../../compiler/index.js';

/** A Map state that runs a task's instances, and how to count them from the Map's input. */
export interface FanOutMap {
  readonly task: string;
  readonly itemsPath: string;
  /** foreach × parallel: each item runs `$.ork.indexes` workers. */
  readonly nested: boolean;
}

function contains(machine: SubMachine, stateNames: readonly string[]): boolean {
  return Object.entries(machine.States).some(([name, state]) => stateNames.includes(name) || (state.Type === 'Map' && contains(state.ItemProcessor, stateNames)));
}

/**
 * The top-level inline Map of each fan-out task, by state name. (Distributed Maps have become Tasks by
 * now, distributed-map-in-runner; their runner reports their size.)
 */
export function findFanOutMaps(definition: StateMachineDefinition, manifest: TaskManifest): Map<string, FanOutMap> {
  const found = new Map<string, FanOutMap>();
  const visit = (machine: SubMachine, insideMap: boolean): void => {
    for (const [name, state] of Object.entries(machine.States) as [string, State][]) {
      if (state.Type === 'Parallel') state.Branches.forEach((b) => visit(b, insideMap));
      if (state.Type !== 'Map' || insideMap) continue;
      const map = state as MapState;
      const task = manifest.tasks.find((t) => contains(map.ItemProcessor, stateNamesOf(t)));
      if (task) found.set(name, { task: task.name, itemsPath: map.ItemsPath ?? '$', nested: Object.values(map.ItemProcessor.States).some((s) => s.Type === 'Map') });
    }
  };
  visit(definition, false);
  return found;
}

/** Value at a reference path such as `$.results.discover.files`. */
export function valueAt(root: unknown, referencePath: string): unknown {
  let node = root;
  for (const segment of referencePath.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** How many instances a fan-out Map will run, from its input. */
export function fanOutSize(map: FanOutMap, input: unknown): number | undefined {
  const items = valueAt(input, map.itemsPath);
  if (!Array.isArray(items)) return undefined;
  if (!map.nested) return items.length;
  const indexes = valueAt(input, `${StatePaths.scratch}.indexes`);
  return Array.isArray(indexes) ? items.length * indexes.length : undefined;
}

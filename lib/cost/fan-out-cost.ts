import type { StateMachineDefinition, TaskManifest } from '../../compiler/index.js';
import { minimumChild, orkChild, type ChildFigures } from './child-figures.js';
import { usd, type PerInstance } from './dollars.js';
import { mapsOfTask } from './fan-out-maps.js';
import { fixedRoute } from './fixed-transitions.js';
import { describeKind, mapKindOf, type KindOptions, type MapKind } from './map-kind.js';

/** Instances the dollar figures are given for. */
export const PRICED_INSTANCES = 1_000_000;

/** The cost of one of a task's Map kinds, per instance and per fan-out. */
export interface MapKindCost {
  readonly task: string;
  /** The fan-out's Map state. */
  readonly mapState: string;
  readonly kind: MapKind;
  readonly label: string;
  readonly ork: { readonly child: ChildFigures; readonly perInstance: PerInstance; readonly usdPerMillion: number };
  readonly minimum: { readonly child: ChildFigures; readonly perInstance: PerInstance; readonly usdPerMillion: number };
  /** Ork's dollars per instance over the minimum's (transitions and requests; Express duration is equal). */
  readonly ratio: number;
  /** Transitions paid once per fan-out along this route (guards, count Passes, the Map, tolerance checks). */
  readonly fixedTransitions: number;
  readonly fixedRoute: readonly string[];
}

export interface TaskCost {
  readonly task: string;
  readonly kinds: readonly MapKindCost[];
}

function perInstance(child: ChildFigures): PerInstance {
  return { transitions: child.transitions / child.instances, expressRequests: child.expressRequests / child.instances };
}

/** Cost figures for every fanned-out task of a compiled workflow, one entry per Map kind the machine may take. */
export function fanOutCosts(definition: StateMachineDefinition, manifest: TaskManifest, options: KindOptions = {}): TaskCost[] {
  const costs: TaskCost[] = [];
  for (const task of manifest.tasks) {
    if (!task.fanOut) continue;
    const kinds = mapsOfTask(definition, task).map(({ name, map, scope, record }): MapKindCost => {
      const kind = mapKindOf(record, options);
      const where = `task '${task.name}', Map '${name}'`;
      const orkFigures = orkChild(map, kind, where);
      const minimumFigures = minimumChild(kind, task);
      const ork = { child: orkFigures, perInstance: perInstance(orkFigures), usdPerMillion: usd(perInstance(orkFigures), PRICED_INSTANCES) };
      const minimum = { child: minimumFigures, perInstance: perInstance(minimumFigures), usdPerMillion: usd(perInstance(minimumFigures), PRICED_INSTANCES) };
      const route = fixedRoute(scope, task.name, name);
      return {
        task: task.name,
        mapState: name,
        kind,
        label: describeKind(kind),
        ork,
        minimum,
        ratio: ork.usdPerMillion / minimum.usdPerMillion,
        fixedTransitions: route.length,
        fixedRoute: route,
      };
    });
    if (kinds.length === 0) throw new Error(`task '${task.name}' fans out but no Map state runs it`);
    costs.push({ task: task.name, kinds });
  }
  return costs;
}

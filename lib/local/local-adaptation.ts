import { INLINE_MAP_CONCURRENCY, walkStates, type MapState, type StateMachineDefinition, type TaskState } from '../../compiler/index.js';
import { isDistributedMap, type DistributedMapDefinition } from './distributed-map.js';
import { mapStates, type LocalAdaptation } from './local-adaptation-pass.js';
import { taskParametersInHandler } from './task-parameters-in-handler.js';

export type { LocalAdaptation } from './local-adaptation-pass.js';

/**
 * The longest timer Node can set (2^31 − 1 ms, about 24.8 days). A longer one, such as AWS's default Task
 * timeout of 99999999 s, fires after 1 ms.
 */
export const LONGEST_LOCAL_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
export { INLINE_MAP_CONCURRENCY };

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
  why: 'an inline Map (not a Distributed one) with no MaxConcurrency runs about 40 iterations at once on AWS; the interpreter would start them all',
  apply(definition) {
    const copy = structuredClone(definition);
    mapStates(copy, (_, state) => {
      const map = state as MapState;
      // A Distributed Map runs up to 10,000 children at once: its own runner caps it (distributed-map-in-runner).
      if (
        state.Type === 'Map' &&
        !isDistributedMap(state) &&
        (map.MaxConcurrency === undefined || map.MaxConcurrency === 0 || map.MaxConcurrency > INLINE_MAP_CONCURRENCY)
      ) {
        map.MaxConcurrency = INLINE_MAP_CONCURRENCY;
      }
    });
    return copy;
  },
};

/** The Resource of the Task that stands for a Distributed Map: Lambda-shaped, as the interpreter checks ARNs. */
export const DISTRIBUTED_MAP_RUNNER_RESOURCE = 'arn:aws:lambda:us-east-1:000000000000:function:ork-local-distributed-map';

/** A definition as the local interpreter runs it, and the Distributed Maps taken out of it for their runner. */
export interface LocalDefinition {
  readonly definition: StateMachineDefinition;
  /**
   * The Distributed Maps that `distributed-map-in-runner` replaced, by state name: the local runner
   * (distributed-map-runner.ts) runs them. Their ItemProcessors are as the earlier passes left them, with
   * Distributed Maps inside already replaced too.
   */
  readonly distributedMaps: ReadonlyMap<string, DistributedMapDefinition>;
}

/** The Map's fields that a Task keeps: how its input is taken, how its result is placed, and where it goes. */
function taskFor(map: DistributedMapDefinition): TaskState {
  const task: Record<string, unknown> = { Type: 'Task', Resource: DISTRIBUTED_MAP_RUNNER_RESOURCE };
  for (const field of ['Comment', 'InputPath', 'OutputPath', 'ResultSelector', 'ResultPath', 'Retry', 'Catch', 'Next', 'End'] as const) {
    if (map[field] !== undefined) task[field] = map[field];
  }
  // The runner is the Map run: it has no deadline of its own (a Map state has none on AWS either).
  task.TimeoutSeconds = LONGEST_LOCAL_TIMEOUT_SECONDS;
  return task as unknown as TaskState;
}

export const distributedMapInRunner: LocalAdaptation = {
  name: 'distributed-map-in-runner',
  why:
    'the interpreter has no Distributed Map (ItemReader, ItemBatcher, ResultWriter, ToleratedFailure*, child executions); each one ' +
    'becomes a Task that keeps the Map’s InputPath, OutputPath, ResultSelector, ResultPath, Retry, Catch and transition, and whose local ' +
    'handler runs the Map as AWS does, each item (or batch) as a child execution of the ItemProcessor. The parent’s history then holds a ' +
    'fixed number of events per fan-out, as on AWS',
  apply: (definition) => replaceDistributedMaps(definition).definition,
};

/**
 * What `distributed-map-in-runner` does, returning the Maps it took out with the definition it made: they are
 * handed to their runner as a value, not looked up by the definition afterwards.
 */
export function replaceDistributedMaps(definition: StateMachineDefinition): LocalDefinition {
  const copy = structuredClone(definition);
  const found = new Map<string, DistributedMapDefinition>();
  // walkStates goes on into a Map it has handed out, so the Distributed Maps inside a replaced one are replaced too.
  for (const { name, state, scope } of walkStates(copy)) {
    if (!isDistributedMap(state)) continue;
    // State names are unique in a whole state machine (ASL), so they key the local handlers.
    if (found.has(name)) throw new Error(`two Distributed Maps are named '${name}'`);
    found.set(name, state as unknown as DistributedMapDefinition);
    scope.States[name] = taskFor(state as unknown as DistributedMapDefinition);
  }
  return { definition: copy, distributedMaps: found };
}

/** In this order: the first three also reach into Distributed Maps' ItemProcessors before those leave the definition. */
export const LOCAL_ADAPTATIONS: readonly LocalAdaptation[] = [taskTimeoutInRunner, inlineMapConcurrency, taskParametersInHandler, distributedMapInRunner];

/** `definition` through `passes` in order, with the Distributed Maps that distributed-map-in-runner took out. */
export function adaptForLocal(definition: StateMachineDefinition, passes: readonly LocalAdaptation[] = LOCAL_ADAPTATIONS): LocalDefinition {
  let distributedMaps: ReadonlyMap<string, DistributedMapDefinition> = new Map();
  const adapted = passes.reduce((current, pass) => {
    // The one pass that takes states out: run as the function that also returns them.
    if (pass !== distributedMapInRunner) return pass.apply(current);
    const replaced = replaceDistributedMaps(current);
    distributedMaps = replaced.distributedMaps;
    return replaced.definition;
  }, definition);
  return { definition: adapted, distributedMaps };
}

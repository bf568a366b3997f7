import type { MapState, TaskManifestEntry } from '../../compiler/index.js';
import type { MapKind } from './map-kind.js';
import { processorTransitions } from './success-path.js';

/**
 * What one child costs — one run of the ItemProcessor: an inline iteration, or a Distributed Map's child
 * execution — in whole numbers, so that the per-instance figures are exact fractions of them.
 */
export interface ChildFigures {
  /** Standard state transitions: inline states, the child start billed to the parent, a Standard child's states. */
  readonly transitions: number;
  /** Express executions started (each is one request). */
  readonly expressRequests: number;
  /** Task instances the child serves; per-instance figures divide by it. */
  readonly instances: number;
}

/** States a hand-written machine needs to run one instance: the Task, and for ECS the Pass that builds its payload. */
export function taskStatesPerInstance(task: TaskManifestEntry): number {
  return task.executor === 'container' ? 2 : 1;
}

/** Ork's figures, read off the emitted processor's success path. */
export function orkChild(map: MapState, kind: MapKind, where: string): ChildFigures {
  const instances = kind.instancesPerChild;
  // A nested (workers) Map runs every instance of the child; without one the processor runs once per child.
  const processor = processorTransitions(map.ItemProcessor, instances, where);
  if (kind.mode === 'inline') return { transitions: processor, expressRequests: 0, instances };
  // Starting a child execution is one transition billed to the parent (Distributed Map pricing); an Express
  // child's own states are not transitions: it pays per request and duration instead.
  if (kind.children === 'EXPRESS') return { transitions: 1, expressRequests: 1, instances };
  return { transitions: 1 + processor, expressRequests: 0, instances };
}

/**
 * The least a hand-written machine of the same shape pays per child: inline, the instances' own Task
 * states; distributed, one child start plus, for Standard children, the Task states — once per batch (one
 * invocation runs the batch), once per instance where each instance is its own Task state (a chunk's or an
 * element's workers); Express children, one start and one request.
 */
export function minimumChild(kind: MapKind, task: TaskManifestEntry): ChildFigures {
  const instances = kind.instancesPerChild;
  const perInstance = taskStatesPerInstance(task);
  if (kind.mode === 'inline') return { transitions: instances * perInstance, expressRequests: 0, instances };
  if (kind.children === 'EXPRESS') return { transitions: 1, expressRequests: 1, instances };
  const taskRuns = kind.grouping === 'batch' || kind.grouping === 'single' ? 1 : instances;
  return { transitions: 1 + taskRuns * perInstance, expressRequests: 0, instances };
}

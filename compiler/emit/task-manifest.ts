import { fanOutKinds, type Executor, type FanOutKinds, type FanOutMode, type WorkflowSpec } from '../model/index.js';
import type { FanOutMap } from './fan-out-map.js';
import { Placeholders, placeholdersOf } from './placeholders.js';

/** What runners and the deploy constructs need to know about each task, beside the definition. */
export interface TaskManifestEntry {
  readonly name: string;
  readonly executor: Executor;
  readonly file: string;
  readonly memoryMb: number;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly cpu?: number;
  readonly env: Readonly<Record<string, string>>;
  readonly image?: string;
  readonly dockerfile?: string;
  /** Fan-out settings, for progress displays and dashboards. */
  readonly fanOut?: {
    readonly foreach?: string;
    readonly parallel?: number | string;
    readonly concurrency?: number;
    /** As written; absent when the compiler chooses. */
    readonly mode?: FanOutMode;
    readonly batchSize?: number;
    /** A count, or a percentage such as `5%`. */
    readonly tolerateFailures?: number | string;
    /** The Map kinds the compiled machine may use (both: chosen at run time, docs/scale.md). */
    readonly kinds: FanOutKinds;
    /** The Map states that may run it, one per kind, in definition order, with what emit decided for each. */
    readonly maps: readonly FanOutMap[];
  };
  readonly dependsOn: readonly string[];
  /** The Task state that runs this task's instances. */
  readonly stateName: string;
  /** Every Task state that runs its instances: `stateName` first, then a Distributed Map's child states. */
  readonly stateNames: readonly string[];
  /** DefinitionSubstitutions keys this task's states use. */
  readonly placeholders: readonly string[];
}

export interface TaskManifest {
  readonly workflow: string;
  readonly description?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly schedule?: WorkflowSpec['schedule'];
  readonly tasks: readonly TaskManifestEntry[];
}

export function buildTaskManifest(
  spec: WorkflowSpec,
  upstream: ReadonlyMap<string, readonly string[]>,
  taskStates: ReadonlyMap<string, readonly string[]>,
  fanOutMaps: readonly FanOutMap[],
): TaskManifest {
  return {
    workflow: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    params: spec.params,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
    tasks: spec.tasks.map((task) => {
      const fanOut = task.fanOut;
      return {
        name: task.name,
        executor: task.executor,
        file: task.file,
        memoryMb: task.memoryMb,
        ...(task.timeoutSeconds !== undefined ? { timeoutSeconds: task.timeoutSeconds } : {}),
        ...(task.heartbeatSeconds !== undefined ? { heartbeatSeconds: task.heartbeatSeconds } : {}),
        ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
        env: task.env,
        ...(task.image !== undefined ? { image: task.image } : {}),
        ...(task.dockerfile !== undefined ? { dockerfile: task.dockerfile } : {}),
        ...(fanOut
          ? {
              fanOut: {
                ...(fanOut.foreach ? { foreach: fanOut.foreach.text } : {}),
                ...(fanOut.parallel ? { parallel: fanOut.parallel.kind === 'static' ? fanOut.parallel.count : fanOut.parallel.ref.text } : {}),
                ...(fanOut.concurrency !== undefined ? { concurrency: fanOut.concurrency } : {}),
                ...(fanOut.mode !== undefined ? { mode: fanOut.mode } : {}),
                ...(fanOut.batchSize !== undefined ? { batchSize: fanOut.batchSize } : {}),
                ...(fanOut.tolerateFailures
                  ? { tolerateFailures: fanOut.tolerateFailures.kind === 'count' ? fanOut.tolerateFailures.count : `${fanOut.tolerateFailures.percent}%` }
                  : {}),
                kinds: fanOutKinds(fanOut),
                maps: fanOutMaps.filter((m) => m.task === task.name),
              },
            }
          : {}),
        dependsOn: upstream.get(task.name) ?? [],
        stateName: taskStates.get(task.name)?.[0] ?? task.name,
        stateNames: taskStates.get(task.name) ?? [task.name],
        placeholders: fanOut && fanOutKinds(fanOut).distributed ? [...placeholdersOf(task), Placeholders.payloadBucket] : placeholdersOf(task),
      };
    }),
  };
}

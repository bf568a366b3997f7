import { fanOutKinds, type Executor, type FanOutKinds, type FanOutMode, type TaskSpec, type TriggerRule, type WorkflowSpec } from '../model/index.js';
import type { SecretService } from '../model/secret-ref.js';
import type { FanOutMap } from './fan-out-map.js';
import { Placeholders, placeholdersOf } from './placeholders.js';
import { triggerRules } from './trigger-rules.js';

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
  /**
   * `secrets:`: the names the task may read and where each lives, from which lib/deploy grants its role and
   * `ork run` picks the values it hands the task. Absent when the task has none; never a value.
   */
  readonly secrets?: readonly { readonly name: string; readonly service: SecretService }[];
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
  /** Upstreams listed with `if: always`: the task runs even when they were skipped. */
  readonly runsAfterSkipped?: readonly string[];
  /** The `when:` expression as written. */
  readonly when?: string;
  /**
   * The Pass state entered when the task is skipped (its condition is false, or a required upstream was
   * skipped); it sets the task's result to null. Absent when the task is never skipped.
   */
  readonly skipState?: string;
  /** `on_failure`: the workflow's failure handler (`on_failure:`), run only when the workflow fails. */
  readonly role?: 'on_failure';
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
  /**
   * `triggers:` compiled, in file order: what lib/deploy makes EventBridge rules of and `ork run --event` matches.
   * Absent when the workflow has none (and in run records written before triggers existed).
   */
  readonly triggers?: readonly TriggerRule[];
  readonly tasks: readonly TaskManifestEntry[];
}

export function buildTaskManifest(
  spec: WorkflowSpec,
  upstream: ReadonlyMap<string, readonly string[]>,
  taskStates: ReadonlyMap<string, readonly string[]>,
  fanOutMaps: readonly FanOutMap[],
  skipStates: ReadonlyMap<string, string> = new Map(),
): TaskManifest {
  const conditional = (task: TaskSpec): Partial<TaskManifestEntry> => {
    const always = task.dependsOn.filter((d) => d.always && !d.implicit).map((d) => d.task);
    const skipState = skipStates.get(task.name);
    return {
      ...(always.length > 0 ? { runsAfterSkipped: always } : {}),
      ...(task.when ? { when: task.when.text } : {}),
      ...(skipState !== undefined ? { skipState } : {}),
    };
  };
  const tasks = spec.onFailure ? [...spec.tasks, spec.onFailure] : spec.tasks;
  return {
    workflow: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    params: spec.params,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
    ...(spec.triggers.length > 0 ? { triggers: triggerRules(spec.triggers) } : {}),
    tasks: tasks.map((task) => {
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
        ...(task.secrets.length > 0 ? { secrets: task.secrets.map(({ name, service }) => ({ name, service })) } : {}),
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
        ...conditional(task),
        ...(task === spec.onFailure ? { role: 'on_failure' as const } : {}),
        stateName: taskStates.get(task.name)?.[0] ?? task.name,
        stateNames: taskStates.get(task.name) ?? [task.name],
        placeholders: fanOut && fanOutKinds(fanOut).distributed ? [...placeholdersOf(task), Placeholders.payloadBucket] : placeholdersOf(task),
      };
    }),
  };
}

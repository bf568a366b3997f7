import type { SourceSpan } from '../diagnostics/index.js';
import type { WhenSpec } from './condition.js';
import type { SecretRef } from './secret-ref.js';
import type { TriggerSpec } from './trigger.js';

export type Executor = 'python' | 'node' | 'container';

/** `discover.files`: a field of an upstream task's output. */
export interface FieldReference {
  readonly task: string;
  /** Path inside the task's output; at least one segment. */
  readonly field: readonly string[];
  /** As written, e.g. `discover.files`. */
  readonly text: string;
  readonly span: SourceSpan;
}

export type CountSource =
  { readonly kind: 'static'; readonly count: number; readonly span: SourceSpan } | { readonly kind: 'reference'; readonly ref: FieldReference };

export type FanOutMode = 'inline' | 'distributed';

export type FailureTolerance = { readonly kind: 'count'; readonly count: number } | { readonly kind: 'percent'; readonly percent: number };

/** How a task fans out. Both `foreach` and `parallel` together mean items × count instances. */
export interface FanOut {
  readonly foreach?: FieldReference;
  readonly parallel?: CountSource;
  /** Cap on instances running at once; undefined means the platform's. */
  readonly concurrency?: number;
  /** Forced by the user; undefined lets the compiler choose (docs/scale.md). */
  readonly mode?: FanOutMode;
  /** Instances per invocation (Distributed Map's ItemBatcher). */
  readonly batchSize?: number;
  readonly tolerateFailures?: FailureTolerance;
}

export interface RetryPolicy {
  /** Retries after the first attempt; 0 means none. */
  readonly retries: number;
  readonly delaySeconds: number;
  readonly backoff: number;
  readonly maxDelaySeconds?: number;
  readonly jitter: boolean;
}

export interface Dependency {
  readonly task: string;
  readonly span: SourceSpan;
  /** True when implied by `parallel:`/`foreach:` rather than listed in `depends_on`. */
  readonly implicit: boolean;
  /**
   * `{task: x, if: always}`: the task runs even when this upstream was skipped, and receives null for it.
   * Otherwise a skipped upstream skips the task too (docs/conditions.md).
   */
  readonly always?: boolean;
}

export interface TaskSpec {
  readonly name: string;
  readonly description?: string;
  readonly executor: Executor;
  /** As written in workflow.yaml: relative to the workflow directory, `/`-separated. */
  readonly file: string;
  readonly dependsOn: readonly Dependency[];
  readonly fanOut?: FanOut;
  /** Run only when this holds; otherwise the task is skipped (docs/conditions.md). */
  readonly when?: WhenSpec;
  readonly retry: RetryPolicy;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  readonly memoryMb: number;
  readonly cpu?: number;
  readonly env: Readonly<Record<string, string>>;
  readonly image?: string;
  readonly dockerfile?: string;
  /**
   * `secrets:`, in file order: what the task may read at run time (its role's grants on AWS, the values `ork run`
   * hands it locally). Names only; a value is never part of the spec.
   */
  readonly secrets: readonly SecretRef[];
  /** The task's key in workflow.yaml. */
  readonly span: SourceSpan;
}

export interface ScheduleSpec {
  readonly expression: string;
  readonly timezone?: string;
  readonly enabled: boolean;
  readonly flexibleWindowSeconds?: number;
  readonly input?: Readonly<Record<string, unknown>>;
}

/** A validated workflow with defaults applied and units normalised: what the later stages work on. */
export interface WorkflowSpec {
  readonly name: string;
  readonly description?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly schedule?: ScheduleSpec;
  /** `triggers:`, in file order: the events that start the workflow on AWS (and `ork run --event`). */
  readonly triggers: readonly TriggerSpec[];
  /** In file order. */
  readonly tasks: readonly TaskSpec[];
  /**
   * `on_failure:`: a task run once when the workflow fails, with the failure in its input. It has no
   * dependencies, fan-out or condition; its name is {@link ON_FAILURE_TASK}.
   */
  readonly onFailure?: TaskSpec;
  /** Path of workflow.yaml as given to the compiler (used in diagnostics). */
  readonly file: string;
}

/** A container task's heartbeat interval when it sets none: the state fails when heartbeats stop this long. */
export const DEFAULT_HEARTBEAT_SECONDS = 300;

/** The name of the `on_failure:` handler wherever a task name is needed (manifest, state, records); no task may take it. */
export const ON_FAILURE_TASK = 'on_failure';

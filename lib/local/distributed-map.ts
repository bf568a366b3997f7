import type { MapState, State, SubMachine, TaskManifestEntry } from '../../compiler/index.js';

/**
 * The fields of a Distributed Map that the local runner reads. The compiler's ASL types describe what it
 * emits; these are read from the definition as AWS documents them, so the runner also accepts
 * hand-written definitions.
 */
export interface DistributedMapDefinition {
  readonly Type: 'Map';
  readonly Comment?: string;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly ItemsPath?: string;
  readonly ItemReader?: {
    readonly Resource: string;
    readonly ReaderConfig?: { readonly InputType?: string; readonly MaxItems?: number; readonly MaxItemsPath?: string };
    readonly Parameters?: Readonly<Record<string, unknown>>;
  };
  readonly ItemSelector?: Readonly<Record<string, unknown>>;
  /** The older name of ItemSelector. */
  readonly Parameters?: Readonly<Record<string, unknown>>;
  readonly ItemBatcher?: {
    readonly MaxItemsPerBatch?: number;
    readonly MaxItemsPerBatchPath?: string;
    readonly MaxInputBytesPerBatch?: number;
    readonly MaxInputBytesPerBatchPath?: string;
    readonly BatchInput?: Readonly<Record<string, unknown>>;
  };
  readonly ItemProcessor: SubMachine & { readonly ProcessorConfig: { readonly Mode: string; readonly ExecutionType?: string } };
  readonly MaxConcurrency?: number;
  readonly MaxConcurrencyPath?: string;
  readonly ToleratedFailureCount?: number;
  readonly ToleratedFailureCountPath?: string;
  readonly ToleratedFailurePercentage?: number;
  readonly ToleratedFailurePercentagePath?: string;
  readonly ResultWriter?: { readonly Resource: string; readonly Parameters?: Readonly<Record<string, unknown>> };
  readonly ResultSelector?: unknown;
  readonly ResultPath?: string | null;
  readonly Retry?: unknown;
  readonly Catch?: unknown;
  readonly Label?: string;
  readonly Next?: string;
  readonly End?: true;
}

/** A Map whose iterations run as child executions (Distributed Map) rather than inside the parent. */
export function isDistributedMap(state: State): boolean {
  if (state.Type !== 'Map') return false;
  const config = (state as MapState).ItemProcessor.ProcessorConfig as { readonly Mode?: string } | undefined;
  return config?.Mode === 'DISTRIBUTED';
}

/** Every Task state that runs a task's instances: `stateNames` once the manifest has it, else `stateName`. */
export function stateNamesOf(task: TaskManifestEntry): readonly string[] {
  const names = (task as { readonly stateNames?: readonly string[] }).stateNames;
  return names && names.length > 0 ? names : [task.stateName];
}

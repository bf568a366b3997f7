import { STATE_DATA_MAX_BYTES, type TaskSpec } from '../model/index.js';
import type { PayloadTemplate } from './asl-types.js';
import type { FanOutMap } from './fan-out-map.js';
import { resultPath } from './payload.js';
import type { StateNames } from './state-names.js';

/** What every builder of a task's Map states shares. */
export interface FanOutContext {
  readonly task: TaskSpec;
  readonly workflow: string;
  readonly names: StateNames;
  /** `{ "discover.$": "$.results.discover", … }`: the upstream outputs every instance receives. */
  readonly inputs: PayloadTemplate;
  /** Where the fan-out leaves its outputs: `$.results.<task>`. */
  readonly output: string;
  /** The Pass that hands on an empty list when there is nothing to run. */
  readonly none: string;
  /** Records a fan-out Map and what was decided for it, as it is built (the manifest's `fanOut.maps`). */
  readonly record: (map: FanOutDecision) => void;
}

/** A fan-out Map as its builder knows it: where it sits is filled in once the definition is whole. */
export type FanOutDecision = Omit<FanOutMap, 'task' | 'path'>;

/** `{ "discover.$": "$.results.discover", … }`: upstream outputs read from the state. */
export function upstreamInputs(upstream: readonly string[]): PayloadTemplate {
  const inputs: PayloadTemplate = {};
  for (const task of upstream) inputs[`${task}.$`] = resultPath(task);
  return inputs;
}

/** Budget of one state for a list of outputs: well under what a state may carry (the rest of the state needs room). */
const LIST_OF_OUTPUTS_BYTES = Math.floor(STATE_DATA_MAX_BYTES * 0.625);
/** A reference to a stored output is about this big; spilling smaller outputs would not help. */
const SMALLEST_SPILL_BYTES = 256;

/** The size above which each of `instances` outputs travels as a reference, so that their list fits in a state. */
export function outputSpillBytes(instances: number): number {
  return Math.max(SMALLEST_SPILL_BYTES, Math.floor(LIST_OF_OUTPUTS_BYTES / Math.max(1, instances)));
}

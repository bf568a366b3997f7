import { DATA_LIMIT_EXCEEDED, STATE_DATA_MAX_BYTES, formatBytes } from '../../compiler/index.js';

/**
 * Step Functions' 256 KiB limit on state data, enforced locally as AWS does: a state whose output (a task's
 * result included) is larger fails with States.DataLimitExceeded, a terminal error that neither Retry nor
 * Catch with States.ALL matches (aws-local-stepfunctions reads `isRetryable` / `isCatchable`).
 */
export class DataLimitExceeded extends Error {
  constructor(
    readonly state: string,
    readonly bytes: number,
    what: string,
  ) {
    super(`state '${state}': ${what} is ${formatBytes(bytes)}, above the ${formatBytes(STATE_DATA_MAX_BYTES)} (256 KiB) Step Functions allows a state's data`);
    this.name = DATA_LIMIT_EXCEEDED;
  }

  get isRetryable(): boolean {
    return false;
  }

  get isCatchable(): boolean {
    return false;
  }
}

/** The size of a value as the JSON text Step Functions would hold, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** The failure for `value` when it is above the limit; undefined when it fits. */
export function dataLimitFailure(state: string, value: unknown, what: string): DataLimitExceeded | undefined {
  const bytes = jsonBytes(value);
  return bytes > STATE_DATA_MAX_BYTES ? new DataLimitExceeded(state, bytes, what) : undefined;
}

/** Why StartExecution would refuse this input, or undefined when it fits. */
export function executionInputTooLarge(input: unknown): string | undefined {
  const bytes = jsonBytes(input);
  if (bytes <= STATE_DATA_MAX_BYTES) return undefined;
  return `the workflow input is ${formatBytes(bytes)}; Step Functions accepts at most ${formatBytes(STATE_DATA_MAX_BYTES)} (256 KiB) of execution input`;
}

interface StateEvent {
  readonly type: string;
  readonly index?: number;
  readonly state?: { readonly name: string; readonly output?: unknown };
}

/**
 * Watches the interpreter's events for a state whose output is above the limit (a Map's list of outputs, the
 * state that gathers every task's result). Events inside a Map iteration are not measured here: they would
 * measure every instance's payload, and a task's own result is checked by its handler.
 */
export class StateDataWatch {
  failure: DataLimitExceeded | undefined;

  /** True for the first event over the limit; the run must then fail with `failure`. */
  check(event: StateEvent): boolean {
    if (this.failure || event.type !== 'StateExited' || event.index !== undefined || !event.state) return false;
    this.failure = dataLimitFailure(event.state.name, event.state.output, 'its output');
    return this.failure !== undefined;
  }
}

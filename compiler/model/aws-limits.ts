/**
 * AWS Step Functions quotas that the local engine and the compiler enforce as AWS does (docs/local-engine.md,
 * "AWS limits"). Limits that concern fan-outs (inline Map width, States.ArrayRange, Distributed Map
 * concurrency) are in fan-out-kinds.ts.
 */

/**
 * The most data a state's input or output, an execution's input or a task's result may hold: 256 KiB of
 * UTF-8 text. Above it a state fails with `States.DataLimitExceeded` (a terminal error that `States.ALL`
 * neither retries nor catches), and StartExecution refuses the input.
 */
export const STATE_DATA_MAX_BYTES = 256 * 1024;

/** CreateStateMachine refuses a definition longer than 1 MiB (1,048,576 characters of its JSON). */
export const DEFINITION_MAX_CHARACTERS = 1024 * 1024;

/** The error AWS reports for state data above STATE_DATA_MAX_BYTES. */
export const DATA_LIMIT_EXCEEDED = 'States.DataLimitExceeded';

/** `262,144 bytes`, for messages. */
export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} bytes`;
}

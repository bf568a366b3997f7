/** Where things live in the state the machine carries between tasks. */
export const StatePaths = {
  params: '$.params',
  /** `$.results.<task>`: a task's output, or the list of a fan-out's outputs. */
  results: '$.results',
  /** Scratch space of the step in progress (a fan-out's count and index range, a container's payload). */
  scratch: '$.ork',
} as const;

export function resultPath(task: string): string {
  return `${StatePaths.results}.${task}`;
}

/** `$.results.discover.files` for `discover.files`. */
export function fieldPath(task: string, field: readonly string[]): string {
  return [resultPath(task), ...field].join('.');
}

/**
 * How an instance is named in logs, errors, run records and stored keys: `process`, `process[2]`,
 * `process[item 3]`, `process[item 3, 2]`. One function for the local engine and the Node SDK; the Python
 * SDK's is ork/instance_label.py, and cases/instance-labels.json holds the cases both are tested against.
 */

/** Which instance: its `foreach:` element and its `parallel:` index, each when it has one to show. */
export interface InstanceFields {
  readonly task: string;
  readonly itemIndex?: number | undefined;
  readonly parallelIndex?: number | undefined;
}

export function instanceLabel({ task, itemIndex, parallelIndex }: InstanceFields): string {
  const parts: string[] = [];
  if (itemIndex !== undefined) parts.push(`item ${itemIndex}`);
  if (parallelIndex !== undefined) parts.push(String(parallelIndex));
  return parts.length > 0 ? `${task}[${parts.join(', ')}]` : task;
}

/**
 * The label of the instance a payload runs: its parallel index is shown when the task fans out with
 * `parallel:` (a count above 1, or an index above 0), not for the 0 of a task that does not.
 */
export function payloadInstanceLabel(task: string, itemIndex: number | undefined, parallelIndex: number, parallelCount: number): string {
  const shown = parallelCount > 1 || parallelIndex > 0;
  return instanceLabel({ task, itemIndex, parallelIndex: shown ? parallelIndex : undefined });
}

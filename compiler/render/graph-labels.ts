import type { TaskSpec } from '../model/index.js';

/** How a task fans out, in a few words: `×4`, `× discover.count`, `∀ discover.files`, `≤8 at once`. */
export function fanOutLabel(task: TaskSpec): string | undefined {
  const fanOut = task.fanOut;
  if (!fanOut) return undefined;
  const parts: string[] = [];
  if (fanOut.foreach) parts.push(`foreach ${fanOut.foreach.text}`);
  if (fanOut.parallel) parts.push(fanOut.parallel.kind === 'static' ? `×${fanOut.parallel.count}` : `× ${fanOut.parallel.ref.text}`);
  if (fanOut.concurrency !== undefined) parts.push(`max ${fanOut.concurrency} at once`);
  return parts.join(' · ');
}

/** Fields of `upstream` that a task's fan-out reads (`files` for `foreach: discover.files`). */
export function fanOutFields(task: TaskSpec, upstream: string): string[] {
  const refs = [task.fanOut?.foreach, task.fanOut?.parallel?.kind === 'reference' ? task.fanOut.parallel.ref : undefined];
  return refs.filter((ref) => ref?.task === upstream).map((ref) => ref?.field.join('.') ?? '');
}

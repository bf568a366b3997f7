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

/**
 * A task's `when:` on one line (`when discover.count > 0`): a block scalar's line breaks would break a
 * picture's label.
 */
export function conditionLabel(task: TaskSpec): string | undefined {
  return task.when ? `when ${task.when.text.replace(/\s+/g, ' ').trim()}` : undefined;
}

/**
 * True when the task runs even if `upstream` was skipped (`{task: upstream, if: always}`); a fan-out
 * source never is, whatever depends_on says.
 */
export function runsAfterSkipped(task: TaskSpec, upstream: string): boolean {
  const listed = task.dependsOn.filter((d) => d.task === upstream);
  return listed.some((d) => d.always && !d.implicit) && !listed.some((d) => d.implicit);
}

/** What an edge into a task says: the fields its fan-out reads, `always`, and the task's condition. */
export function edgeLabel(task: TaskSpec, upstream: string): string | undefined {
  const via = fanOutFields(task, upstream);
  const parts = [...(via.length > 0 ? [via.join(', ')] : []), ...(runsAfterSkipped(task, upstream) ? ['always'] : [])];
  const condition = conditionLabel(task);
  if (condition) parts.push(condition);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** The label under the name of the `on_failure:` handler's node. */
export const ON_FAILURE_LABEL = 'on failure';

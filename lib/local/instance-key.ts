import { instanceLabel as labelOf, payloadInstanceLabel } from '../../lambdas/contract/instance-label.js';
import type { PayloadKey } from '../../lambdas/contract/payload-schema.js';

/** What identifies one task instance across attempts and across runs (for --resume). */
export interface InstanceId {
  readonly task: string;
  readonly itemIndex?: number;
  readonly parallelIndex?: number;
  /** The instances of the `parallel:` fan-out, when the payload says: its label shows no index when there is one. */
  readonly parallelCount?: number;
  /**
   * A Distributed Map batch (ItemBatcher): one invocation runs this many instances, the first of which is
   * `itemIndex` / `parallelIndex`, and the last `lastIndex`.
   */
  readonly batch?: number;
  readonly lastIndex?: number;
}

/**
 * The key of an instance's attempts in a run record, which --resume matches a recorded run's by. It keeps
 * the parallel index whenever the task fans out with `parallel:`, even where the label leaves it out
 * (`parallel: 1`): a changed key would make --resume run again what a recorded run had already done.
 */
export function instanceKey(id: InstanceId): string {
  const parts = [id.task];
  if (id.itemIndex !== undefined) parts.push(`item-${id.itemIndex}`);
  if (id.parallelIndex !== undefined) parts.push(`p-${id.parallelIndex}`);
  if (id.batch !== undefined) parts.push(`batch-${id.batch}`);
  return parts.join('.');
}

/**
 * `process`, `process[item 3]`, `process[2]`, `process[item 3, 2]`: the runtimes' label (the contract's
 * payloadInstanceLabel when the parallel count is known, so that `parallel: 1` is `process` there and here,
 * else its instanceLabel). A batch is one invocation of several instances, which only the engine names:
 * `process[items 3…5]`, `process[indexes 0…9]`.
 */
export function instanceLabel(id: InstanceId): string {
  if (id.batch !== undefined) {
    const kind = id.itemIndex !== undefined ? 'items' : 'indexes';
    const first = id.itemIndex ?? id.parallelIndex;
    return `${id.task}[${kind} ${first}…${id.lastIndex ?? first}]`;
  }
  if (id.parallelIndex !== undefined && id.parallelCount !== undefined) return payloadInstanceLabel(id.task, id.itemIndex, id.parallelIndex, id.parallelCount);
  return labelOf(id);
}

/**
 * The payload fields that say which instance runs, typed by the contract's payload schema: a key it does not
 * name is a compile error. `batch`: a batch of instances (docs/scale.md, "Batches"), each element holding
 * the per-instance fields.
 */
type PayloadFields = Partial<Record<Extract<PayloadKey, 'task' | 'item_index' | 'parallel_index' | 'parallel_count' | 'batch'>, unknown>>;

export function instanceOf(payload: unknown, fanOutParallel: boolean): InstanceId {
  const p = (payload ?? {}) as PayloadFields;
  if (Array.isArray(p.batch) && p.batch.length > 0) {
    const first = instanceOf({ ...(p.batch[0] as object), task: p.task }, fanOutParallel);
    const lastFields = (p.batch[p.batch.length - 1] ?? {}) as PayloadFields;
    const last = first.itemIndex !== undefined ? lastFields.item_index : lastFields.parallel_index;
    return { ...first, batch: p.batch.length, ...(typeof last === 'number' ? { lastIndex: last } : {}) };
  }
  return {
    task: String(p.task ?? ''),
    ...(typeof p.item_index === 'number' ? { itemIndex: p.item_index } : {}),
    ...(fanOutParallel && typeof p.parallel_index === 'number' ? { parallelIndex: p.parallel_index } : {}),
    ...(fanOutParallel && typeof p.parallel_count === 'number' ? { parallelCount: p.parallel_count } : {}),
  };
}

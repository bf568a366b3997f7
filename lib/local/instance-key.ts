/** What identifies one task instance across attempts and across runs (for --resume). */
export interface InstanceId {
  readonly task: string;
  readonly itemIndex?: number;
  readonly parallelIndex?: number;
}

export function instanceKey(id: InstanceId): string {
  const parts = [id.task];
  if (id.itemIndex !== undefined) parts.push(`item-${id.itemIndex}`);
  if (id.parallelIndex !== undefined) parts.push(`p-${id.parallelIndex}`);
  return parts.join('.');
}

/** `process`, `process[item 3]`, `process[2]`, `process[item 3, 2]`: as the Python runtime writes it. */
export function instanceLabel(id: InstanceId): string {
  const parts: string[] = [];
  if (id.itemIndex !== undefined) parts.push(`item ${id.itemIndex}`);
  if (id.parallelIndex !== undefined) parts.push(String(id.parallelIndex));
  return parts.length > 0 ? `${id.task}[${parts.join(', ')}]` : id.task;
}

interface PayloadFields {
  task?: unknown;
  item_index?: unknown;
  parallel_index?: unknown;
  parallel_count?: unknown;
}

export function instanceOf(payload: unknown, fanOutParallel: boolean): InstanceId {
  const p = (payload ?? {}) as PayloadFields;
  return {
    task: String(p.task ?? ''),
    ...(typeof p.item_index === 'number' ? { itemIndex: p.item_index } : {}),
    ...(fanOutParallel && typeof p.parallel_index === 'number' ? { parallelIndex: p.parallel_index } : {}),
  };
}

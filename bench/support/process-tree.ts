/**
 * Memory of a process tree from /proc (Linux only): the proportional set size (Pss, from
 * /proc/<pid>/smaps_rollup) of a process and all its descendants. Pss divides each page among the processes
 * that map it, so the pages that forked or identical workers share are counted once in the sum, where
 * summing resident sizes (RSS) counts them once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of every process, from /proc/<pid>/stat; undefined where there is no /proc. */
function parents(): Map<number, number> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const found = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

/** Every descendant of `root` (children, their children, …). */
export function descendantsOf(root: number): number[] | undefined {
  const ppids = parents();
  if (!ppids) return undefined;
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of ppids) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Pss of one process in kB (0 if it ended, undefined where smaps_rollup is missing). */
export function pssKb(pid: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH' ? 0 : undefined;
  }
}

/** Pss (kB) of `root` and its descendants, leaving out `exclude`; undefined where /proc cannot tell. */
export function treePssKb(root: number, exclude: ReadonlySet<number> = new Set()): number | undefined {
  const own = pssKb(root);
  const descendants = descendantsOf(root);
  if (own === undefined || descendants === undefined) return undefined;
  let total = own;
  for (const pid of descendants) {
    if (exclude.has(pid)) continue;
    total += pssKb(pid) ?? 0;
  }
  return total;
}

import { existsSync, readFileSync } from 'node:fs';

/** Whether this system has the /proc the functions below read (Linux). */
const HAS_PROC = existsSync('/proc/self/task');

/** Children of a process, from /proc (undefined where that file is missing: not Linux). */
export function childrenOf(pid: number): number[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
}

/**
 * `pid` and the processes under it, parent before children (at most 1,000: a fork bomb does not stall the
 * engine). Children are read once a process has been handed out, so a caller that stops early reads no more.
 */
export function* processTree(pid: number): Generator<number> {
  const todo = [pid];
  for (let seen = 0; todo.length > 0 && seen < 1000; seen++) {
    const next = todo.pop() as number;
    yield next;
    todo.push(...(childrenOf(next) ?? []));
  }
}

/** Resident memory of one process in bytes (VmRSS), 0 once it has ended. */
function residentBytes(pid: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * The resident memory of the processes under `pid` (with `pid` itself unless `withoutRoot`: a reaper is not
 * the sandbox's), in bytes; undefined where /proc cannot tell (not Linux). Resident pages, as the memory
 * cgroup of a Lambda sandbox counts them; a page two of these processes share is counted twice.
 */
export function treeResidentBytes(pid: number, withoutRoot = false): number | undefined {
  if (!HAS_PROC) return undefined;
  let total = 0;
  for (const next of processTree(pid)) if (next !== pid || !withoutRoot) total += residentBytes(next);
  return total;
}

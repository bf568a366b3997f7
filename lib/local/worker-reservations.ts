import path from 'node:path';
import type { TaskManifest, TaskManifestEntry } from '../../compiler/index.js';
import type { RunObserver } from './run-events.js';
import type { WorkerPool } from './worker-pool.js';

/** How many instances of a fan-out run at once, as far as the manifest tells before it runs. */
function staticWidth(task: TaskManifestEntry): number | undefined {
  const fanOut = task.fanOut;
  if (!fanOut) return undefined;
  if (fanOut.concurrency !== undefined) return fanOut.concurrency;
  return typeof fanOut.parallel === 'number' && !fanOut.foreach ? fanOut.parallel : undefined;
}

/**
 * Starts the workers of a fan-out before its instances ask for them, as Lambda starts every instance at once:
 * when the run starts (a fan-out that depends on nothing) or a task a fan-out depends on starts, the
 * fan-out's width as the manifest gives it (its concurrency, or a
 * fixed `parallel:` count), while that task runs; when the fan-out begins (its size known), its effective
 * width, the concurrency else the instance count. The pool caps both at its maxWorkers.
 */
export function workerReservations(manifest: TaskManifest, workflowDir: string, poolFor: (task: TaskManifestEntry) => WorkerPool | undefined): RunObserver {
  const byName = new Map(manifest.tasks.map((t) => [t.name, t]));
  const fileOf = (task: TaskManifestEntry): string => path.resolve(workflowDir, task.file);
  // A fan-out that depends on nothing begins with the run.
  for (const task of manifest.tasks) {
    const width = staticWidth(task);
    if (width !== undefined && task.dependsOn.length === 0) poolFor(task)?.reserve(fileOf(task), width);
  }
  return {
    attemptStarted(attempt) {
      if (attempt.attempt !== 1) return;
      const upstream = byName.get(attempt.id.task);
      if (!upstream) return;
      for (const task of manifest.tasks) {
        const width = staticWidth(task);
        if (width === undefined || !task.dependsOn.includes(upstream.name)) continue;
        const pool = poolFor(task);
        // The upstream's own worker is free by the time the fan-out begins: it counts as one of its workers.
        if (pool === poolFor(upstream)) pool?.reserve(fileOf(task), width, fileOf(upstream));
        else pool?.reserve(fileOf(task), width);
      }
    },
    fanOutSized(name, count) {
      const task = byName.get(name);
      if (!task) return;
      const concurrency = task.fanOut?.concurrency;
      poolFor(task)?.reserve(fileOf(task), concurrency !== undefined && concurrency > 0 ? Math.min(concurrency, count) : count);
    },
  };
}

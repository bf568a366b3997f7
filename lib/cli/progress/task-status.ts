import type { TaskStats } from '../../local/run-stats.js';

export type TaskState = 'pending' | 'running' | 'succeeded' | 'tolerated' | 'failed' | 'cancelled';

/**
 * A task's state from its counts: done when every expected instance succeeded. A fan-out with
 * tolerate_failures whose instances all ended, some failed, is `tolerated`: whether the threshold held is
 * the run's verdict, printed at its end. Once the run has `ended`, a task with instances left unfinished
 * (stopped, or never started because another failed the run) is `failed` if one of its own failed, else
 * `cancelled` if any was stopped.
 */
export function taskState(stats: TaskStats, fansOut: boolean, tolerates = false, ended = false): TaskState {
  const expected = fansOut ? stats.expected : 1;
  const cancelled = stats.cancelled ?? 0;
  if (expected !== undefined && stats.succeeded >= expected && stats.running === 0) return 'succeeded';
  if (stats.failed > 0 && stats.running === 0 && (ended || expected === undefined || stats.succeeded + stats.failed + cancelled >= expected)) {
    // Every instance ended, some failed: within the threshold or not is the run's verdict.
    return tolerates && (expected === undefined || stats.succeeded + stats.failed >= expected) ? 'tolerated' : 'failed';
  }
  if (cancelled > 0 && stats.running === 0 && (ended || expected === undefined || stats.succeeded + cancelled >= expected)) return 'cancelled';
  if (stats.instances > 0 || (fansOut && stats.expected !== undefined)) return ended ? 'cancelled' : 'running';
  return 'pending';
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Math.round(seconds % 60)
    .toString()
    .padStart(2, '0')}s`;
}

export function bar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

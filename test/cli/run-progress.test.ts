import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunProgress, type ProgressSubject } from '../../lib/cli/progress/run-progress.js';
import { RunStats } from '../../lib/local/run-stats.js';

/**
 * The progress of a run (issue 15): a task shows `skipped` as soon as its skip state is entered; once the
 * run ended, a task it never started is cancelled when it failed, and the on_failure handler of a run that
 * succeeded is skipped, not pending.
 */

const SUBJECT: ProgressSubject = {
  workflow: 'w',
  tasks: [{ name: 'discover' }, { name: 'process', fanOut: true }, { name: 'report' }, { name: 'on_failure', role: 'on_failure' }],
};

function lineMode(): { progress: RunProgress; stats: RunStats; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const stats = new RunStats(SUBJECT.tasks.map((t) => t.name));
  const progress = new RunProgress(SUBJECT, stats, { stream, color: false, live: false });
  return { progress, stats, text: () => text };
}

describe('RunProgress statuses', () => {
  it('prints skipped when the skip state is entered, before the run ends', () => {
    const { progress, stats, text } = lineMode();
    progress.start();
    stats.taskSkipped('process');
    progress.taskSkipped();
    expect(text().split('\n')).toContain('↷ process     skipped');
    expect(progress.lines()).toContain('↷ process     skipped');
    progress.stop('SUCCEEDED');
  });

  it('a run that succeeded: the handler that had nothing to handle is skipped', () => {
    const { progress, text } = lineMode();
    progress.start();
    progress.stop('SUCCEEDED');
    expect(text()).toContain('↷ on_failure  skipped');
    expect(text()).not.toContain('pending');
  });

  it('a run that failed: tasks it never started are cancelled, the handler too when it never ran', () => {
    const { progress, text } = lineMode();
    progress.start();
    progress.stop('FAILED');
    for (const task of ['discover', 'process', 'report', 'on_failure']) expect(text()).toMatch(new RegExp(`^⊘ ${task}\\s+cancelled$`, 'm'));
  });

  it('without an outcome (the run could not end normally), what never started stays pending', () => {
    const { progress } = lineMode();
    progress.settle();
    expect(progress.lines()[0]).toBe('· discover    pending');
    progress.settle('FAILED');
    expect(progress.lines()[0]).toBe('⊘ discover    cancelled');
  });
});

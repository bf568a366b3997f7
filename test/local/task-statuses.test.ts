import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition, TaskManifest, TaskManifestEntry } from '../../compiler/index.js';
import type { AttemptRecord } from '../../lib/local/run-events.js';
import type { RunSummary } from '../../lib/local/run-recorder.js';
import { RunStats, type TaskStats } from '../../lib/local/run-stats.js';
import { runLocally } from '../../lib/local/run-workflow.js';
import { taskState, taskStatus } from '../../lib/local/task-state.js';
import { useScratchDirectory } from '../support/cli.js';

/**
 * A task's status once the run ended (issue 15): succeeded, failed, skipped (its skip state was entered, or
 * the on_failure handler of a run that did not fail), cancelled (never started in a run that failed or was
 * aborted), tolerated. The rules on counts, then the engine on hand-made machines whose skip states are
 * entered: statuses in the result and in run.json.
 */

const counts = (fields: Partial<TaskStats> = {}): TaskStats => ({ instances: 0, succeeded: 0, failed: 0, retried: 0, running: 0, peakRunning: 0, ...fields });
const single = { fansOut: false };
const succeededRun = { succeeded: true };
const failedRun = { succeeded: false };

describe('taskStatus', () => {
  it('a task whose skip state was entered is skipped, in a run that succeeded or failed', () => {
    expect(taskStatus(counts({ skipped: true }), single, succeededRun)).toBe('skipped');
    expect(taskStatus(counts({ skipped: true }), { fansOut: true }, failedRun)).toBe('skipped');
    // And while the run goes on, as soon as the state is entered.
    expect(taskState(counts({ skipped: true }), false)).toBe('skipped');
    expect(taskState(counts(), false)).toBe('pending');
  });

  it('a task that never started is cancelled when the run failed or was aborted', () => {
    expect(taskStatus(counts(), single, failedRun)).toBe('cancelled');
    expect(taskStatus(counts(), { fansOut: true }, failedRun)).toBe('cancelled');
    // An empty fan-out of a run that succeeded ran all it had to.
    expect(taskStatus(counts({ expected: 0 }), { fansOut: true }, succeededRun)).toBe('succeeded');
  });

  it('the on_failure handler: skipped when the run succeeded, its own outcome when it ran, cancelled when stopped first', () => {
    const handler = { fansOut: false, handler: true };
    expect(taskStatus(counts(), handler, succeededRun)).toBe('skipped');
    expect(taskStatus(counts({ instances: 1, succeeded: 1 }), handler, failedRun)).toBe('succeeded');
    expect(taskStatus(counts({ instances: 1, failed: 1 }), handler, failedRun)).toBe('failed');
    expect(taskStatus(counts(), handler, failedRun)).toBe('cancelled');
    expect(taskStatus(counts({ instances: 1, cancelled: 1 }), handler, failedRun)).toBe('cancelled');
  });

  it('succeeded, failed, and tolerated unless its fan-out is what failed the run', () => {
    expect(taskStatus(counts({ instances: 1, succeeded: 1 }), single, succeededRun)).toBe('succeeded');
    expect(taskStatus(counts({ instances: 1, failed: 1 }), single, failedRun)).toBe('failed');
    const tolerant = { fansOut: true, tolerates: true };
    const tolerated = counts({ instances: 10, expected: 10, succeeded: 9, failed: 1 });
    expect(taskStatus(tolerated, tolerant, succeededRun, 'work')).toBe('tolerated');
    expect(taskStatus(tolerated, tolerant, { succeeded: false, failedTask: 'other' }, 'work')).toBe('tolerated');
    expect(taskStatus(tolerated, tolerant, { succeeded: false, failedTask: 'work' }, 'work')).toBe('failed');
  });
});

describe('RunStats', () => {
  const attempt = (task: string, status: AttemptRecord['status']): AttemptRecord => ({
    id: { task } as AttemptRecord['id'],
    key: task,
    label: task,
    attempt: 1,
    startedAt: 0,
    endedAt: 1,
    status,
    input: {},
    ...(status === 'failed' ? { error: { type: 'ValueError', message: `${task} broke` } } : {}),
  });

  it('taskSkipped marks the task; the handler failing after the task it handles does not become the run failure', () => {
    const stats = new RunStats(['a', 'b', 'on_failure']);
    stats.taskSkipped('b');
    expect(stats.tasks.get('b')?.skipped).toBe(true);
    for (const task of ['a', 'on_failure']) {
      stats.attemptStarted(attempt(task, 'running'));
      stats.attemptEnded(attempt(task, 'failed'));
    }
    expect(stats.firstFailure('on_failure')?.id.task).toBe('a');
    expect(stats.failureOf('on_failure')?.error?.message).toBe('on_failure broke');
    expect(stats.failureOf('b')).toBeUndefined();
  });
});

const work = useScratchDirectory('ork-task-statuses-');

function entry(name: string, fields: Partial<TaskManifestEntry> = {}): TaskManifestEntry {
  return {
    name,
    executor: 'python',
    file: `tasks/${name}.py`,
    memoryMb: 128,
    env: {},
    dependsOn: [],
    stateName: name,
    stateNames: [name],
    placeholders: [],
    ...fields,
  };
}

/** A task's skip state as compiler/emit/skip-guard.ts emits it: the task's result becomes null. */
function skipPass(task: string, next?: string): StateMachineDefinition['States'][string] {
  return {
    Type: 'Pass',
    Parameters: { 'params.$': '$.params', 'results.$': `States.JsonMerge($.results, States.StringToJson('{"${task}":null}'), false)` },
    ...(next ? { Next: next } : { End: true }),
  };
}

/**
 * Start → (a's skip state) → (b's skip state, inside a Parallel branch as under on_failure:) → Done: no task
 * runs; the handler, whose Task state is never entered, has nothing to handle.
 */
const SKIPPING: StateMachineDefinition = {
  StartAt: 'Ork-Start',
  States: {
    'Ork-Start': { Type: 'Pass', Parameters: { 'params.$': '$', results: {} }, Next: 'a-skipped' },
    'a-skipped': skipPass('a', 'Ork-Workflow'),
    'Ork-Workflow': {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'b-skipped',
          States: { 'b-skipped': skipPass('b') },
        },
      ],
      ResultSelector: { 'params.$': '$[0].params', 'results.$': '$[0].results' },
      Next: 'Ork-Done',
    },
    'Ork-Done': { Type: 'Pass', InputPath: '$.results', End: true },
  },
};

describe('runLocally: statuses of skipped tasks', { timeout: 60_000 }, () => {
  it('tasks whose skip state was entered are skipped (result null), the unused handler skipped, in the result and run.json', async () => {
    const manifest: TaskManifest = {
      workflow: 'skipping',
      params: {},
      tasks: [
        entry('a', { when: 'params.go == true', skipState: 'a-skipped' }),
        entry('b', { dependsOn: ['a'], skipState: 'b-skipped' }),
        entry('on_failure', { role: 'on_failure' }),
      ],
    };
    const dir = work();
    const skippedTasks: string[] = [];
    const result = await runLocally({
      definition: SKIPPING,
      manifest,
      workflowDir: dir,
      input: {},
      runsDir: path.join(dir, 'runs'),
      observers: [{ taskSkipped: (task) => skippedTasks.push(task) }],
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.outputs).toEqual({ a: null, b: null });
    expect(skippedTasks).toEqual(['a', 'b']);
    const statuses = (tasks: Record<string, { status?: string }> | undefined): Record<string, string | undefined> =>
      Object.fromEntries(Object.entries(tasks ?? {}).map(([name, t]) => [name, t.status]));
    expect(statuses(result.tasks)).toEqual({ a: 'skipped', b: 'skipped', on_failure: 'skipped' });
    expect(result.onFailureError).toBeUndefined();
    const record = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as RunSummary;
    expect(statuses(record.tasks)).toEqual({ a: 'skipped', b: 'skipped', on_failure: 'skipped' });
  });

  it('a run that fails before its tasks start: they are cancelled, the skipped one stays skipped', async () => {
    const failing: StateMachineDefinition = {
      StartAt: 'Ork-Start',
      States: {
        'Ork-Start': { Type: 'Pass', Parameters: { 'params.$': '$', results: {} }, Next: 'a-skipped' },
        'a-skipped': skipPass('a', 'b-cannot-start'),
        // Where b would run, the machine fails (as a fan-out that cannot start does).
        'b-cannot-start': { Type: 'Fail', Error: 'Ork.NotAList', Cause: 'b cannot start' },
      },
    };
    const manifest: TaskManifest = {
      workflow: 'failing',
      params: {},
      tasks: [entry('a', { skipState: 'a-skipped' }), entry('b', { dependsOn: ['a'] }), entry('c', { dependsOn: ['b'] })],
    };
    const dir = work();
    const result = await runLocally({ definition: failing, manifest, workflowDir: dir, input: {}, runsDir: path.join(dir, 'runs') });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ error: 'Ork.NotAList' });
    expect(Object.fromEntries(Object.entries(result.tasks).map(([name, t]) => [name, t.status]))).toEqual({ a: 'skipped', b: 'cancelled', c: 'cancelled' });
  });
});

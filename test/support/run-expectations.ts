import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { jsonLines, type CliRun } from './cli.js';

/** What a finished `ork run --json` must show per task, in its summary and alike in its record (run.json, attempts.jsonl). */

interface TaskRecord {
  instances: number;
  peakRunning: number;
  /** Once the run ended: succeeded, failed, tolerated, skipped or cancelled. */
  status?: string;
}

interface RunRecord {
  status: string;
  tasks: Record<string, TaskRecord>;
}

const recordOf = (run: Pick<CliRun, 'runDir'>): RunRecord => JSON.parse(readFileSync(path.join(run.runDir, 'run.json'), 'utf8')) as RunRecord;

/** Succeeded with exactly these instances per task, no failure, no retry; run.json and attempts.jsonl agree. */
export function expectInstances(run: CliRun, expected: Readonly<Record<string, number>>): void {
  const { code, json, stderr } = run;
  expect(json.status, stderr).toBe('SUCCEEDED');
  expect(code).toBe(0);
  const record = recordOf(run);
  expect(record.status).toBe('SUCCEEDED');
  expect(Object.keys(json.tasks).sort()).toEqual(Object.keys(expected).sort());
  const attempts = jsonLines<{ task: string; status: string; attempt: number }>(path.join(run.runDir, 'attempts.jsonl'));
  for (const [task, instances] of Object.entries(expected)) {
    expect(json.tasks[task], task).toMatchObject({ instances, succeeded: instances, failed: 0, retried: 0 });
    expect(record.tasks[task], task).toMatchObject({ instances, succeeded: instances, failed: 0, retried: 0 });
    expect(
      attempts.filter((a) => a.task === task && a.status === 'succeeded'),
      task,
    ).toHaveLength(instances);
  }
  expect(attempts.every((a) => a.attempt === 1)).toBe(true);
}

/** Each task's status in the --json summary and in run.json, its tasks exactly these; `label` names the run in failures. */
export function expectStatuses(label: string, run: CliRun, expected: Readonly<Record<string, string>>): void {
  const record = recordOf(run);
  expect(Object.keys(run.json.tasks).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [task, status] of Object.entries(expected)) {
    expect(run.json.tasks[task]?.status, `${label}: ${task}`).toBe(status);
    expect(record.tasks[task]?.status, `${label}: ${task} in run.json`).toBe(status);
  }
}

/** The most instances of `task` running at once, from run.json: the cap when there were more, never above. */
export function expectPeak(run: CliRun, task: string, concurrency: number): void {
  const counts = recordOf(run).tasks[task];
  expect(counts, task).toBeDefined();
  expect(counts?.peakRunning).toBeLessThanOrEqual(concurrency);
  expect(counts?.peakRunning).toBe(Math.min(concurrency, counts?.instances ?? 0));
}

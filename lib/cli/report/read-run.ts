import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TaskManifest } from '../../../compiler/index.js';
import { readJsonLines, readRecordJson, withOwnerState, type RunSummary } from '../../local/run-recorder.js';

export interface RecordedAttempt {
  readonly task: string;
  readonly instance: string;
  readonly key: string;
  readonly attempt: number;
  readonly status: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly error?: { type: string; message: string };
}

export interface RecordedRun {
  readonly summary: RunSummary;
  readonly manifest: TaskManifest;
  readonly attempts: readonly RecordedAttempt[];
}

/** A run's record; a torn last line of attempts.jsonl is skipped (`warn` says so), other damage is a RunRecordError. */
export function readRecordedRun(runDir: string, warn?: (message: string) => void): RecordedRun {
  const attemptsFile = path.join(runDir, 'attempts.jsonl');
  const attempts = existsSync(attemptsFile) ? readJsonLines<RecordedAttempt>(attemptsFile, warn) : [];
  return {
    summary: withOwnerState(readRecordJson<RunSummary>(path.join(runDir, 'run.json'))),
    manifest: readRecordJson<TaskManifest>(path.join(runDir, 'manifest.json')),
    attempts,
  };
}

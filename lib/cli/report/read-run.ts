import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TaskManifest } from '../../../compiler/index.js';
import type { RunSummary } from '../../local/run-recorder.js';

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

export function readRecordedRun(runDir: string): RecordedRun {
  const read = (name: string): string => readFileSync(path.join(runDir, name), 'utf8');
  const attemptsFile = path.join(runDir, 'attempts.jsonl');
  const attempts = existsSync(attemptsFile)
    ? read('attempts.jsonl')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as RecordedAttempt)
    : [];
  return { summary: JSON.parse(read('run.json')) as RunSummary, manifest: JSON.parse(read('manifest.json')) as TaskManifest, attempts };
}

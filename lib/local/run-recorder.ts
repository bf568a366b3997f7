import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { AttemptRecord, LogLine, RunObserver } from './run-events.js';
import type { TaskSummary } from './run-stats.js';

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface RunError {
  readonly error: string;
  readonly message: string;
  readonly task?: string;
  readonly instance?: string;
  readonly log?: string;
}

/** `.ork/runs/<runId>/run.json`: the summary of one run. */
export interface RunSummary {
  readonly runId: string;
  readonly workflow: string;
  readonly workflowDir: string;
  status: RunStatus;
  readonly startedAt: string;
  endedAt?: string;
  readonly input: unknown;
  readonly resumedFrom?: string;
  outputs?: Record<string, unknown>;
  tasks?: Record<string, TaskSummary>;
  error?: RunError;
  workers?: number;
}

/**
 * Records a run under `.ork/runs/<runId>/`: run.json, the compiled and locally adapted definitions, the
 * manifest, every attempt (attempts.jsonl: input, output or error, timing), task logs (logs/<task>.jsonl)
 * and the interpreter's event history (events.jsonl). Appends stream, so a 100,000-instance run costs
 * no more than a few large writes.
 */
export class RunRecorder implements RunObserver {
  private readonly attempts: WriteStream;
  private readonly events: WriteStream;
  private readonly logs = new Map<string, WriteStream>();

  constructor(
    readonly dir: string,
    readonly summary: RunSummary,
  ) {
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    this.attempts = createWriteStream(path.join(dir, 'attempts.jsonl'));
    this.events = createWriteStream(path.join(dir, 'events.jsonl'));
    this.writeSummary();
  }

  writeJson(name: string, value: unknown): void {
    writeFileSync(path.join(this.dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }

  writeSummary(): void {
    this.writeJson('run.json', this.summary);
  }

  logPath(task: string): string {
    return path.join(this.dir, 'logs', `${task}.jsonl`);
  }

  attemptEnded(attempt: AttemptRecord): void {
    this.attempts.write(`${JSON.stringify({ task: attempt.id.task, instance: attempt.label, key: attempt.key, attempt: attempt.attempt, status: attempt.status, startedAt: attempt.startedAt, endedAt: attempt.endedAt, input: attempt.input, output: attempt.output, error: attempt.error })}\n`);
  }

  log(line: LogLine): void {
    let stream = this.logs.get(line.task);
    if (!stream) {
      stream = createWriteStream(this.logPath(line.task), { flags: 'a' });
      this.logs.set(line.task, stream);
    }
    stream.write(`${JSON.stringify({ instance: line.instance, ...line.record, level: line.level, message: line.message })}\n`);
  }

  event(event: unknown): void {
    this.events.write(`${JSON.stringify(event)}\n`);
  }

  async close(): Promise<void> {
    this.writeSummary();
    const streams = [this.attempts, this.events, ...this.logs.values()];
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }
}

/** Run ids sort by time: `20261127-181502-3f9a`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}

export function runsDirectory(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.ORK_RUNS_DIR ? path.resolve(cwd, env.ORK_RUNS_DIR) : path.join(cwd, '.ork', 'runs');
}

export function readRunSummary(runsDir: string, runId: string): RunSummary | undefined {
  const file = path.join(runsDir, runId, 'run.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
}

export function listRuns(runsDir: string): RunSummary[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .sort()
    .reverse()
    .map((id) => {
      try {
        return readRunSummary(runsDir, id);
      } catch {
        return undefined;
      }
    })
    .filter((s): s is RunSummary => s !== undefined);
}

/** Outputs of instances that succeeded in a recorded run, by instance key: what --resume reuses. */
export function succeededOutputs(runDir: string): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  const file = path.join(runDir, 'attempts.jsonl');
  if (!existsSync(file)) return outputs;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const attempt = JSON.parse(line) as { key: string; status: string; output?: unknown };
    if (attempt.status === 'succeeded' || attempt.status === 'reused') outputs.set(attempt.key, attempt.output);
  }
  return outputs;
}

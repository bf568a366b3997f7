import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { AttemptRecord, LogLine, RunObserver, ToleratedFailure } from './run-events.js';
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
  /** Events of the parent execution (a Distributed Map's children are executions of their own). */
  parentEvents?: number;
  /** Failures that Distributed Maps tolerated. */
  toleratedFailures?: readonly ToleratedFailure[];
}

/**
 * Records a run under `.ork/runs/<runId>/`: run.json, the compiled and locally adapted definitions, the
 * manifest, every attempt (attempts.jsonl: input, output or error, timing), task logs (logs/<task>.jsonl)
 * and the interpreter's event history (events.jsonl). Lines are appended in batches, so a
 * 100,000-instance run costs no more than a few large writes.
 */
export class RunRecorder implements RunObserver {
  private readonly attempts: LineFile;
  private readonly events: LineFile;
  private readonly logs = new Map<string, LineFile>();

  constructor(
    readonly dir: string,
    readonly summary: RunSummary,
  ) {
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    this.attempts = new LineFile(path.join(dir, 'attempts.jsonl'));
    this.events = new LineFile(path.join(dir, 'events.jsonl'));
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
    this.attempts.write(`${JSON.stringify({ task: attempt.id.task, instance: attempt.label, key: attempt.key, attempt: attempt.attempt, status: attempt.status, startedAt: attempt.startedAt, endedAt: attempt.endedAt, input: recordedInput(attempt.input), output: attempt.output, error: attempt.error })}\n`);
  }

  log(line: LogLine): void {
    let stream = this.logs.get(line.task);
    if (!stream) {
      stream = new LineFile(this.logPath(line.task), 'a');
      this.logs.set(line.task, stream);
    }
    stream.write(`${JSON.stringify({ instance: line.instance, ...line.record, level: line.level, message: line.message })}\n`);
  }

  event(event: unknown): void {
    this.events.write(`${JSON.stringify(withoutIterationPayloads(event))}\n`);
  }

  async close(): Promise<void> {
    this.writeSummary();
    await Promise.all([this.attempts, this.events, ...this.logs.values()].map((file) => file.end()));
  }
}

/**
 * Lines appended to a file in batches: what is written within FLUSH_MS (or up to FLUSH_LENGTH characters)
 * goes in one write. One write per line cost the engine more than running a no-op instance.
 */
class LineFile {
  private static readonly FLUSH_MS = 50;
  private static readonly FLUSH_LENGTH = 256 * 1024;
  private readonly stream: WriteStream;
  private pending: string[] = [];
  private length = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string, flags = 'w') {
    this.stream = createWriteStream(file, { flags });
  }

  write(line: string): void {
    this.pending.push(line);
    this.length += line.length;
    if (this.length >= LineFile.FLUSH_LENGTH) this.flush();
    // Unref'd: a pending flush never keeps the process alive; end() flushes what is left.
    else this.timer ??= setTimeout(() => this.flush(), LineFile.FLUSH_MS).unref();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    this.stream.write(this.pending.join(''));
    this.pending = [];
    this.length = 0;
  }

  end(): Promise<void> {
    this.flush();
    return new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}

/**
 * An attempt's payload without its upstream outputs (`inputs`), which are recorded with the upstream's own
 * attempts: every instance of a fan-out receives its upstream's whole output, so keeping them made a
 * 10,000-instance foreach write its item list 10,000 times. The field keeps the upstream task names.
 */
function recordedInput(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !('inputs' in input)) return input;
  const { inputs, ...rest } = input as { inputs: unknown };
  return { ...rest, inputs: inputs !== null && typeof inputs === 'object' ? Object.keys(inputs) : inputs };
}

interface StateData {
  readonly name: string;
  readonly type: string;
}

interface InterpreterEventFields {
  index?: number;
  input?: unknown;
  output?: unknown;
  state?: StateData;
  parentState?: StateData;
}

/**
 * Events of a Map iteration (those with an `index`) are kept without their input and output: each would
 * carry the iteration's whole payload (or, in `parentState`, the Map's whole input) once per instance,
 * gigabytes for a large fan-out. Each instance's payload and output are in attempts.jsonl.
 */
function withoutIterationPayloads(event: unknown): unknown {
  const fields = event as InterpreterEventFields;
  if (fields === null || typeof fields !== 'object' || fields.index === undefined) return event;
  const { input: _input, output: _output, ...light } = fields;
  if (fields.state) light.state = { name: fields.state.name, type: fields.state.type };
  if (fields.parentState) light.parentState = { name: fields.parentState.name, type: fields.parentState.type };
  return light;
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

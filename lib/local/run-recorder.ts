import { createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { AttemptRecord, LogLine, MetricLine, RunObserver, ToleratedFailure } from './run-events.js';
import type { TaskSummary } from './run-stats.js';

/**
 * `DIED` is never written: a reader shows it for a record left RUNNING by an `ork` process that is gone
 * (killed, or its machine restarted), see `ownerGone`.
 */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'DIED';

/**
 * The `ork run` process that writes a record. A pid alone is not enough to tell it is gone: pids are reused,
 * so the process's start time (/proc/<pid>/stat, field 22) is kept with it where the system has one.
 */
export interface RunOwner {
  readonly pid: number;
  readonly host: string;
  readonly startTime?: string;
}

/** A run record that cannot be read: one line naming the file, exit 2 (lib/cli/main.ts). */
export class RunRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRecordError';
  }
}

export interface RunError {
  readonly error: string;
  readonly message: string;
  readonly task?: string;
  readonly instance?: string;
  readonly log?: string;
  /**
   * The failed instance's own error (`error`: its name, `message`: its cause), also when the run's error is
   * one of its fan-out's (a Distributed Map's States.ExceedToleratedFailureThreshold).
   */
  readonly cause?: { readonly task: string; readonly instance: string; readonly error: string; readonly message: string; readonly attempts?: number };
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
  /** The `ork run` process writing the record (absent in runs recorded before it was kept). */
  readonly owner?: RunOwner;
  outputs?: Record<string, unknown>;
  tasks?: Record<string, TaskSummary>;
  error?: RunError;
  /** The on_failure handler's own failure (`error` stays the failure it handled). */
  onFailureError?: RunError;
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
  /** metrics.jsonl, opened with the first metric. */
  private metrics: LineFile | undefined;

  constructor(
    readonly dir: string,
    readonly summary: RunSummary,
  ) {
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    this.attempts = new LineFile(path.join(dir, 'attempts.jsonl'));
    this.events = new LineFile(path.join(dir, 'events.jsonl'));
    this.writeSummary();
  }

  /** Through a temporary file and a rename: a crash mid-write leaves the previous content, never half of it. */
  writeJson(name: string, value: unknown): void {
    const target = path.join(this.dir, name);
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
    renameSync(temporary, target);
  }

  writeSummary(): void {
    this.writeJson('run.json', this.summary);
  }

  logPath(task: string): string {
    return path.join(this.dir, 'logs', `${task}.jsonl`);
  }

  attemptEnded(attempt: AttemptRecord): void {
    const line = {
      task: attempt.id.task,
      instance: attempt.label,
      key: attempt.key,
      attempt: attempt.attempt,
      status: attempt.status,
      startedAt: attempt.startedAt,
      endedAt: attempt.endedAt,
      input: recordedInput(attempt.input),
      output: attempt.output,
      error: attempt.error,
    };
    this.attempts.write(`${JSON.stringify(line)}\n`);
  }

  log(line: LogLine): void {
    let stream = this.logs.get(line.task);
    if (!stream) {
      stream = new LineFile(this.logPath(line.task), 'a');
      this.logs.set(line.task, stream);
    }
    stream.write(`${JSON.stringify({ instance: line.instance, ...line.record, level: line.level, message: line.message })}\n`);
  }

  /** One EMF record per line, as the function's log stream holds it and CloudWatch turns it into metrics. */
  metric(line: MetricLine): void {
    this.metrics ??= new LineFile(path.join(this.dir, 'metrics.jsonl'), 'a');
    this.metrics.write(`${JSON.stringify(line.record)}\n`);
  }

  event(event: unknown): void {
    this.events.write(`${JSON.stringify(withoutIterationPayloads(event))}\n`);
  }

  async close(): Promise<void> {
    this.writeSummary();
    await Promise.all([this.attempts, this.events, ...this.logs.values(), ...(this.metrics ? [this.metrics] : [])].map((file) => file.end()));
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
  return `${stamp}-${Math.random().toString(16).slice(2, 6).padEnd(4, '0')}`;
}

/**
 * Creates a new run's directory exclusively (mkdir without `recursive` fails when it exists): two runs
 * started in the same second that drew the same id would otherwise write into one record. On a collision
 * another id is drawn.
 */
export function createRunDirectory(runsDir: string, nextId: () => string = newRunId): { runId: string; runDir: string } {
  const fail = (error: unknown): never => {
    throw new RunRecordError(`cannot create a run record in ${runsDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  };
  try {
    mkdirSync(runsDir, { recursive: true });
  } catch (error) {
    fail(error);
  }
  for (let tries = 0; tries < 100; tries++) {
    const runId = nextId();
    const runDir = path.join(runsDir, runId);
    try {
      mkdirSync(runDir);
      return { runId, runDir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') fail(error);
    }
  }
  throw new RunRecordError(`cannot create a run record in ${runsDir}: 100 run ids in a row were taken`);
}

/** The start time of a process, in clock ticks since boot (/proc/<pid>/stat field 22); undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (field 2, in parentheses, which may hold spaces): field 3 is the state.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? 'zombie' : fields[19];
  } catch {
    return undefined;
  }
}

/** This process, as the owner of the record it writes. */
export function currentOwner(): RunOwner {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, host: hostname(), ...(startTime !== undefined ? { startTime } : {}) };
}

/**
 * Whether the process that wrote a record is gone: no process has its pid, or the one that has it started at
 * another time (the pid was reused), or it has exited and only waits to be reaped. False when this cannot be
 * told (a record written on another host).
 */
export function ownerGone(owner: RunOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: a process of another user has the pid, so it exists (and the start time below tells whose it is).
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const startTime = processStartTime(owner.pid);
  if (startTime === 'zombie') return true;
  return owner.startTime !== undefined && startTime !== undefined && startTime !== owner.startTime;
}

/** A record as readers show it: RUNNING whose owner is gone is DIED, with an error that says so. */
export function withOwnerState(summary: RunSummary): RunSummary {
  if (summary.status !== 'RUNNING' || !summary.owner || !ownerGone(summary.owner)) return summary;
  return {
    ...summary,
    status: 'DIED',
    error: summary.error ?? {
      error: 'Ork.Died',
      message: `ork exited (pid ${summary.owner.pid} gone) before the run ended; resume it with --resume ${summary.runId}`,
    },
  };
}

export function runsDirectory(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.ORK_RUNS_DIR ? path.resolve(cwd, env.ORK_RUNS_DIR) : path.join(cwd, '.ork', 'runs');
}

/** A JSON file of a run record; a file that is not JSON (or not an object) is a RunRecordError naming it. */
export function readRecordJson<T>(file: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunRecordError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunRecordError(`${file}: corrupt run record (${text.trim() === '' ? 'empty' : (error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RunRecordError(`${file}: corrupt run record (not a JSON object)`);
  return value as T;
}

/**
 * The lines of a .jsonl file of a run record. A last line that is not JSON is what a crash in the middle of a
 * write leaves: it is skipped, and `warn` says so. Any other line that is not JSON is a RunRecordError naming
 * file and line.
 */
export function readJsonLines<T>(file: string, warn?: (message: string) => void): T[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunRecordError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && !lines[last]?.trim()) last--;
  const values: T[] = [];
  for (let i = 0; i <= last; i++) {
    const line = lines[i] ?? '';
    if (!line.trim()) continue;
    try {
      values.push(JSON.parse(line) as T);
    } catch (error) {
      if (i === last) {
        warn?.(`${file}:${i + 1}: ignoring a torn last line (a write the recording process did not finish)`);
        continue;
      }
      throw new RunRecordError(`${file}:${i + 1}: corrupt run record (${(error as Error).message})`);
    }
  }
  return values;
}

/** A run's summary, undefined when there is no such run; RUNNING whose `ork` is gone reads as DIED. */
export function readRunSummary(runsDir: string, runId: string): RunSummary | undefined {
  const file = path.join(runsDir, runId, 'run.json');
  if (!existsSync(file)) return undefined;
  const summary = readRecordJson<Partial<RunSummary>>(file);
  // Readers format these fields: a record without them is as unreadable as one that is not JSON.
  const missing = (['runId', 'workflow', 'status', 'startedAt'] as const).filter((field) => typeof summary[field] !== 'string');
  if (missing.length > 0) throw new RunRecordError(`${file}: corrupt run record (no ${missing.join(', ')})`);
  return withOwnerState(summary as RunSummary);
}

/** Recorded runs, newest first. A record that cannot be read is left out, and `warn` says which. */
export function listRuns(runsDir: string, warn?: (message: string) => void): RunSummary[] {
  if (!existsSync(runsDir)) return [];
  return readdirSync(runsDir)
    .sort()
    .reverse()
    .map((id) => {
      try {
        return readRunSummary(runsDir, id);
      } catch (error) {
        if (error instanceof RunRecordError) warn?.(`${error.message}; left out`);
        return undefined;
      }
    })
    .filter((s): s is RunSummary => s !== undefined);
}

/** Outputs of instances that succeeded in a recorded run, by instance key: what --resume reuses. */
export function succeededOutputs(runDir: string, warn?: (message: string) => void): Map<string, unknown> {
  const outputs = new Map<string, unknown>();
  const file = path.join(runDir, 'attempts.jsonl');
  if (!existsSync(file)) return outputs;
  for (const attempt of readJsonLines<{ key: string; status: string; output?: unknown }>(file, warn)) {
    if (attempt.status === 'succeeded' || attempt.status === 'reused') outputs.set(attempt.key, attempt.output);
  }
  return outputs;
}

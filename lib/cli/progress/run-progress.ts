import type { Writable } from 'node:stream';
import type { LogLine, RunObserver } from '../../local/run-events.js';
import type { TaskStats } from '../../local/run-stats.js';
import { taskState, taskStatus, type TaskState } from '../../local/task-state.js';
import { bar, formatSeconds } from './task-status.js';

export interface ProgressOptions {
  readonly stream: Writable & { isTTY?: boolean; columns?: number };
  readonly color: boolean;
  /** Redraw in place (a terminal) or print line by line (CI logs, pipes). */
  readonly live: boolean;
}

/** What is shown: a local run's manifest, or the tasks read from a deployed state machine. */
export interface ProgressSubject {
  readonly workflow: string;
  readonly tasks: readonly {
    readonly name: string;
    readonly fanOut?: { readonly tolerateFailures?: unknown } | true;
    /** `on_failure`: the workflow's failure handler, which runs only when the workflow failed. */
    readonly role?: 'on_failure';
  }[];
}

/** Where the counts come from: a local run's RunStats, or an execution's history. */
export interface ProgressCounts {
  readonly tasks: ReadonlyMap<string, TaskStats>;
}

const SYMBOL: Record<TaskState, string> = { pending: '·', running: '▸', succeeded: '✓', tolerated: '!', failed: '✗', cancelled: '⊘', skipped: '↷' };
const COLOR: Record<TaskState, string> = {
  pending: '\u001b[2m',
  running: '\u001b[36m',
  succeeded: '\u001b[32m',
  tolerated: '\u001b[33m',
  failed: '\u001b[31m',
  cancelled: '\u001b[33m',
  skipped: '\u001b[2m',
};
const RESET = '\u001b[0m';

function tolerates(task: ProgressSubject['tasks'][number]): boolean {
  return typeof task.fanOut === 'object' && task.fanOut.tolerateFailures !== undefined;
}

/**
 * Progress of a local run: on a terminal, one line per task redrawn in place (fan-outs with a bar and
 * pending / running / succeeded / failed counts); elsewhere, one line per change. Task log lines are
 * printed above, prefixed by task and instance.
 */
export class RunProgress implements RunObserver {
  private readonly started = Date.now();
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly lastState = new Map<string, TaskState>();
  private readonly lastReport = new Map<string, number>();
  /** The counts in the line last printed per task (line mode): the final line is printed when they moved. */
  private readonly lastLine = new Map<string, string>();
  /** stop() was called: the run is over, so unfinished tasks are failed or cancelled, not running. */
  private ended = false;
  /** How the run ended, when told: a task that never started is then cancelled, or (the handler) skipped. */
  private outcome: { readonly succeeded: boolean } | undefined;

  constructor(
    private readonly manifest: ProgressSubject,
    private readonly stats: ProgressCounts,
    private readonly options: ProgressOptions,
  ) {}

  start(): void {
    if (this.options.live) {
      this.timer = setInterval(() => this.redraw(), 100);
      this.timer.unref();
      this.redraw();
    } else {
      this.options.stream.write(`running ${this.manifest.workflow} (${this.manifest.tasks.length} tasks)\n`);
    }
  }

  /**
   * The run is over: the last lines are drawn. `status` is how it ended (SUCCEEDED, FAILED, ABORTED, or an
   * execution's TIMED_OUT…), unknown when the run could not end normally.
   */
  stop(status?: string): void {
    if (this.timer) clearInterval(this.timer);
    this.ended = true;
    this.settle(status);
    if (this.options.live) this.redraw();
    else this.reportChanges(true);
  }

  /**
   * How the run ended, so that each task shows its status (a task it never started: cancelled, or the
   * handler skipped); without drawing, for a one-off view of an execution that ended (`ork status`).
   */
  settle(status?: string): void {
    if (status !== undefined) this.outcome = { succeeded: status === 'SUCCEEDED' };
  }

  /** A task's state: its status once the run's outcome is known. */
  private stateOf(task: ProgressSubject['tasks'][number], stats: TaskStats): TaskState {
    const fansOut = task.fanOut !== undefined;
    if (this.outcome) return taskStatus(stats, { fansOut, tolerates: tolerates(task), handler: task.role === 'on_failure' }, this.outcome);
    return taskState(stats, fansOut, tolerates(task), this.ended);
  }

  private paint(state: TaskState, text: string): string {
    return this.options.color ? `${COLOR[state]}${text}${RESET}` : text;
  }

  /** The current task lines, for a one-off view (`ork status`). */
  lines(): string[] {
    const width = Math.max(...this.manifest.tasks.map((t) => t.name.length));
    return this.manifest.tasks.map((task) => {
      const stats = this.stats.tasks.get(task.name);
      if (!stats) return task.name;
      const fansOut = task.fanOut !== undefined;
      const state = this.stateOf(task, stats);
      const elapsed =
        stats.firstStart === undefined ? '' : formatSeconds((state === 'running' ? Date.now() : (stats.lastEnd ?? Date.now())) - stats.firstStart);
      let detail = state === 'pending' || stats.firstStart === undefined ? state : `${state} ${elapsed}`;
      if (fansOut && stats.expected !== undefined && state !== 'skipped') {
        const pending = Math.max(0, stats.expected - stats.instances);
        const cancelled = stats.cancelled ?? 0;
        // Once the run has ended, what never started is not pending: it was left out when the run stopped.
        const unstarted = this.ended ? (pending > 0 ? ` · not started ${pending}` : '') : '';
        detail = `[${bar(stats.succeeded, stats.expected)}] ${stats.succeeded}/${stats.expected}  ${this.ended ? '' : `pending ${pending} · `}running ${stats.running} · succeeded ${stats.succeeded} · failed ${stats.failed}${cancelled ? ` · cancelled ${cancelled}` : ''}${unstarted}${stats.retried ? ` · retried ${stats.retried}` : ''}  ${elapsed}`;
      } else if (stats.retried) {
        detail += ` (retried ${stats.retried})`;
      }
      return `${this.paint(state, SYMBOL[state])} ${task.name.padEnd(width)}  ${detail}`;
    });
  }

  private redraw(): void {
    const columns = this.options.stream.columns ?? 120;
    const lines = this.lines().map((l) => (l.length > columns + 20 ? l.slice(0, columns + 20) : l));
    let out = this.drawnLines > 0 ? `\u001b[${this.drawnLines}A` : '';
    for (const line of lines) out += `\u001b[2K${line}\n`;
    this.options.stream.write(out);
    this.drawnLines = lines.length;
  }

  /** Line mode: a line when a task changes state, and a fan-out's counts at most every 2 s. */
  private reportChanges(final = false): void {
    const lines = this.lines();
    this.manifest.tasks.forEach((task, i) => {
      const stats = this.stats.tasks.get(task.name);
      if (!stats) return;
      const state = this.stateOf(task, stats);
      const changed = this.lastState.get(task.name) !== state;
      const due = state === 'running' && task.fanOut !== undefined && Date.now() - (this.lastReport.get(task.name) ?? 0) > 2000;
      // At the end, a fan-out whose counts moved since its last line gets one more: a Distributed Map that
      // failed within 2 s of starting otherwise kept its first line, "0/50 … failed 0", as the last word.
      const counts = `${stats.succeeded} ${stats.failed} ${stats.cancelled ?? 0} ${stats.running}`;
      const moved = final && task.fanOut !== undefined && this.lastLine.has(task.name) && this.lastLine.get(task.name) !== counts;
      if ((changed && (state !== 'pending' || final)) || due || moved) {
        this.options.stream.write(`${lines[i]}\n`);
        this.lastState.set(task.name, state);
        this.lastReport.set(task.name, Date.now());
        this.lastLine.set(task.name, counts);
      }
    });
  }

  attemptStarted(): void {
    if (!this.options.live) this.reportChanges();
  }

  attemptEnded(): void {
    if (!this.options.live) this.reportChanges();
  }

  fanOutSized(): void {
    if (!this.options.live) this.reportChanges();
  }

  taskSkipped(): void {
    if (!this.options.live) this.reportChanges();
  }

  log(line: LogLine): void {
    const level = line.level === 'info' || line.level === 'print' ? '' : `${line.level}: `;
    const text = `  ${this.options.color ? '\u001b[2m' : ''}[${line.instance}]${this.options.color ? RESET : ''} ${level}${line.message}\n`;
    if (this.options.live && this.drawnLines > 0) {
      // Print above the progress block: move up, clear it, write the log line, redraw below.
      this.options.stream.write(`\u001b[${this.drawnLines}A\u001b[0J${text}`);
      this.drawnLines = 0;
      this.redraw();
    } else {
      this.options.stream.write(text);
    }
  }

  elapsed(): number {
    return Date.now() - this.started;
  }
}

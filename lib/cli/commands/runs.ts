import { listRuns, runsDirectory, type RunSummary } from '../../local/run-recorder.js';
import type { TaskStatus } from '../../local/task-state.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { formatSeconds } from '../progress/task-status.js';
import { writeTable } from '../write-table.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list recent local runs',
  help: `Usage: ork runs [--limit N] [--json]

Lists the runs recorded under .ork/runs (ORK_RUNS_DIR), newest first. A run whose ork process is
gone (killed, or its machine restarted) before the run ended is DIED; a record that cannot be read is
left out with a warning on stderr.

Options:
  --limit N   how many (default 20)
  --json      as a JSON list`,
  run(argv, io) {
    const { values } = parseCommandArgs('runs', argv, { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' } });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    const runs = listRuns(runsDirectory(io.cwd, io.env), (message) => void io.stderr.write(`ork: warning: ${message}\n`)).slice(0, limit);
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify(
          runs.map(({ runId, workflow, status, startedAt, endedAt, error, onFailureError, tasks }) => ({
            runId,
            workflow,
            status,
            startedAt,
            endedAt,
            error,
            ...(onFailureError ? { onFailureError } : {}),
            ...(taskStatuses(tasks) ? { taskStatuses: taskStatuses(tasks) } : {}),
          })),
          null,
          2,
        )}\n`,
      );
      return ExitCode.ok;
    }
    if (runs.length === 0) {
      io.stdout.write('no runs yet: ork run WORKFLOW records one\n');
      return ExitCode.ok;
    }
    const rows = runs.map((r) => {
      const duration = r.endedAt ? formatSeconds(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '…';
      const instances = Object.values(r.tasks ?? {}).reduce((n, t) => n + t.instances, 0);
      return [r.runId, r.workflow, r.status, r.startedAt.replace('T', ' ').slice(0, 19), duration, String(instances), statusCounts(r.tasks)];
    });
    writeTable(io.stdout, ['RUN', 'WORKFLOW', 'STATUS', 'STARTED', 'TOOK', 'INSTANCES', 'TASKS'], rows);
    return ExitCode.ok;
  },
};

/** Each task's status, by task name; undefined for a run recorded before statuses were kept, or unfinished. */
function taskStatuses(tasks: RunSummary['tasks']): Record<string, string> | undefined {
  const entries = Object.entries(tasks ?? {}).flatMap(([name, t]) => (t.status ? [[name, t.status] as const] : []));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

const STATUS_ORDER: readonly TaskStatus[] = ['succeeded', 'tolerated', 'failed', 'skipped', 'cancelled'];

/** How many tasks ended in each status: `3 succeeded, 1 skipped`. */
function statusCounts(tasks: RunSummary['tasks']): string {
  const statuses = Object.values(taskStatuses(tasks) ?? {});
  return STATUS_ORDER.map((status) => [status, statuses.filter((s) => s === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

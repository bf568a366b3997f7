import path from 'node:path';
import { readRunSummary, runsDirectory, listRuns } from '../../local/run-recorder.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { handlerFailureLine } from '../handler-failure.js';
import { formatSeconds } from '../progress/task-status.js';
import { writeFileAtomic } from '../write-output.js';

export const showCommand: Command = {
  name: 'show',
  summary: 'summarise a local run (or write its HTML report)',
  help: `Usage: ork show [RUN_ID] [--json] [--html [-o FILE]]

Summarises a recorded run (default: the latest): status, input, per-task instances and status
(succeeded, failed, tolerated, skipped, cancelled), the error, and the on_failure handler's own failure.
A run whose ork process is gone before the run ended shows as DIED (also in --json).

Options:
  --json        the run's record (run.json) as JSON
  --html        write an HTML report with the task graph and a timeline of every instance
                (default file: .ork/runs/<runId>/report.html)
  -o FILE       where to write the HTML report`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('show', argv, {
      json: { type: 'boolean' },
      html: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const runsDir = runsDirectory(io.cwd, io.env);
    const runId = positionals[0] ?? listRuns(runsDir, (message) => void io.stderr.write(`ork: warning: ${message}\n`))[0]?.runId;
    if (!runId) throw new UsageError('no runs yet', 'ork run WORKFLOW records one');
    const run = readRunSummary(runsDir, runId);
    if (!run) throw new UsageError(`no run '${runId}'`, "see 'ork runs'");
    const runDir = path.join(runsDir, runId);
    if (values.html) {
      const { renderRunReport } = await import('../report/run-report.js');
      const target = path.resolve(io.cwd, values.output ?? path.join(runDir, 'report.html'));
      writeFileAtomic(
        target,
        renderRunReport(runDir, (message) => void io.stderr.write(`ork: warning: ${message}\n`)),
      );
      io.stdout.write(`${path.relative(io.cwd, target) || target}\n`);
      return ExitCode.ok;
    }
    if (values.json) {
      io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return ExitCode.ok;
    }
    const took = run.endedAt ? formatSeconds(Date.parse(run.endedAt) - Date.parse(run.startedAt)) : run.status === 'DIED' ? 'did not end' : 'still running';
    const lines = [
      `run       ${run.runId}${run.resumedFrom ? ` (resumed from ${run.resumedFrom})` : ''}`,
      `workflow  ${run.workflow} (${run.workflowDir})`,
      `status    ${run.status}`,
      `started   ${run.startedAt} · took ${took}`,
      `input     ${JSON.stringify(run.input)}`,
    ];
    if (run.tasks) {
      // CANCELLED: instances stopped because the run ended (another failed, or Ctrl-C); absent in older records,
      // as is STATUS (the task's, once the run ended: succeeded, failed, skipped, cancelled or tolerated).
      lines.push('', 'TASK'.padEnd(24) + 'INSTANCES  SUCCEEDED  FAILED  CANCELLED  RETRIED  SECONDS  STATUS');
      for (const [name, t] of Object.entries(run.tasks)) {
        lines.push(
          `${name.padEnd(24)}${String(t.instances).padStart(9)}  ${String(t.succeeded).padStart(9)}  ${String(t.failed).padStart(6)}  ${String(t.cancelled ?? 0).padStart(9)}  ${String(t.retried).padStart(7)}  ${t.seconds.toFixed(2).padStart(7)}  ${t.status ?? ''}`.trimEnd(),
        );
      }
    }
    // What the tasks recorded with ctx.metrics.record (metrics.jsonl holds the EMF records).
    const metricRows = Object.entries(run.tasks ?? {}).flatMap(([name, t]) => (t.metrics ?? []).map((m) => ({ task: name, ...m })));
    if (metricRows.length > 0) {
      const figure = (n: number): string => String(Math.round(n * 1000) / 1000);
      lines.push('', 'METRIC'.padEnd(32) + 'UNIT'.padEnd(14) + 'COUNT'.padStart(8) + 'SUM'.padStart(12) + 'MIN'.padStart(12) + 'MAX'.padStart(12));
      for (const m of metricRows) {
        lines.push(
          `${`${m.task}.${m.name}`.padEnd(32)}${m.unit.padEnd(14)}${String(m.count).padStart(8)}${figure(m.sum).padStart(12)}${figure(m.min).padStart(12)}${figure(m.max).padStart(12)}`,
        );
      }
    }
    const tolerated = run.toleratedFailures ?? [];
    if (tolerated.length > 0) {
      lines.push('', `tolerated ${tolerated.length} failed instance${tolerated.length === 1 ? '' : 's'} (tolerate_failures)`);
      for (const f of tolerated.slice(0, 10)) lines.push(`  ${f.instance}: ${f.error}: ${f.message.split('\n')[0]}`);
      if (tolerated.length > 10) lines.push(`  … and ${tolerated.length - 10} more (ork show --json)`);
    }
    if (run.error) {
      lines.push('', `error     ${run.error.error}: ${run.error.message}`);
      if (run.error.cause) lines.push(`cause     ${run.error.cause.instance}: ${run.error.cause.error}: ${run.error.cause.message.split('\n')[0]}`);
      if (run.error.log) lines.push(`log       ${path.relative(io.cwd, run.error.log)} (instance ${run.error.instance})`);
    }
    if (run.onFailureError) {
      lines.push(handlerFailureLine(run.onFailureError.error, run.onFailureError.message));
      if (run.onFailureError.log) lines.push(`log       ${path.relative(io.cwd, run.onFailureError.log)} (instance ${run.onFailureError.instance})`);
    }
    lines.push('', `recorded  ${path.relative(io.cwd, runDir) || runDir}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return ExitCode.ok;
  },
};

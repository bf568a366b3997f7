import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runOrk, runWorkflowCli, useScratchDirectory, writeWorkflowDirectory, type CliResult, type CliRun } from '../support/cli.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';

/**
 * Nothing an attempt wrote is lost: what it printed, logged (`ctx.log`) and recorded (`ctx.metrics.record`)
 * before its worker crashed (os._exit) or before it was killed at its timeout (a busy loop) is in the run
 * record, where the error points (logs/<task>.jsonl, metrics.jsonl). Metrics are the EMF lines CloudWatch
 * would receive, summed up per task (count, sum, min, max) in --json, run.json, `ork show` and the HTML report.
 */

const work = useScratchDirectory('ork-attempt-output-');

interface MetricJson {
  name: string;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface RunJson {
  status: string;
  runId: string;
  tasks: Record<string, { instances: number; metrics?: MetricJson[] }>;
  error?: { error: string; message: string; log?: string };
}

function writeWorkflow(name: string, yaml: string, files: Record<string, string>): string {
  return writeWorkflowDirectory(work(), name, { 'workflow.yaml': yaml, ...files });
}

function ork(args: string[], runsDir: string): Promise<CliResult> {
  return runOrk(args, work(), { ORK_RUNS_DIR: runsDir });
}

/** Where the runs of the workflow in `dir` are recorded. */
const runsOf = (dir: string): string => path.join(dir, 'runs');

/** `ork run DIR --json`. */
function runWorkflow(dir: string): Promise<CliRun<RunJson>> {
  return runWorkflowCli<RunJson>(dir, runsOf(dir), [], {}, { cwd: work() });
}

/** A task that prints, logs and records a metric, then does `end` (crash, hang, return). */
const TASK = (end: string) => `import os
import sys

from ork import task, Context


@task
def main(ctx: Context) -> dict:
    print("printed before the end")
    sys.stderr.write("written to stderr before the end\\n")
    ctx.log.info("logged before the end", step=1)
    ctx.metrics.record("rows", 7)
${end}
`;

function expectKept(runDir: string, task: string): void {
  const logFile = path.join(runDir, 'logs', `${task}.jsonl`);
  expect(existsSync(logFile), `${logFile} exists`).toBe(true);
  const lines = jsonLines(logFile);
  expect(lines).toContainEqual(expect.objectContaining({ instance: task, level: 'print', message: 'printed before the end' }));
  expect(lines).toContainEqual(expect.objectContaining({ instance: task, level: 'print', message: 'written to stderr before the end' }));
  expect(lines).toContainEqual(expect.objectContaining({ level: 'info', message: 'logged before the end', step: 1 }));
  const [metric] = jsonLines(path.join(runDir, 'metrics.jsonl'));
  expect(metric).toMatchObject({ rows: 7, Task: task, _aws: { CloudWatchMetrics: [{ Namespace: 'Ork', Metrics: [{ Name: 'rows', Unit: 'Count' }] }] } });
}

/** Runs the workflow, which must fail with `error` while what `task`'s attempt wrote is kept (expectKept). */
async function expectFailedKeeping(dir: string, task: string, error: string): Promise<CliRun<RunJson>> {
  const run = await runWorkflow(dir);
  expect(run.code, run.stderr).toBe(1);
  expect(run.json.error?.error).toBe(error);
  expectKept(run.runDir, task);
  return run;
}

describe('what an attempt wrote is in the run record', { timeout: 120_000 }, () => {
  it('a worker that crashes (os._exit) after printing, logging and recording a metric', async () => {
    const dir = writeWorkflow('crash', pythonTasksYaml({ crash: [] }), { 'tasks/crash.py': TASK('    os._exit(3)') });
    const { json, runDir } = await expectFailedKeeping(dir, 'crash', 'Ork.WorkerCrashed');
    expect(json.error?.log).toBe(path.join(runDir, 'logs', 'crash.jsonl'));
  });

  it('an attempt killed at its timeout in a busy loop', async () => {
    const dir = writeWorkflow('busy', pythonTasksYaml({ busy: ['timeout: 2s'] }), {
      'tasks/busy.py': TASK('    while True:\n        pass'),
    });
    await expectFailedKeeping(dir, 'busy', 'States.Timeout');
  });

  it('a node worker that exits (process.exit) after printing, logging and recording a metric', async () => {
    const dir = writeWorkflow('node-crash', 'tasks:\n  crash:\n    executor: node\n    file: tasks/crash.ts\n', {
      'tasks/crash.ts': `import { defineTask } from 'ork/task';
export default defineTask({
  handler: async (_input, ctx) => {
    console.log('printed before the end');
    process.stderr.write('written to stderr before the end\\n');
    ctx.log.info('logged before the end', { step: 1 });
    ctx.metrics.record('rows', 7);
    process.exit(3);
  },
});
`,
    });
    await expectFailedKeeping(dir, 'crash', 'Ork.WorkerCrashed');
  });

  it('metrics land in metrics.jsonl as EMF and are summed up per task in --json, run.json, ork show and the HTML report', async () => {
    const dir = writeWorkflow('metrics', pythonTasksYaml({ make: [], each: ['foreach: make.items'] }), {
      'tasks/make.py': 'from ork import task\n\n\n@task\ndef main() -> dict:\n    return {"items": [1, 2, 3]}\n',
      'tasks/each.py': `from ork import task, Context


@task
def main(input: dict, ctx: Context) -> dict:
    ctx.metrics.record("rows", input["item"])
    ctx.metrics.record("latency", input["item"] * 10.5, "Milliseconds")
    return {}
`,
    });
    const { code, stderr, json, runDir } = await runWorkflow(dir);
    expect(code, stderr).toBe(0);
    const expected = [
      { name: 'rows', unit: 'Count', count: 3, sum: 6, min: 1, max: 3 },
      { name: 'latency', unit: 'Milliseconds', count: 3, sum: 63, min: 10.5, max: 31.5 },
    ];
    expect(json.tasks.each?.metrics).toEqual(expected);
    expect(json.tasks.make?.metrics).toBeUndefined();

    const emf = jsonLines(path.join(runDir, 'metrics.jsonl'));
    expect(emf).toHaveLength(6);
    expect(emf.every((r) => r.Workflow === 'metrics' && r.Task === 'each' && typeof r.ExecutionId === 'string')).toBe(true);
    expect(
      emf
        .filter((r) => 'rows' in r)
        .map((r) => r.rows)
        .sort(),
    ).toEqual([1, 2, 3]);
    const record = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunJson;
    expect(record.tasks.each?.metrics).toEqual(expected);

    const show = await ork(['show', json.runId], runsOf(dir));
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/METRIC\s+UNIT\s+COUNT\s+SUM\s+MIN\s+MAX/);
    expect(show.stdout).toMatch(/each\.rows\s+Count\s+3\s+6\s+1\s+3\n/);
    expect(show.stdout).toMatch(/each\.latency\s+Milliseconds\s+3\s+63\s+10\.5\s+31\.5\n/);

    const html = path.join(work(), 'metrics-report.html');
    const report = await ork(['show', json.runId, '--html', '-o', html], runsOf(dir));
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<tr><td>each</td><td>rows</td><td>Count</td><td>3</td><td>6</td><td>1</td><td>3</td></tr>');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderRunReport } from '../../lib/cli/report/run-report.js';
import type { RunSummary } from '../../lib/local/run-recorder.js';
import { runLocally } from '../../lib/local/run-workflow.js';
import { compileCleanly } from '../support/workflows.js';
import { runOrk, useScratchDirectory, writeWorkflowDirectory } from '../support/cli.js';

/**
 * `when:`, `if: always` and `on_failure:` run end to end on the local engine (issue 15): a false condition
 * skips its task (result null) and the tasks that need it, a true one runs it, an `if: always` dependent runs
 * with null for the skipped upstream; every task has its status in the result, run.json, `ork show` and the
 * HTML report. A failing task runs the handler and the run still fails with that task's error; a handler
 * that fails too is reported apart (onFailureError), never in the error's place.
 */

const work = useScratchDirectory('ork-conditional-');

const RETURNS = (value: string): string => `from ork import task


@task
def main(input):
    return ${value}
`;

const CONDITIONAL = {
  'workflow.yaml': `params: { mode: full }
tasks:
  discover:
    file: tasks/discover.py
  big:
    file: tasks/big.py
    depends_on: [discover]
    when: "discover.count > 5"
  small:
    file: tasks/small.py
    depends_on: [discover]
    when: "discover.count <= 5 and params.mode == 'full'"
  after_big:
    file: tasks/after_big.py
    depends_on: [big]
  summary:
    file: tasks/summary.py
    depends_on: [small, {task: big, if: always}]
`,
  'tasks/discover.py': RETURNS('{"count": 3}'),
  'tasks/big.py': RETURNS('{"ran": "big"}'),
  'tasks/small.py': RETURNS('{"ran": "small"}'),
  'tasks/after_big.py': RETURNS('{"ran": "after_big"}'),
  'tasks/summary.py': RETURNS('{"big": input["big"], "small": input["small"]["ran"]}'),
};

function statuses(tasks: Record<string, { status?: string }> | undefined): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(tasks ?? {}).map(([name, t]) => [name, t.status]));
}

describe('when: and if: always on the local engine', { timeout: 120_000 }, () => {
  it('skips the task whose condition is false and its dependent, runs the true one and the if-always dependent', async () => {
    const dir = writeWorkflowDirectory(work(), 'conditional', CONDITIONAL);
    const { definition, manifest } = compileCleanly(dir);
    const skipped: string[] = [];
    const result = await runLocally({
      definition,
      manifest,
      workflowDir: dir,
      input: {},
      runsDir: path.join(dir, 'runs'),
      observers: [{ taskSkipped: (task) => skipped.push(task) }],
    });
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const expected = { discover: 'succeeded', big: 'skipped', small: 'succeeded', after_big: 'skipped', summary: 'succeeded' };
    expect(statuses(result.tasks)).toEqual(expected);
    expect(skipped.sort()).toEqual(['after_big', 'big']);
    expect(result.outputs).toMatchObject({ big: null, after_big: null, small: { ran: 'small' }, summary: { big: null, small: 'small' } });
    expect(result.tasks.big).toMatchObject({ instances: 0, succeeded: 0 });

    const record = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as RunSummary;
    expect(statuses(record.tasks)).toEqual(expected);
    // Drawn as skipped in the report's graph, not as pending.
    const html = renderRunReport(result.runDir);
    expect(html).toContain('<g class="task skipped" data-task="big">');
    expect(html).toContain('<g class="task skipped" data-task="after_big">');
    expect(html).not.toContain('class="task pending"');

    const show = await runOrk(['show', result.runId], dir, { ORK_RUNS_DIR: path.join(dir, 'runs') });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^big\s+0\s+0\s+0\s+0\s+0\s+0\.00 {2}skipped$/m);
    expect(show.stdout).toMatch(/^summary\s+1\s+1\s.*succeeded$/m);

    // ork runs counts the statuses; --json lists them.
    const runs = await runOrk(['runs'], dir, { ORK_RUNS_DIR: path.join(dir, 'runs') });
    expect(runs.stdout).toMatch(new RegExp(`^${result.runId}\\s.*\\s3 succeeded, 2 skipped$`, 'm'));
    const listed = JSON.parse((await runOrk(['runs', '--json'], dir, { ORK_RUNS_DIR: path.join(dir, 'runs') })).stdout) as { taskStatuses?: unknown }[];
    expect(listed[0]?.taskStatuses).toEqual(expected);
  });
});

const HANDLED = (handler: string): Record<string, string> => ({
  'workflow.yaml': `tasks:
  extract:
    file: tasks/extract.py
  load:
    file: tasks/load.py
    depends_on: [extract]
  publish:
    file: tasks/publish.py
    depends_on: [load]
on_failure:
  file: tasks/alert.py
`,
  'tasks/extract.py': RETURNS('{"rows": 2}'),
  'tasks/load.py': `from ork import task


@task
def main(input):
    raise ValueError("the warehouse is down")
`,
  'tasks/publish.py': RETURNS('{"ok": True}'),
  'tasks/alert.py': handler,
});

/** The handler leaves what it was told in a file: its result is discarded. */
const RECORDING_HANDLER = `import json
from pathlib import Path

from ork import task


@task
def main(input):
    failure = input["failure"]
    Path(__file__).resolve().parent.parent.joinpath("alerted.json").write_text(json.dumps(failure))
    return {}
`;

const FAILING_HANDLER = `from ork import task


@task
def main(input):
    raise RuntimeError("cannot reach the pager for " + input["failure"]["task"])
`;

describe('on_failure: on the local engine', { timeout: 120_000 }, () => {
  it('a task raises: the handler runs with the failure, the run fails with the task’s own error', async () => {
    const dir = writeWorkflowDirectory(work(), 'handled', HANDLED(RECORDING_HANDLER));
    const { definition, manifest } = compileCleanly(dir);
    const result = await runLocally({ definition, manifest, workflowDir: dir, input: {}, runsDir: path.join(dir, 'runs') });
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({
      error: 'ValueError',
      task: 'load',
      instance: 'load',
      cause: { task: 'load', error: 'ValueError', message: 'the warehouse is down' },
    });
    expect(result.onFailureError).toBeUndefined();
    const expected = { extract: 'succeeded', load: 'failed', publish: 'cancelled', on_failure: 'succeeded' };
    expect(statuses(result.tasks)).toEqual(expected);
    const record = JSON.parse(readFileSync(path.join(result.runDir, 'run.json'), 'utf8')) as RunSummary;
    expect(statuses(record.tasks)).toEqual(expected);
    expect(record.error?.error).toBe('ValueError');
    const alerted = path.join(dir, 'alerted.json');
    expect(existsSync(alerted)).toBe(true);
    expect(JSON.parse(readFileSync(alerted, 'utf8'))).toMatchObject({ task: 'load', instance: 'load', error: 'ValueError' });
  });

  it('the handler raises too: FAILED with the original error, the handler’s failure in onFailureError and one line', async () => {
    const dir = writeWorkflowDirectory(work(), 'handler-fails', HANDLED(FAILING_HANDLER));
    const runsDir = path.join(dir, 'runs');
    const json = await runOrk(['run', dir, '--json'], work(), { ORK_RUNS_DIR: runsDir });
    expect(json.code, json.stderr).toBe(1);
    const summary = JSON.parse(json.stdout) as {
      status: string;
      tasks: Record<string, { status?: string }>;
      error: { error: string; task: string };
      onFailureError: { error: string; message: string; task: string };
    };
    expect(summary.status).toBe('FAILED');
    expect(summary.error).toMatchObject({ error: 'ValueError', task: 'load' });
    expect(summary.onFailureError).toMatchObject({ error: 'RuntimeError', message: 'cannot reach the pager for load', task: 'on_failure' });
    expect(statuses(summary.tasks)).toEqual({ extract: 'succeeded', load: 'failed', publish: 'cancelled', on_failure: 'failed' });

    const text = await runOrk(['run', dir], work(), { ORK_RUNS_DIR: runsDir });
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain("task 'load' instance load failed: ValueError: the warehouse is down");
    expect(text.stdout).toContain('on_failure handler failed: RuntimeError: cannot reach the pager for load');
    const show = await runOrk(['show'], work(), { ORK_RUNS_DIR: runsDir });
    expect(show.stdout).toMatch(/^error {5}ValueError: /m);
    expect(show.stdout).toContain('on_failure handler failed: RuntimeError: cannot reach the pager for load');
    expect(show.stdout).toMatch(/^on_failure\s+1\s+0\s+1\s.*failed$/m);
  });
});

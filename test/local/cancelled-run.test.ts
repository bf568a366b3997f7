import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunProgress } from '../../lib/cli/progress/run-progress.js';
import { succeededOutputs } from '../../lib/local/run-recorder.js';
import { RunStats } from '../../lib/local/run-stats.js';
import { runLocally, type LocalRunResult } from '../../lib/local/run-workflow.js';
import { compileCleanly } from '../support/workflows.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';
import { jsonLines, runOrk, useScratchDirectory, writeWorkflowDirectory, type CliResult } from '../support/cli.js';

/**
 * What a failure stops is `cancelled`, not failed: one instance failing among 12 at concurrency 6 reads
 * failed 1, cancelled 5 (the others that were running), never more running than the concurrency, in
 * run.json, --json, the progress lines and `ork show`. A Distributed Map that fails keeps AWS's error name
 * and names the failed item's own error as the run error's cause; its progress line ends with its counts;
 * --resume runs again only what failed, was cancelled or never started.
 */

const work = useScratchDirectory('ork-cancelled-');

interface TaskJson {
  instances: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  retried: number;
  peakRunning: number;
}

interface RunJson {
  status: string;
  runId: string;
  tasks: Record<string, TaskJson>;
  error?: { error: string; message: string; task?: string; instance?: string; cause?: { task: string; instance: string; error: string; message: string } };
}

function writeWorkflow(name: string, files: Record<string, string>): string {
  return writeWorkflowDirectory(work(), name, files);
}

function ork(args: string[], runsDir: string): Promise<CliResult> {
  return runOrk(args, work(), { ORK_RUNS_DIR: runsDir });
}

function attempts(runDir: string): { task: string; key: string; instance: string; attempt: number; status: string }[] {
  return jsonLines(path.join(runDir, 'attempts.jsonl'));
}

const LIST = (n: number) => `from ork import task


@task
def main() -> dict:
    return {"items": list(range(${n}))}
`;

describe('stopped instances are cancelled, not failed', { timeout: 120_000 }, () => {
  it('1 failure among 12 at concurrency 6: failed 1, cancelled 5, peakRunning 6, in --json, run.json, progress and ork show', async () => {
    // Item 0 fails once the 5 others of the first 6 are running (each leaves a file); they would sleep a minute.
    const dir = writeWorkflow('twelve', {
      'workflow.yaml': pythonTasksYaml({ make: [], each: ['foreach: make.items', 'concurrency: 6'] }),
      'tasks/make.py': LIST(12),
      'tasks/each.py': `import time
from pathlib import Path

from ork import task

HERE = Path(__file__).resolve().parent.parent


@task
def main(input: dict) -> dict:
    item = input["item"]
    if item == 0:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all((HERE / f"started-{i}").exists() for i in range(1, 6)):
            time.sleep(0.05)
        raise ValueError("item 0 is broken")
    (HERE / f"started-{item}").write_text("")
    time.sleep(60)
    return {"item": item}
`,
    });
    const runsDir = path.join(dir, 'runs');
    const result = await ork(['run', dir, '--json'], runsDir);
    expect(result.code, result.stderr).toBe(1);
    const json = JSON.parse(result.stdout) as RunJson;
    expect(json.tasks.each).toMatchObject({ instances: 6, succeeded: 0, failed: 1, cancelled: 5 });
    expect(json.tasks.each?.peakRunning).toBeLessThanOrEqual(6);
    expect(json.error).toMatchObject({
      error: 'ValueError',
      task: 'each',
      instance: 'each[item 0]',
      cause: { task: 'each', instance: 'each[item 0]', error: 'ValueError', message: 'item 0 is broken' },
    });

    const runDir = path.join(runsDir, json.runId);
    const record = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunJson;
    expect(record.tasks.each).toMatchObject({ failed: 1, cancelled: 5 });
    const each = attempts(runDir).filter((a) => a.task === 'each');
    expect(each.filter((a) => a.status === 'failed').map((a) => a.instance)).toEqual(['each[item 0]']);
    expect(
      each
        .filter((a) => a.status === 'cancelled')
        .map((a) => a.instance)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5].map((i) => `each[item ${i}]`).sort());
    // The 6 items that never started have no attempt at all.
    expect(each).toHaveLength(6);

    // The progress lines (stderr with --json, not a terminal) end with the task's real counts.
    const lastLine = result.stderr
      .split('\n')
      .filter((l) => /\beach\b/.test(l) && l.includes('/12'))
      .pop();
    expect(lastLine).toMatch(/failed 1 · cancelled 5 · not started 6/);

    const show = await ork(['show', json.runId], runsDir);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/CANCELLED/);
    expect(show.stdout).toMatch(/each\s+6\s+0\s+1\s+5\s+0\s/);
    expect(show.stdout).toContain('cause     each[item 0]: ValueError: item 0 is broken');
  });

  it(
    'a Distributed Map of 50 with one failing item: AWS’s error name, the item’s own error as ' +
      'cause, items counted; --resume reruns only what did not succeed',
    async () => {
      const dir = writeWorkflow('distributed', {
        'workflow.yaml': pythonTasksYaml({ make: [], each: ['foreach: make.items', 'mode: distributed', 'concurrency: 5'] }),
        'tasks/make.py': LIST(50),
        'tasks/each.py': `import os
import time

from ork import task


@task
def main(input: dict) -> dict:
    if input["item"] == 7 and os.path.exists("refuse"):
        raise RuntimeError("item 7 refused while ./refuse exists")
    time.sleep(0.05)
    return {"doubled": input["item"] * 2}
`,
        refuse: '',
      });
      const { definition, manifest } = compileCleanly(dir);
      const runsDir = path.join(dir, 'runs');
      let printed = '';
      const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          printed += chunk.toString();
          done();
        },
      });
      const stats = new RunStats(manifest.tasks.map((t) => t.name));
      const progress = new RunProgress(manifest, stats, { stream, color: false, live: false });
      progress.start();
      let failed: LocalRunResult;
      try {
        failed = await runLocally({ definition, manifest, workflowDir: dir, input: {}, runsDir, observers: [stats, progress] });
      } finally {
        progress.stop();
      }
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatchObject({
        error: 'States.ExceedToleratedFailureThreshold',
        instance: 'each[item 7]',
        cause: { task: 'each', instance: 'each[item 7]', error: 'RuntimeError', message: 'item 7 refused while ./refuse exists' },
      });
      const each = failed.tasks.each;
      expect(each?.failed).toBe(1);
      expect((each?.succeeded ?? 0) + (each?.failed ?? 0) + (each?.cancelled ?? 0)).toBe(each?.instances);
      expect(each?.peakRunning).toBeLessThanOrEqual(5);
      // Its last progress line counts its items: what succeeded, the failure, what was stopped.
      const lastLine =
        printed
          .split('\n')
          .filter((l) => /\beach\b/.test(l) && l.includes('/50'))
          .pop() ?? '';
      expect(lastLine).toContain(`${each?.succeeded}/50`);
      expect(lastLine).toContain('failed 1');
      if (each?.cancelled) expect(lastLine).toContain(`cancelled ${each.cancelled}`);

      const first = attempts(failed.runDir).filter((a) => a.task === 'each');
      const succeededBefore = new Set(first.filter((a) => a.status === 'succeeded').map((a) => a.key));
      const stoppedBefore = first.filter((a) => a.status === 'cancelled' || a.status === 'failed').map((a) => a.key);
      expect(succeededBefore.size).toBe(each?.succeeded);

      rmSync(path.join(dir, 'refuse'));
      const resumed = await runLocally({
        definition,
        manifest,
        workflowDir: dir,
        input: {},
        runsDir,
        resume: { runId: failed.runId, outputs: succeededOutputs(failed.runDir) },
      });
      expect(resumed.status, JSON.stringify(resumed.error)).toBe('SUCCEEDED');
      const again = attempts(resumed.runDir).filter((a) => a.task === 'each');
      expect(new Set(again.filter((a) => a.status === 'reused').map((a) => a.key))).toEqual(succeededBefore);
      const rerun = again.filter((a) => a.status === 'succeeded').map((a) => a.key);
      // Everything else ran again, once: the failed item, the cancelled ones and those that never started.
      expect(rerun).toHaveLength(50 - succeededBefore.size);
      expect(rerun.every((key) => !succeededBefore.has(key))).toBe(true);
      for (const key of stoppedBefore) expect(rerun).toContain(key);
      expect(again.every((a) => a.attempt === 1)).toBe(true);
    },
  );
});

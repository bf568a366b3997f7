import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  finished,
  jsonLines,
  parseJsonOutput,
  startOrk,
  useScratchDirectory,
  writeWorkflowDirectory,
  type CliResult,
  type OrkProcess,
} from '../support/cli.js';
import { pythonTasksYaml } from '../support/python-tasks-yaml.js';

/**
 * How `ork run` fails, each on a small workflow written to a temporary directory and run through the CLI:
 * retries (attempts counted), empty fan-outs, a foreach over something that is not a list, an output that
 * does not fit its model, --resume after a failure, Ctrl-C, a bad --input and a timeout.
 */

const work = useScratchDirectory('ork-failures-');

interface RunJson {
  status: string;
  runId: string;
  outputs: Record<string, unknown>;
  tasks: Record<string, { instances: number; succeeded: number; failed: number; retried: number; seconds: number; peakRunning: number }>;
  error?: { error: string; message: string; task?: string; instance?: string; log?: string };
}

interface AttemptLine {
  task: string;
  instance: string;
  key: string;
  attempt: number;
  status: string;
  startedAt: number;
  endedAt: number;
  input: Record<string, unknown>;
  output?: unknown;
  error?: { type: string; message: string; traceback?: string };
}

/** A workflow directory: workflow.yaml and task files (paths relative to it). */
function workflow(name: string, yaml: string, files: Record<string, string>): string {
  return writeWorkflowDirectory(work(), name, { 'workflow.yaml': yaml, ...files });
}

function runsDir(dir: string): string {
  return path.join(dir, '.runs');
}

function startCli(dir: string, args: string[]): OrkProcess {
  return startOrk(['run', dir, ...args], work(), { ORK_RUNS_DIR: runsDir(dir) });
}

function ork(dir: string, ...args: string[]): Promise<CliResult> {
  const started = performance.now();
  return finished(startCli(dir, args), started);
}

function parse(result: CliResult): RunJson {
  return parseJsonOutput<RunJson>(result);
}

function attempts(dir: string, runId: string): AttemptLine[] {
  return jsonLines<AttemptLine>(path.join(runsDir(dir), runId, 'attempts.jsonl'));
}

function runRecord(dir: string, runId: string): { status: string; resumedFrom?: string; error?: RunJson['error'] } {
  return JSON.parse(readFileSync(path.join(runsDir(dir), runId, 'run.json'), 'utf8')) as { status: string };
}

/** Whether a process is still there (a zombie has exited: it only waits to be reaped). */
function alive(pid: number): boolean {
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 && ps.stdout.trim() !== '' && !ps.stdout.trim().startsWith('Z');
}

/** `python -m ork.worker` processes whose parent is `parent`. */
function workerPids(parent: number): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === parent && /-m ork\.worker/.test(m[3] ?? ''))
    .map((m) => Number(m[1]));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const DISCOVER_LIST = (field: string, value: string, type = 'list[int]') => `from ork import task
from pydantic import BaseModel


class Output(BaseModel):
    ${field}: ${type}


@task
def main() -> Output:
    return Output(${field}=${value})
`;

const AGGREGATE = (upstream: string) => `from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    ${upstream}: list


class Output(BaseModel):
    received: list


@task
def main(input: Input) -> Output:
    return Output(received=input.${upstream})
`;

// Generous: each case starts the CLI and Python, and the machine may be busy.
describe.concurrent('ork run: failures and edge cases', { timeout: 90_000 }, () => {
  it('retries a failing instance, counts its attempts, and names task, instance, error and log', async () => {
    const dir = workflow('retries', pythonTasksYaml({ discover: [], process: ['foreach: discover.items', 'retries: 2', 'retry_delay: 1s', 'backoff: 1'] }), {
      'tasks/discover.py': DISCOVER_LIST('items', '[0, 1, 2, 3, 4]'),
      'tasks/process.py': `from ork import task, Context
from pydantic import BaseModel


class Input(BaseModel):
    item: int


class Output(BaseModel):
    item: int


@task
def main(input: Input, ctx: Context) -> Output:
    if input.item == 3:
        ctx.log.info(f"attempt {ctx.attempt} of item 3 is about to fail")
        raise ValueError("item 3 is broken")
    return Output(item=input.item)
`,
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code).toBe(1);
    expect(json.status).toBe('FAILED');
    expect(json.tasks.process).toMatchObject({ instances: 5, succeeded: 4, failed: 1, retried: 2 });

    const logFile = path.join(runsDir(dir), json.runId, 'logs', 'process.jsonl');
    expect(json.error).toMatchObject({ error: 'ValueError', task: 'process', instance: 'process[item 3]', log: logFile });
    expect(json.error?.message).toContain("task 'process' instance process[item 3] (item 3) failed after 3 attempts: ValueError: item 3 is broken");
    expect(runRecord(dir, json.runId)).toMatchObject({ status: 'FAILED', error: json.error });

    const failing = attempts(dir, json.runId).filter((a) => a.key === 'process.item-3');
    expect(failing.map((a) => [a.attempt, a.status, a.error?.type, a.error?.message])).toEqual([
      [1, 'failed', 'ValueError', 'item 3 is broken'],
      [2, 'failed', 'ValueError', 'item 3 is broken'],
      [3, 'failed', 'ValueError', 'item 3 is broken'],
    ]);
    expect(failing[2]?.error?.traceback).toContain('raise ValueError("item 3 is broken")');
    // 1 s between attempts (backoff 1).
    expect((failing[2]?.startedAt ?? 0) - (failing[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(2000);

    // The log the error points at holds the instance's lines, one per attempt.
    const logs = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { instance: string; message: string; attempt: number });
    expect(logs.filter((l) => l.instance === 'process[item 3]').map((l) => l.attempt)).toEqual([1, 2, 3]);

    // Without --json the same failure is told in words, with where the log is and how to resume.
    const human = await ork(dir);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('FAILED');
    expect(human.stdout).toMatch(/log: .*logs\/process\.jsonl \(instance process\[item 3\]\)/);
    expect(human.stdout).toMatch(/resume with: ork run .* --resume \S+/);
  });

  it('foreach over an empty list runs no instance and hands [] downstream', async () => {
    const dir = workflow(
      'empty-foreach',
      pythonTasksYaml({ discover: [], process: ['foreach: discover.files', 'concurrency: 4'], aggregate: ['depends_on: [process]'] }),
      {
        'tasks/discover.py': DISCOVER_LIST('files', '[]', 'list[str]'),
        'tasks/process.py': `from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    item: str


@task
def main(input: Input) -> dict:
    raise RuntimeError("no instance may run")
`,
        'tasks/aggregate.py': AGGREGATE('process'),
      },
    );
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(json.status).toBe('SUCCEEDED');
    expect(json.outputs).toStrictEqual({ discover: { files: [] }, process: [], aggregate: { received: [] } });
    expect(json.tasks.process).toMatchObject({ instances: 0, succeeded: 0, failed: 0, peakRunning: 0 });
    expect(json.tasks.aggregate).toMatchObject({ instances: 1, succeeded: 1 });
  });

  it('parallel: discover.count of 0 runs no instance and hands [] downstream', async () => {
    const dir = workflow('count-zero', pythonTasksYaml({ discover: [], process: ['parallel: discover.count'], aggregate: ['depends_on: [process]'] }), {
      'tasks/discover.py': DISCOVER_LIST('count', '0', 'int'),
      'tasks/process.py': `from ork import task


@task
def main() -> dict:
    raise RuntimeError("no instance may run")
`,
      'tasks/aggregate.py': AGGREGATE('process'),
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(json.outputs).toStrictEqual({ discover: { count: 0 }, process: [], aggregate: { received: [] } });
    expect(json.tasks.process).toMatchObject({ instances: 0, succeeded: 0, failed: 0 });
  });

  it('foreach over a field that is not a list fails, naming task and field', async () => {
    const dir = workflow('not-a-list', pythonTasksYaml({ discover: [], process: ['foreach: discover.files'] }), {
      'tasks/discover.py': DISCOVER_LIST('files', '"a.csv,b.csv"', 'str'),
      'tasks/process.py': `from ork import task


@task
def main() -> dict:
    return {}
`,
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code).toBe(1);
    expect(json.status).toBe('FAILED');
    expect(json.error?.error).toBe('Ork.FanOutSourceNotAList');
    expect(json.error?.message).toContain("task 'process'");
    expect(json.error?.message).toContain('discover.files');
    expect(json.tasks.process).toMatchObject({ instances: 0 });
  });

  it('an output that does not fit its model fails at once, even with retries', async () => {
    const dir = workflow('bad-output', pythonTasksYaml({ produce: ['retries: 3', 'retry_delay: 1s'] }), {
      'tasks/produce.py': `from ork import task
from pydantic import BaseModel


class Output(BaseModel):
    count: int


@task
def main() -> Output:
    return {"count": "many"}
`,
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code).toBe(1);
    expect(json.error).toMatchObject({ error: 'Ork.OutputValidationError', task: 'produce', instance: 'produce' });
    expect(json.error?.message).toContain("field 'count'");
    expect(json.tasks.produce).toMatchObject({ instances: 1, failed: 1, retried: 0 });
    expect(attempts(dir, json.runId).map((a) => [a.attempt, a.status, a.error?.type])).toEqual([[1, 'failed', 'Ork.OutputValidationError']]);
  });

  it('--resume runs again only what did not succeed, reusing the rest', async () => {
    // Instance 2 fails while the file `broken` exists, and only once the others have succeeded, so
    // that what the first run leaves is certain.
    const dir = workflow(
      'resume',
      pythonTasksYaml({ discover: [], process: ['foreach: discover.items', 'concurrency: 4'], aggregate: ['depends_on: [process]'] }),
      {
        'tasks/discover.py': DISCOVER_LIST('items', '[0, 1, 2, 3]'),
        'tasks/process.py': `import time
from pathlib import Path

from ork import task
from pydantic import BaseModel

HERE = Path(__file__).resolve().parent.parent


class Input(BaseModel):
    item: int


class Output(BaseModel):
    doubled: int


@task
def main(input: Input) -> Output:
    if input.item == 2 and (HERE / "broken").exists():
        others = [HERE / f"done-{i}" for i in (0, 1, 3)]
        deadline = time.monotonic() + 20
        while not all(p.exists() for p in others) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The others wrote their file just before returning: let their outputs reach the runner first, or
        # the failing Map stops them in flight (seen on a loaded 2-core machine).
        time.sleep(0.5)
        raise RuntimeError("broken")
    (HERE / f"done-{input.item}").write_text("")
    return Output(doubled=input.item * 2)
`,
        'tasks/aggregate.py': AGGREGATE('process'),
        broken: '',
      },
    );
    const first = await ork(dir, '--json', '--input', '{"note": "first"}');
    const failed = parse(first);
    expect(first.code).toBe(1);
    expect(failed.error).toMatchObject({ error: 'RuntimeError', instance: 'process[item 2]' });
    expect(
      attempts(dir, failed.runId)
        .map((a) => [a.key, a.status])
        .sort(),
    ).toEqual([
      ['discover', 'succeeded'],
      ['process.item-0', 'succeeded'],
      ['process.item-1', 'succeeded'],
      ['process.item-2', 'failed'],
      ['process.item-3', 'succeeded'],
    ]);

    rmSync(path.join(dir, 'broken'));
    const second = await ork(dir, '--json', '--resume', failed.runId);
    const resumed = parse(second);
    expect(second.code, second.stderr).toBe(0);
    expect(resumed.runId).not.toBe(failed.runId);
    expect(resumed.outputs).toStrictEqual({
      discover: { items: [0, 1, 2, 3] },
      process: [0, 2, 4, 6].map((doubled) => ({ doubled })),
      aggregate: { received: [0, 2, 4, 6].map((doubled) => ({ doubled })) },
    });
    const again = attempts(dir, resumed.runId);
    expect(again.map((a) => [a.key, a.attempt, a.status]).sort()).toEqual([
      ['aggregate', 1, 'succeeded'],
      ['discover', 1, 'reused'],
      ['process.item-0', 1, 'reused'],
      ['process.item-1', 1, 'reused'],
      ['process.item-2', 1, 'succeeded'],
      ['process.item-3', 1, 'reused'],
    ]);
    // The resumed run keeps the first run's input and says where it comes from.
    expect(runRecord(dir, resumed.runId)).toMatchObject({ status: 'SUCCEEDED', resumedFrom: failed.runId, input: { note: 'first' } });
  });

  it('Ctrl-C stops the running instances, records ABORTED, exits 130 and leaves no worker behind', async () => {
    const dir = workflow('ctrl-c', pythonTasksYaml({ discover: [], slow: ['foreach: discover.items', 'concurrency: 3'] }), {
      'tasks/discover.py': DISCOVER_LIST('items', 'list(range(6))'),
      'tasks/slow.py': `import time
from pathlib import Path

from ork import task
from pydantic import BaseModel

HERE = Path(__file__).resolve().parent.parent


class Input(BaseModel):
    item: int


@task
def main(input: Input) -> dict:
    (HERE / f"started-{input.item}").write_text("")
    time.sleep(60)
    return {}
`,
    });
    const child = startCli(dir, ['--json']);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const cli = child.pid ?? 0;

    // Three instances are sleeping in three workers. Starting three Python workers takes seconds, and much
    // longer on a loaded machine: the wait is generous, and the bound that matters is from Ctrl-C on.
    await waitFor('three running instances', () => [0, 1, 2].every((i) => existsSync(path.join(dir, `started-${i}`))), 60_000);
    const workers = workerPids(cli);
    expect(workers.length).toBeGreaterThanOrEqual(3);
    expect(workers.every(alive)).toBe(true);

    const interrupted = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    // The instances sleep 60 s: ork did not wait for them.
    expect(performance.now() - interrupted).toBeLessThan(30_000);
    expect(stderr).toContain('aborting');
    const json = JSON.parse(stdout) as RunJson;
    expect(json.status).toBe('ABORTED');
    expect(json.error?.error).toBe('Ork.Aborted');
    expect(runRecord(dir, json.runId).status).toBe('ABORTED');
    expect(json.tasks.slow?.succeeded).toBe(0);
    // The three instances Ctrl-C stopped are cancelled, not failed; the other three never started.
    expect(json.tasks.slow).toMatchObject({ instances: 3, failed: 0, cancelled: 3 });
    expect(existsSync(path.join(dir, 'started-3'))).toBe(false);
    // Every worker of the run is gone, and no other was started behind our back.
    expect(workers.filter(alive)).toEqual([]);
    expect(workerPids(cli)).toEqual([]);
  }, 120_000);

  it('an --input that is not a JSON object is a usage error (exit 2), before anything runs', async () => {
    const dir = workflow('bad-input', pythonTasksYaml({ only: [] }), {
      'tasks/only.py': 'from ork import task\n\n\n@task\ndef main() -> dict:\n    return {}\n',
    });
    const notJson = await ork(dir, '--json', '--input', '{not json');
    expect(notJson.code).toBe(2);
    expect(notJson.stdout).toBe('');
    expect(notJson.stderr).toContain('--input is not valid JSON');
    const list = await ork(dir, '--input', '[1, 2]');
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('must be a JSON object');
    expect(existsSync(runsDir(dir))).toBe(false);
  });

  it('an attempt past its timeout fails with States.Timeout and its worker is killed', async () => {
    const dir = workflow('timeout', pythonTasksYaml({ sleepy: ['timeout: 2s'] }), {
      'tasks/sleepy.py': `import os
import time
from pathlib import Path

from ork import task

HERE = Path(__file__).resolve().parent.parent


@task
def main() -> dict:
    (HERE / "worker.pid").write_text(str(os.getpid()))
    time.sleep(10)
    return {}
`,
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code).toBe(1);
    expect(json.error).toMatchObject({ error: 'States.Timeout', task: 'sleepy', instance: 'sleepy' });
    expect(json.error?.message).toContain('timeout');
    const [attempt] = attempts(dir, json.runId);
    expect(attempt?.status).toBe('failed');
    const took = (attempt?.endedAt ?? 0) - (attempt?.startedAt ?? 0);
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(6000);
    const pid = Number(readFileSync(path.join(dir, 'worker.pid'), 'utf8'));
    expect(alive(pid)).toBe(false);
  });

  it('an attempt’s time is its time on a worker: waiting for a free one is not counted', async () => {
    // One worker for two instances of 1 s: the second waits a second for it, which is not the attempt's.
    const dir = workflow('waits-for-worker', pythonTasksYaml({ nap: ['parallel: 2'] }), {
      'tasks/nap.py': 'import time\nfrom ork import task\n\n\n@task\ndef main() -> dict:\n    time.sleep(1)\n    return {}\n',
    });
    const result = await ork(dir, '--json', '--max-workers', '1');
    const json = parse(result);
    expect(json.status, result.stderr).toBe('SUCCEEDED');
    const ran = attempts(dir, json.runId).filter((a) => a.status === 'succeeded');
    expect(ran).toHaveLength(2);
    const [first, second] = [...ran].sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    // The second started on the worker once the first had ended (handed to the runner at once, it would
    // otherwise read as started with the first and as taking both seconds).
    expect(second!.startedAt ?? 0).toBeGreaterThanOrEqual(first!.endedAt ?? 0);
  });

  it('a retry after a timeout runs on a fresh worker: the timed-out one was killed', async () => {
    const dir = workflow('timeout-retry', pythonTasksYaml({ sleepy: ['timeout: 2s', 'retries: 1', 'retry_delay: 1s'] }), {
      'tasks/sleepy.py': `import os
import time
from pathlib import Path

from ork import task, Context

HERE = Path(__file__).resolve().parent.parent


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@task
def main(ctx: Context) -> dict:
    if ctx.attempt == 1:
        (HERE / "first.pid").write_text(str(os.getpid()))
        time.sleep(10)
    first = int((HERE / "first.pid").read_text())
    return {"attempt": ctx.attempt, "first_worker_running": running(first), "same_worker": first == os.getpid()}
`,
    });
    const result = await ork(dir, '--json');
    const json = parse(result);
    expect(result.code, result.stderr).toBe(0);
    expect(json.outputs).toStrictEqual({ sleepy: { attempt: 2, first_worker_running: false, same_worker: false } });
    expect(json.tasks.sleepy).toMatchObject({ instances: 1, succeeded: 1, failed: 0, retried: 1 });
    expect(attempts(dir, json.runId).map((a) => [a.attempt, a.status, a.error?.type])).toEqual([
      [1, 'failed', 'States.Timeout'],
      [2, 'succeeded', undefined],
    ]);
  });
});

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runWorkflowCli, type CliRun } from '../support/cli.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * A task's stdio in `ork run`, as on Lambda (docs/worker-protocol.md): the worker protocol travels on a
 * channel of its own, so nothing a task or its child processes print can be taken for a reply; what they
 * print, the children's output included, becomes log lines of the instance that printed it; stdin reads
 * EOF; Python's sys.stdout is a real file on fd 1; replies and prints of many megabytes are read in time
 * linear in their size, and reading them does not count against the task's timeout.
 */

let tmp: ReturnType<typeof temporaryDirectory>;
const runs = new Map<string, CliRun>();

const workflow = (name: string, files: Record<string, string>): string => writeWorkflowFiles(path.join(tmp.dir, name), files);

interface LogRecord {
  instance: string;
  level: string;
  message: string;
}

const logs = (run: CliRun, task: string): LogRecord[] => jsonLines<LogRecord>(path.join(run.runDir, 'logs', `${task}.jsonl`));

interface AttemptLine {
  task: string;
  instance: string;
  status: string;
  startedAt: number;
  endedAt: number;
}

const attempts = (run: CliRun): AttemptLine[] => jsonLines<AttemptLine>(path.join(run.runDir, 'attempts.jsonl'));

const COUNT = 6;

/**
 * Each instance starts a child process that shares the worker's stdout and prints lines shaped like the
 * protocol's replies, a plain line and `{"status":"done"}`, while its siblings run on other workers.
 */
const NODE_CHILD = `import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask, z } from 'ork/task';
export default defineTask({
  output: z.object({ item: z.number() }),
  handler: async (_input, ctx) => {
    const index = ctx.parallelIndex;
    const lines = [
      JSON.stringify({ id: 1, ok: true, output: { item: 999 }, logs: [], metrics: [], ms: 1 }),
      JSON.stringify({ id: index + 1, ok: true, output: { item: 900 + index }, logs: [], metrics: [], ms: 1 }),
      JSON.stringify({ item: 999 }),
      'plain text from the child of ' + index,
      JSON.stringify({ status: 'done' }),
    ];
    const script = lines.map((line) => 'console.log(' + JSON.stringify(line) + ');').join('');
    const child = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error('child failed: ' + String(child.error ?? child.status));
    await sleep(50);
    return { item: index };
  },
});
`;

const STDIN_PY = `import subprocess
import sys
from ork import task


@task
def main():
    read = sys.stdin.read()
    child = subprocess.run(["cat"], capture_output=True, timeout=60)
    return {"read": read, "child": child.stdout.decode()}
`;

const STDIN_TS = `import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { defineTask } from 'ork/task';
export default defineTask({
  handler: () => {
    const read = readFileSync(0, 'utf8');
    const child = spawnSync('cat', [], { stdio: ['inherit', 'pipe', 'inherit'], timeout: 60_000 });
    return { read, child: child.stdout.toString() };
  },
});
`;

const PY_STDOUT = `import os
import subprocess
import sys
from ork import Context, task


@task
def main(ctx: Context):
    sys.stdout.buffer.write(b"bytes through sys.stdout.buffer\\n")
    sys.stdout.flush()
    os.write(sys.stdout.fileno(), b"written to sys.stdout.fileno()\\n")
    subprocess.run(["echo", "echo through stdout=sys.stdout"], stdout=sys.stdout, check=True)
    subprocess.run(["sh", "-c", "echo inherited by a shell; echo to stderr >&2"], check=True)
    print("print", ctx.parallel_index)
    print("to sys.stderr", file=sys.stderr)
    return {"index": ctx.parallel_index, "stdout_fd": sys.stdout.fileno(), "kind": type(sys.stdout).__name__}
`;

/**
 * Prints (or logs) \`params.mb\` megabytes in lines of 10 kB, after sleeping \`params.sleep\` seconds. Long
 * lines: the time goes into moving the bytes, not into handling many log lines.
 */
const PRINT_PY = `import sys
import time
from ork import Context, task


@task
def main(input, ctx: Context):
    params = input["params"]
    time.sleep(params.get("sleep", 0))
    line = "x" * 9_999
    lines = int(params["mb"] * 100)
    if params.get("via") == "log":
        for i in range(lines):
            ctx.log.info(line)
    else:
        for _ in range(lines):
            sys.stdout.write(line + "\\n")
    return {"lines": lines}
`;

/** \`warm\` first, so that \`loud\` runs on a worker that has started and imported the SDK already. */
const PRINT_YAML = (timeout: string) => `params:
  mb: 1
  sleep: 0
  via: print
tasks:
  warm:
    executor: python
    file: tasks/warm.py
  loud:
    executor: python
    file: tasks/loud.py
    timeout: ${timeout}
    depends_on: [warm]
`;

const WARM_PY = `from ork import task


@task
def main():
    return {}
`;

const seconds = (run: CliRun, task: string): number => {
  const [attempt] = attempts(run).filter((a) => a.task === task);
  return (attempt!.endedAt - attempt!.startedAt) / 1000;
};

beforeAll(async () => {
  tmp = temporaryDirectory('ork-task-stdio-');
  const childPrints = workflow('child-prints', {
    'workflow.yaml': `tasks:
  echo:
    executor: node
    file: tasks/echo.ts
    parallel: ${COUNT}
`,
    'tasks/echo.ts': NODE_CHILD,
  });
  const stdin = workflow('stdin', {
    'workflow.yaml': `tasks:
  py:
    executor: python
    file: tasks/py.py
    timeout: 60s
  ts:
    executor: node
    file: tasks/ts.ts
    timeout: 60s
`,
    'tasks/py.py': STDIN_PY,
    'tasks/ts.ts': STDIN_TS,
  });
  const pyStdout = workflow('py-stdout', {
    'workflow.yaml': `tasks:
  out:
    executor: python
    file: tasks/out.py
    parallel: 3
`,
    'tasks/out.py': PY_STDOUT,
  });
  const loud = workflow('loud', { 'workflow.yaml': PRINT_YAML('120s'), 'tasks/loud.py': PRINT_PY, 'tasks/warm.py': WARM_PY });
  // Sleeps part of an 8 s timeout, then prints 50 MB: reading that must not count against the timeout.
  const late = workflow('late', { 'workflow.yaml': PRINT_YAML('8s'), 'tasks/loud.py': PRINT_PY, 'tasks/warm.py': WARM_PY });
  const cases: Record<string, [string, string[]]> = {
    childPrints: [childPrints, []],
    stdin: [stdin, []],
    pyStdout: [pyStdout, []],
    late: [late, ['--input', JSON.stringify({ mb: 50, sleep: 3 })]],
  };
  const started = await Promise.all(
    Object.entries(cases).map(async ([key, [dir, args]]) => [key, await runWorkflowCli(dir, path.join(tmp.dir, 'runs', key), args)] as const),
  );
  for (const [key, run] of started) runs.set(key, run);
  // The timing cases one after the other, so that they do not share the cores with each other.
  for (const via of ['print', 'log']) {
    for (const mb of [5, 50]) {
      runs.set(`${via}${mb}`, await runWorkflowCli(loud, path.join(tmp.dir, 'runs', `${via}${mb}`), ['--input', JSON.stringify({ mb, via })]));
    }
  }
}, 400_000);

afterAll(() => tmp?.remove());

describe('task stdio in ork run', () => {
  it(
    'a node task\'s child printing reply-shaped JSON, plain text and {"status":"done"}: each ' + 'instance keeps its own output, and the lines are its logs',
    () => {
      const run = runs.get('childPrints')!;
      expect(run.json.status, run.stderr).toBe('SUCCEEDED');
      expect(run.json.outputs.echo).toStrictEqual(Array.from({ length: COUNT }, (_, item) => ({ item })));
      const lines = logs(run, 'echo');
      for (let index = 0; index < COUNT; index++) {
        const instance = `echo[${index}]`;
        const mine = lines.filter((l) => l.instance === instance).map((l) => l.message);
        expect(mine, instance).toStrictEqual([
          JSON.stringify({ id: 1, ok: true, output: { item: 999 }, logs: [], metrics: [], ms: 1 }),
          JSON.stringify({ id: index + 1, ok: true, output: { item: 900 + index }, logs: [], metrics: [], ms: 1 }),
          JSON.stringify({ item: 999 }),
          `plain text from the child of ${index}`,
          JSON.stringify({ status: 'done' }),
        ]);
      }
    },
  );

  it('stdin of a task, and of its child processes, reads EOF at once', () => {
    const run = runs.get('stdin')!;
    expect(run.json.status, run.stderr).toBe('SUCCEEDED');
    // A read that waited for input would have run into the 60 s timeout (States.Timeout).
    expect(run.json.outputs).toStrictEqual({ py: { read: '', child: '' }, ts: { read: '', child: '' } });
  });

  it("python's sys.stdout is a real file on fd 1: .buffer, .fileno() and subprocesses work, and land in the instance's logs", () => {
    const run = runs.get('pyStdout')!;
    expect(run.json.status, run.stderr).toBe('SUCCEEDED');
    expect(run.json.outputs.out).toStrictEqual([0, 1, 2].map((index) => ({ index, stdout_fd: 1, kind: 'TextIOWrapper' })));
    const lines = logs(run, 'out');
    for (const index of [0, 1, 2]) {
      const mine = lines.filter((l) => l.instance === `out[${index}]`).map((l) => l.message);
      expect(mine).toStrictEqual([
        'bytes through sys.stdout.buffer',
        'written to sys.stdout.fileno()',
        'echo through stdout=sys.stdout',
        'inherited by a shell',
        'to stderr',
        `print ${index}`,
        'to sys.stderr',
      ]);
    }
  });

  it('printing 50 MB takes a small multiple of the time 5 MB take (linear), as does logging them', () => {
    for (const via of ['print', 'log']) {
      const small = runs.get(`${via}5`)!;
      const large = runs.get(`${via}50`)!;
      expect(small.json.status, small.stderr).toBe('SUCCEEDED');
      expect(large.json.status, large.stderr).toBe('SUCCEEDED');
      expect(logs(large, 'loud').filter((l) => l.message === 'x'.repeat(9_999))).toHaveLength(5_000);
      // Linear: 10 times the bytes, at most 10 times the time, and less, since each attempt has fixed costs;
      // 20 leaves room for a busy machine. Quadratic reading takes 100 times as long.
      const ratio = seconds(large, 'loud') / Math.max(seconds(small, 'loud'), 0.25);
      expect(ratio, `${via}: 5 MB in ${seconds(small, 'loud')} s, 50 MB in ${seconds(large, 'loud')} s`).toBeLessThan(20);
    }
  });

  it('reading a large print does not count against the timeout', () => {
    const run = runs.get('late')!;
    expect(run.json.status, JSON.stringify(run.json.error)).toBe('SUCCEEDED');
    expect(run.json.outputs.loud).toStrictEqual({ lines: 5_000 });
    expect(logs(run, 'loud').filter((l) => l.message === 'x'.repeat(9_999))).toHaveLength(5_000);
  });
});

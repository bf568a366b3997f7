import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunDirectory, currentOwner, ownerGone, processStartTime } from '../../lib/local/run-recorder.js';
import { ROOT } from '../support/workflows.js';

/**
 * Run records that tell the truth and read back: created exclusively, a run whose `ork` died shown as DIED
 * (not RUNNING forever), --resume refusing another input, torn and corrupt records told in one line, and
 * output to a reader that went away (`ork runs | head`) ending quietly. Each case runs the CLI.
 */

const BIN = path.join(ROOT, 'bin', 'ork.js');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-records-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A workflow of one python task that sleeps `params.sleep` seconds and returns its params. */
function workflow(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  writeFileSync(path.join(dir, 'workflow.yaml'), 'tasks:\n  a:\n    executor: python\n    file: tasks/a.py\n');
  writeFileSync(
    path.join(dir, 'tasks', 'a.py'),
    `import time
from ork import task, Context
from pydantic import BaseModel


class Params(BaseModel):
    n: int = 0
    sleep: float = 0


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    n: int


@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info("started")
    time.sleep(input.params.sleep)
    return Output(n=input.params.n)
`,
  );
  return dir;
}

function runsDir(dir: string): string {
  return path.join(dir, '.runs');
}

function start(dir: string, args: string[]) {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, CI: '1', NO_COLOR: '1', ORK_RUNS_DIR: runsDir(dir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function ork(dir: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = start(dir, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A successful run of `dir` with `input`; its id. */
async function recordedRun(dir: string, input: string): Promise<string> {
  const result = await ork(dir, 'run', '.', '--json', '--input', input);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { runId: string }).runId;
}

function runIds(dir: string): string[] {
  return existsSync(runsDir(dir)) ? readdirSync(runsDir(dir)).sort() : [];
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a run whose task sleeps, and resolves once its instance has started (the progress line says so). */
async function runningRun(dir: string) {
  const child = start(dir, ['run', '.', '--input', '{"sleep": 20}']);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'exit', not 'close': a worker ork leaves behind may hold the pipes open (that is another issue's).
  const closed = new Promise<CliResult>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  await waitFor('the instance to start', () => /\ba\s+running\b/.test(stdout) && runIds(dir).length === 1);
  return { child, closed, runId: runIds(dir)[0] ?? '' };
}

const ONE_LINE = /^ork: error: [^\n]+\n( {2}hint: [^\n]+\n)?$/;

// One at a time: each case starts ork and Python several times, on a machine that may be busy.
describe('run records', { timeout: 240_000 }, () => {
  it('a run directory is created exclusively: a taken id is never reused, another is drawn', () => {
    const runs = path.join(work, 'exclusive');
    mkdirSync(path.join(runs, '20260101-000000-aaaa'), { recursive: true });
    writeFileSync(path.join(runs, '20260101-000000-aaaa', 'run.json'), '{"runId": "20260101-000000-aaaa"}\n');
    const ids = ['20260101-000000-aaaa', '20260101-000000-aaaa', '20260101-000000-bbbb'];
    const created = createRunDirectory(runs, () => ids.shift() ?? 'unexpected');
    expect(created).toStrictEqual({ runId: '20260101-000000-bbbb', runDir: path.join(runs, '20260101-000000-bbbb') });
    expect(ids).toStrictEqual([]);
    // The other run's record is untouched.
    expect(readdirSync(path.join(runs, '20260101-000000-aaaa'))).toStrictEqual(['run.json']);
  });

  it('an owner is gone when its pid is free or now belongs to a process started at another time (pid reuse)', () => {
    const me = currentOwner();
    expect(me.pid).toBe(process.pid);
    expect(me.startTime).toBe(processStartTime(process.pid));
    expect(me.startTime).toMatch(/^\d+$/);
    expect(ownerGone(me)).toBe(false);
    expect(ownerGone({ ...me, startTime: String(Number(me.startTime) + 1) })).toBe(true);
    // pid_max is at most 2^22: no process has a larger pid.
    expect(ownerGone({ pid: 4_194_304 + 1, host: hostname() })).toBe(true);
    // Another machine's process cannot be looked at: not called gone.
    expect(ownerGone({ pid: 4_194_304 + 1, host: `not-${hostname()}` })).toBe(false);
  });

  it('a run whose ork was killed (SIGKILL) is DIED in ork runs and ork show, also in --json, and can be resumed', async () => {
    const dir = workflow('killed');
    const { child, closed, runId } = await runningRun(dir);
    const pid = child.pid ?? 0;
    child.kill('SIGKILL');
    await closed;

    const list = await ork(dir, 'runs');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${runId}\\s+killed\\s+DIED\\s`, 'm'));
    expect(list.stdout).not.toContain('RUNNING');
    const listed = JSON.parse((await ork(dir, 'runs', '--json')).stdout) as { runId: string; status: string; error?: { error: string; message: string } }[];
    expect(listed).toMatchObject([{ runId, status: 'DIED', error: { error: 'Ork.Died', message: expect.stringContaining(`pid ${pid} gone`) } }]);

    const shown = await ork(dir, 'show', runId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^status\s+DIED$/m);
    expect(shown.stdout).toContain(`ork exited (pid ${pid} gone) before the run ended`);
    expect(shown.stdout).not.toContain('still running');
    expect(JSON.parse((await ork(dir, 'show', runId, '--json')).stdout)).toMatchObject({ runId, status: 'DIED', owner: { pid } });
    const report = await ork(dir, 'show', runId, '--html', '-o', 'report.html');
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<span class="status bad">DIED</span>');

    // What the dead run left (its recorded input) is resumable.
    const resumed = await ork(dir, 'run', '.', '--json', '--resume', runId);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'SUCCEEDED', outputs: { a: { n: 0 } } });
  });

  it('SIGHUP (a closed terminal) stops the run as Ctrl-C does: recorded ABORTED, exit 130', async () => {
    const dir = workflow('hangup');
    const { child, closed, runId } = await runningRun(dir);
    child.kill('SIGHUP');
    const result = await closed;
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(JSON.parse(readFileSync(path.join(runsDir(dir), runId, 'run.json'), 'utf8'))).toMatchObject({ status: 'ABORTED' });
  });

  it('--resume with another --input is refused in one line (exit 2) and starts nothing; the same input resumes', async () => {
    const dir = workflow('resume-input');
    const first = await recordedRun(dir, '{"n": 1, "sleep": 0}');
    const refused = await ork(dir, 'run', '.', '--resume', first, '--input', '{"n": 5}');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(ONE_LINE);
    expect(refused.stderr).toContain(`--input differs from the input of run '${first}' ({"n":1,"sleep":0})`);
    expect(refused.stderr).toContain('start a new run: drop --resume');
    expect(runIds(dir)).toStrictEqual([first]);

    // The same input, keys in another order or not, resumes (and reuses the recorded output).
    const same = await ork(dir, 'run', '.', '--json', '--resume', first, '--input', '{"sleep": 0, "n": 1}');
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ status: 'SUCCEEDED', outputs: { a: { n: 1 } } });
    // Without --resume the new input runs afresh.
    const fresh = await ork(dir, 'run', '.', '--json', '--input', '{"n": 5}');
    expect(JSON.parse(fresh.stdout)).toMatchObject({ status: 'SUCCEEDED', outputs: { a: { n: 5 } } });
  });

  it('a torn last line of attempts.jsonl is skipped with a warning; a corrupt line elsewhere is one line naming the file (exit 2)', async () => {
    const dir = workflow('torn');
    const runId = await recordedRun(dir, '{"n": 2}');
    const attempts = path.join(runsDir(dir), runId, 'attempts.jsonl');
    // A crash in the middle of a write leaves half a line.
    appendFileSync(attempts, '{"task":"a","instance":"a","key":"a","attempt":2,"status":"succ');

    const resumed = await ork(dir, 'run', '.', '--json', '--resume', runId);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'SUCCEEDED', outputs: { a: { n: 2 } } });
    expect(resumed.stderr).toContain(`ork: warning: ${attempts}:2: ignoring a torn last line`);
    const html = await ork(dir, 'show', runId, '--html');
    expect(html.code, html.stderr).toBe(0);
    expect(html.stderr).toContain('ignoring a torn last line');

    // Damage before the last line is not what a crash leaves: refused, naming file and line.
    writeFileSync(attempts, `garbage\n${readFileSync(attempts, 'utf8')}`);
    for (const args of [
      ['run', '.', '--resume', runId],
      ['show', runId, '--html'],
    ]) {
      const result = await ork(dir, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(ONE_LINE);
      expect(result.stderr).toContain(`${attempts}:1: corrupt run record`);
      expect(result.stderr).not.toContain('internal error');
    }
  });

  it('a corrupt run.json is one line naming it (exit 2) for show and --resume; ork runs lists the others with a warning', async () => {
    const dir = workflow('corrupt');
    const good = await recordedRun(dir, '{"n": 3}');
    const bad = await recordedRun(dir, '{"n": 4}');
    const file = path.join(runsDir(dir), bad, 'run.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));

    for (const args of [
      ['show', bad],
      ['show', bad, '--json'],
      ['run', '.', '--resume', bad],
    ]) {
      const result = await ork(dir, ...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(ONE_LINE);
      expect(result.stderr).toContain(`${file}: corrupt run record`);
    }
    // JSON that is not a run record (a field every reader formats is missing) is refused the same way.
    const other = await recordedRun(dir, '{"n": 5}');
    const otherFile = path.join(runsDir(dir), other, 'run.json');
    writeFileSync(otherFile, '{"runId": 5}\n');
    const shown = await ork(dir, 'show', other);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toBe(`ork: error: ${otherFile}: corrupt run record (no runId, workflow, status, startedAt)\n`);
    writeFileSync(otherFile, '[]\n');

    const list = await ork(dir, 'runs');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(good);
    expect(list.stdout).not.toContain(bad);
    expect(list.stdout).not.toContain(other);
    expect(list.stderr.split('\n')).toStrictEqual([
      `ork: warning: ${otherFile}: corrupt run record (not a JSON object); left out`,
      expect.stringMatching(new RegExp(`^ork: warning: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt run record \\(.+\\); left out$`)),
      '',
    ]);
  });

  it('output to a reader that went away (ork runs | head) ends quietly with exit 0, no stack trace', async () => {
    const dir = workflow('epipe');
    await recordedRun(dir, '{"n": 6}');
    for (const args of [['runs'], ['runs', '--json'], ['show'], ['show', '--json'], ['--help']]) {
      const child = start(dir, args);
      // The reading end closes before ork writes anything: its first write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
      expect({ args, code, signal, stderr }).toStrictEqual({ args, code: 0, signal: null, stderr: '' });
    }
  });
});

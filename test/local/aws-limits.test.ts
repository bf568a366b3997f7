import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFINITION_MAX_CHARACTERS, STATE_DATA_MAX_BYTES } from '../../compiler/index.js';
import { runOrk, useScratchDirectory, writeWorkflowDirectory, type CliResult } from '../support/cli.js';

/**
 * What AWS refuses, the local engine refuses too: an execution input above 256 KiB, a state's data above
 * 256 KiB (States.DataLimitExceeded, terminal: not retried), and a definition above 1 MiB (ORK401, from
 * validate, compile and run alike). Each case runs the CLI on a workflow written to a temporary directory.
 */

const work = useScratchDirectory('ork-limits-');

function workflow(name: string, yaml: string, files: Record<string, string>): string {
  return writeWorkflowDirectory(work(), name, { 'workflow.yaml': yaml, ...files });
}

function runsDir(dir: string): string {
  return path.join(dir, '.runs');
}

function ork(dir: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runOrk(args, dir, { ORK_RUNS_DIR: runsDir(dir), ...env });
}

/** A python task returning `{"text": "x" * params.<field>}` (or `size` characters), with `retries`. */
const TEXT_TASK = (size: string) => `from ork import task
from pydantic import BaseModel


class Output(BaseModel):
    text: str


@task
def main() -> Output:
    return Output(text="x" * ${size})
`;

// The SDK stores outputs above ORK_LARGE_OUTPUT_BYTES (64 KiB) and hands on a reference; with the threshold
// raised, a large output reaches the state machine as it is, as from a runtime that does not offload.
const NO_OFFLOAD = { ORK_LARGE_OUTPUT_BYTES: String(10 * 1024 * 1024) };

describe.concurrent('AWS limits in ork run, validate and compile', { timeout: 180_000 }, () => {
  it('a definition above 1 MiB (params defaults copied into it) is ORK401 in validate, compile and run (exit 2)', async () => {
    const params = Array.from({ length: 1100 }, (_, i) => `  p${i}: "${'x'.repeat(1000)}"`).join('\n');
    const dir = workflow('big-definition', `params:\n${params}\ntasks:\n  a:\n    executor: python\n    file: tasks/a.py\n`, { 'tasks/a.py': TEXT_TASK('1') });
    for (const command of ['validate', 'compile', 'run']) {
      const result = await ork(dir, [command, '.']);
      expect(result.code, `${command}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(
        /^workflow\.yaml:1:1: error ORK401: the compiled definition is 1,1\d\d,\d\d\d characters; Step Functions accepts at most 1,048,576 \(1 MiB\), and params defaults take 1,1\d\d,\d\d\d of them$/m,
      );
      expect(result.stderr).toContain('hint: pass large data as workflow input');
      expect(result.stdout).toBe('');
    }
    expect(existsSync(runsDir(dir))).toBe(false);
    // Just under the limit compiles.
    const small = workflow(
      'small-definition',
      `params:\n${params.split('\n').slice(0, 900).join('\n')}\ntasks:\n  a:\n    executor: python\n    file: tasks/a.py\n`,
      { 'tasks/a.py': TEXT_TASK('1') },
    );
    const compiled = await ork(small, ['compile', '.']);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.stdout.length).toBeLessThan(DEFINITION_MAX_CHARACTERS * 1.2);
  });

  it('an execution input above 256 KiB is refused in one line (exit 2) before anything runs; 100 KB runs', async () => {
    const dir = workflow('big-input', 'tasks:\n  a:\n    executor: python\n    file: tasks/a.py\n', { 'tasks/a.py': TEXT_TASK('1') });
    writeFileSync(path.join(dir, 'big.json'), JSON.stringify({ blob: 'x'.repeat(STATE_DATA_MAX_BYTES) }));
    const refused = await ork(dir, ['run', '.', '--input', '@big.json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^ork: error: the workflow input is 262,155 bytes; Step Functions accepts at most 262,144 bytes \(256 KiB\) of execution input\n {2}hint: [^\n]+\n$/,
    );
    expect(existsSync(runsDir(dir))).toBe(false);

    writeFileSync(path.join(dir, 'fits.json'), JSON.stringify({ blob: 'x'.repeat(100_000) }));
    const fits = await ork(dir, ['run', '.', '--json', '--input', '@fits.json']);
    expect(fits.code, fits.stderr).toBe(0);
  });

  it('a task output above 256 KiB that was not offloaded fails with States.DataLimitExceeded naming task and state, and is not retried', async () => {
    const dir = workflow('big-output', 'tasks:\n  big:\n    executor: python\n    file: tasks/big.py\n    retries: 2\n    retry_delay: 1s\n', {
      'tasks/big.py': TEXT_TASK('300_000'),
    });
    const result = await ork(dir, ['run', '.', '--json'], NO_OFFLOAD);
    expect(result.code, result.stderr).toBe(1);
    const run = JSON.parse(result.stdout) as { status: string; runId: string; error: { error: string; message: string; task?: string } };
    expect(run.status).toBe('FAILED');
    expect(run.error.error).toBe('States.DataLimitExceeded');
    expect(run.error.task).toBe('big');
    expect(run.error.message).toMatch(
      /: States\.DataLimitExceeded: state '[^']+': the output of task 'big' instance big is 300,\d{3} bytes, above the 262,144 bytes \(256 KiB\) Step Functions allows a state's data$/,
    );
    // Terminal, as on AWS (States.ALL does not match it): one attempt despite retries: 2.
    const attempts = readFileSync(path.join(runsDir(dir), run.runId, 'attempts.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(attempts).toHaveLength(1);
    expect(JSON.parse(attempts[0] ?? '')).toMatchObject({ status: 'failed', error: { type: 'States.DataLimitExceeded' } });

    // The same output offloaded by the runtime (the default threshold) is a reference, and the run succeeds.
    const offloaded = await ork(dir, ['run', '.', '--json']);
    expect(offloaded.code, offloaded.stderr).toBe(0);
  });

  it('state data above 256 KiB (two results of 150 KB each, each under the limit) fails the run with States.DataLimitExceeded naming the state', async () => {
    const dir = workflow(
      'big-state',
      'tasks:\n  first:\n    executor: python\n    file: tasks/first.py\n  second:\n    ' +
        'executor: python\n    file: tasks/second.py\n    depends_on: [first]\n  third:\n    ' +
        'executor: python\n    file: tasks/third.py\n    depends_on: [second]\n',
      { 'tasks/first.py': TEXT_TASK('150_000'), 'tasks/second.py': TEXT_TASK('150_000'), 'tasks/third.py': TEXT_TASK('1') },
    );
    const result = await ork(dir, ['run', '.', '--json'], NO_OFFLOAD);
    expect(result.code, result.stderr).toBe(1);
    const run = JSON.parse(result.stdout) as {
      status: string;
      runId: string;
      error: { error: string; message: string };
      tasks: Record<string, { instances: number }>;
    };
    expect(run.status).toBe('FAILED');
    expect(run.error.error).toBe('States.DataLimitExceeded');
    expect(run.error.message).toMatch(
      /^state '[^']*second[^']*': its output is 300,\d{3} bytes, above the 262,144 bytes \(256 KiB\) Step Functions allows a state's data$/,
    );
    // The state after it never ran.
    expect((run.tasks as Record<string, { succeeded?: number }>).third?.succeeded ?? 0).toBe(0);
    expect(readdirSync(runsDir(dir))).toStrictEqual([run.runId]);
  });
});

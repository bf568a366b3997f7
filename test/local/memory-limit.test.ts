import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileWorkflowFile } from '../../lib/file-system-host.js';
import { runLocally, type LocalRunResult } from '../../lib/local/run-workflow.js';

/**
 * A task's `memory:` is the most its worker's processes may hold, as a Lambda sandbox's memory size: a task
 * that passes it fails as Lambda's out-of-memory does (Runtime.OutOfMemory; a container's state fails with
 * States.HeartbeatTimeout, as when ECS stops it), and its worker is killed; one within it runs as before.
 * Before, `memory: 128` with 3 GB used ran and succeeded.
 */

const work = mkdtempSync(path.join(tmpdir(), 'ork-memory-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MB = 1024 * 1024;

/** Holds `mb` MB of written bytes (resident, not lazily zeroed pages) for a second, and writes its pid. */
const PYTHON_HOG = (mb: number) => `import os, time
from ork import task


@task
def main() -> dict:
    open(os.path.join(os.environ["ORK_TEST_DIR"], "worker.pid"), "w").write(str(os.getpid()))
    hog = b"x" * (${mb} * 1024 * 1024)
    time.sleep(1.5)
    return {"held": len(hog) // ${MB}}
`;

let count = 0;
async function run(executor: string, memory: number | undefined, file: string, source: string, extra = ''): Promise<{ result: LocalRunResult; dir: string }> {
  const dir = path.join(work, `case-${count++}`);
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  writeFileSync(
    path.join(dir, 'workflow.yaml'),
    `tasks:\n  hog:\n    executor: ${executor}\n    file: tasks/${file}\n${memory === undefined ? '' : `    memory: ${memory}\n`}${extra}`,
  );
  writeFileSync(path.join(dir, 'tasks', file), source);
  const compiled = compileWorkflowFile(path.join(dir, 'workflow.yaml'));
  if (!compiled.definition || !compiled.manifest) throw new Error(JSON.stringify(compiled.diagnostics));
  const result = await runLocally({
    definition: compiled.definition,
    manifest: compiled.manifest,
    workflowDir: dir,
    input: {},
    runsDir: path.join(dir, 'runs'),
    env: { ...process.env, ORK_TEST_DIR: dir },
  });
  return { result, dir };
}

/** Whether `pid` still runs after up to 3 s (a killed worker's exit is not awaited by the run). */
async function stillAlive(pid: number): Promise<boolean> {
  for (let waited = 0; waited < 3000; waited += 100) {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('memory: on the local engine', () => {
  it('a python task that holds more than its memory fails with Runtime.OutOfMemory, and its worker is killed', async () => {
    const { result, dir } = await run('python', 128, 'hog.py', PYTHON_HOG(300));
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ error: 'Runtime.OutOfMemory', task: 'hog', instance: 'hog' });
    expect(result.error?.message).toMatch(/used \d+ MB, more than its memory: 128 MB/);
    const pid = Number(readFileSync(path.join(dir, 'worker.pid'), 'utf8'));
    expect(await stillAlive(pid)).toBe(false);
    const attempts = readFileSync(path.join(result.runDir, 'attempts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { status: string; error?: { type: string } });
    expect(attempts.map((a) => [a.status, a.error?.type])).toEqual([['failed', 'Runtime.OutOfMemory']]);
  });

  it('the same task within its memory runs', async () => {
    const { result } = await run('python', 1024, 'hog.py', PYTHON_HOG(300));
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    expect(result.outputs.hog).toEqual({ held: 300 });
  });

  it('the processes a task starts count too', async () => {
    const source = `import subprocess, sys
from ork import task


@task
def main() -> dict:
    subprocess.run([sys.executable, "-c", "import time; hog = b'x' * (300 * 1024 * 1024); time.sleep(1.5)"], check=True)
    return {}
`;
    const { result } = await run('python', 128, 'child.py', source);
    expect(result.error?.error).toBe('Runtime.OutOfMemory');
  });

  it('a node task fails the same way', async () => {
    const source = `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({}),
  output: z.object({ held: z.number() }),
  handler: async () => {
    const hog = Buffer.alloc(400 * 1024 * 1024, 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { held: hog.length };
  },
});
`;
    const { result } = await run('node', 256, 'hog.ts', source);
    expect(result.status).toBe('FAILED');
    expect(result.error?.error).toBe('Runtime.OutOfMemory');
    expect(result.error?.message).toContain('more than its memory: 256 MB');
  });

  it('a container task’s state fails with States.HeartbeatTimeout, as when ECS stops the container', async () => {
    const { result } = await run('container', 512, 'hog.py', PYTHON_HOG(700), '    cpu: 0.25\n');
    expect(result.error?.error).toBe('States.HeartbeatTimeout');
    expect(result.error?.message).toContain('OutOfMemoryError: Container killed due to memory usage');
  });
});

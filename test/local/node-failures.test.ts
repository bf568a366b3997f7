import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runWorkflowCli, type CliRun } from '../support/cli.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * How node tasks fail in `ork run`, as Python tasks do: a thrown error is retried per `retries:` under its
 * own name with ctx.attempt counting; an input that does not fit is never retried and the run names the
 * task, instance and field; a task past its `timeout:` is stopped with States.Timeout; a custom error class
 * is caught by name.
 */

let tmp: ReturnType<typeof temporaryDirectory>;
const runs = new Map<string, CliRun>();

const workflow = (name: string, files: Record<string, string>): string => writeWorkflowFiles(path.join(tmp.dir, name), files);

const attempts = (run: CliRun) =>
  jsonLines<{ task: string; instance: string; attempt: number; status: string; error?: { type: string; message: string; traceback?: string } }>(
    path.join(run.runDir, 'attempts.jsonl'),
  );

beforeAll(async () => {
  tmp = temporaryDirectory('ork-node-failures-');
  const retried = workflow('retried', {
    'workflow.yaml': `tasks:
  flaky:
    executor: node
    file: tasks/flaky.ts
    parallel: 2
    retries: 2
    retry_delay: 1s
    backoff: 1
`,
    // Fails its first two attempts with a TypeError whose cause is a RangeError; the third succeeds.
    'tasks/flaky.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({
  output: z.object({ attempt: z.number(), index: z.number() }),
  handler: (_input, ctx) => {
    if (ctx.attempt < 3) throw new TypeError('attempt ' + ctx.attempt + ' failed', { cause: new RangeError('deep reason') });
    return { attempt: ctx.attempt, index: ctx.parallelIndex };
  },
});
`,
  });
  const invalid = workflow('invalid', {
    'workflow.yaml': `tasks:
  discover:
    executor: python
    file: tasks/discover.py
  process:
    executor: node
    file: tasks/process.ts
    foreach: discover.items
    retries: 3
`,
    'tasks/discover.py': `from ork import task

@task
def main():
    return {"items": ["a", 2, "c"]}
`,
    'tasks/process.ts': `import { defineTask, z } from 'ork/task';
export default defineTask({ input: z.object({ item: z.string() }), handler: (input) => input.item.toUpperCase() });
`,
  });
  const slow = workflow('slow', {
    'workflow.yaml': `tasks:
  slow:
    executor: node
    file: tasks/slow.ts
    timeout: 1s
`,
    'tasks/slow.ts': `import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask } from 'ork/task';
export default defineTask({ handler: async () => { await sleep(20_000); return 'late'; } });
`,
  });
  const custom = workflow('custom', {
    'workflow.yaml': `tasks:
  call:
    executor: node
    file: tasks/call.ts
`,
    'tasks/call.ts': `import { defineTask } from 'ork/task';
class QuotaExceeded extends Error {}
export default defineTask({ handler: () => { throw new QuotaExceeded('over the quota'); } });
`,
  });
  const entries = await Promise.all(
    Object.entries({ retried, invalid, slow, custom }).map(async ([key, dir]) => [key, await runWorkflowCli(dir, path.join(tmp.dir, 'runs', key))] as const),
  );
  for (const [key, run] of entries) runs.set(key, run);
}, 120_000);

afterAll(() => tmp?.remove());

describe('node task failures (ork run)', () => {
  it('a thrown TypeError is retried under its name; ctx.attempt counts the attempts', () => {
    const run = runs.get('retried')!;
    expect(run.json.status, run.stderr).toBe('SUCCEEDED');
    expect(run.json.outputs.flaky).toStrictEqual([
      { attempt: 3, index: 0 },
      { attempt: 3, index: 1 },
    ]);
    expect(run.json.tasks.flaky).toMatchObject({ instances: 2, succeeded: 2, retried: 4, failed: 0 });
    const failed = attempts(run).filter((a) => a.status === 'failed');
    expect(failed).toHaveLength(4);
    for (const a of failed) {
      expect(a.error).toMatchObject({ type: 'TypeError', message: `attempt ${a.attempt} failed` });
      expect(a.error?.traceback).toMatch(/TypeError: attempt \d failed[\s\S]*The above error was caused by:\nRangeError: deep reason/);
    }
  });

  it('an input that does not fit fails the run at once, naming task, instance, field and value, without retries', () => {
    const run = runs.get('invalid')!;
    expect(run.json.status).toBe('FAILED');
    expect(run.code).toBe(1);
    expect(run.json.error?.error).toBe('Ork.InputValidationError');
    expect(run.json.error?.message).toMatch(
      /task 'process' instance process\[item 1\] \(item 2\) failed: Ork.InputValidationError: .*field 'item': .*\(received 2\)/,
    );
    const processAttempts = attempts(run).filter((a) => a.task === 'process' && a.instance === 'process[item 1]');
    expect(processAttempts).toHaveLength(1);
  });

  it('a node task past its timeout is stopped: States.Timeout', () => {
    const run = runs.get('slow')!;
    expect(run.json.status).toBe('FAILED');
    expect(run.json.error?.error).toBe('States.Timeout');
    expect(run.json.error?.message).toMatch(/ran past its timeout of 1 s/);
    expect(run.json.tasks.slow?.seconds).toBeLessThan(10);
  });

  it('a custom error class fails the run under the class name', () => {
    const run = runs.get('custom')!;
    expect(run.json.status).toBe('FAILED');
    expect(run.json.error).toMatchObject({ error: 'QuotaExceeded', task: 'call', instance: 'call' });
    expect(run.json.error?.message).toContain('QuotaExceeded: over the quota');
  });
});

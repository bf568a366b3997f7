/**
 * Both local workers speak the protocol whose messages lambdas/contract/worker-protocol.ts defines: a ready
 * message, a reply to a request that succeeds, to one whose task fails and to a line that is not a request,
 * each checked against the schema (so a field renamed in one worker, or a schema that no longer says what
 * the workers send, fails here). The requests are checked too: what the test sends is what the schema allows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Duplex } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readyMessageSchema, WORKER_CHANNEL_FD, workerReplySchema, workerRequestSchema } from '../../lambdas/contract/index.js';
import { nodeWorkerArgs, pythonSdkPath } from '../../lib/package-root.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

const tmp = temporaryDirectory('ork-worker-protocol-');
afterAll(() => tmp.remove());

const TASKS = {
  python: {
    ok: ['ok.py', 'from ork import task\n\n@task\ndef main():\n    return {"n": 1}\n'],
    fails: ['fails.py', 'from ork import task\n\n@task\ndef main():\n    raise ValueError("no")\n'],
  },
  node: {
    ok: ['ok.ts', "import { defineTask } from 'ork/task';\nexport default defineTask({ handler: () => ({ n: 1 }) });\n"],
    fails: ['fails.ts', "import { defineTask } from 'ork/task';\nexport default defineTask({ handler: () => { throw new RangeError('no'); } });\n"],
  },
} as const;

function start(language: 'python' | 'node'): { child: ChildProcess; lines: AsyncIterator<string>; channel: Duplex } {
  const output = openSync(path.join(tmp.dir, `${language}.out`), 'a');
  const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', output, output];
  stdio[WORKER_CHANNEL_FD] = 'pipe';
  const child =
    language === 'python'
      ? spawn('python3', ['-m', 'ork.worker'], { cwd: tmp.dir, stdio, env: { ...process.env, PYTHONPATH: pythonSdkPath() } })
      : spawn(process.execPath, nodeWorkerArgs(), { cwd: tmp.dir, stdio });
  closeSync(output);
  const channel = child.stdio[WORKER_CHANNEL_FD] as Duplex;
  return { child, channel, lines: createInterface({ input: channel })[Symbol.asyncIterator]() };
}

async function next(lines: AsyncIterator<string>): Promise<unknown> {
  const { value, done } = await lines.next();
  if (done) throw new Error('the worker closed its channel');
  return JSON.parse(value) as unknown;
}

describe.each(['python', 'node'] as const)('the %s worker', (language) => {
  it('sends messages the contract describes', async () => {
    for (const [file, source] of Object.values(TASKS[language])) writeFileSync(path.join(tmp.dir, file), source);
    const { child, channel, lines } = start(language);
    try {
      const ready = readyMessageSchema.safeParse(await next(lines));
      expect(ready.error?.issues ?? []).toStrictEqual([]);

      const payload = { ork: 1, workflow: 'wf', task: 'ok', execution_id: 'run-1', attempt: 0, params: {}, inputs: {}, parallel_count: 1 };
      const requests = [
        { id: 1, file: path.join(tmp.dir, TASKS[language].ok[0]), workflow_dir: tmp.dir, payload, env: { ORK_TEST_VALUE: 'x', ORK_TEST_UNSET: null } },
        { id: 2, file: path.join(tmp.dir, TASKS[language].fails[0]), workflow_dir: tmp.dir, payload: { ...payload, task: 'fails' } },
      ];
      for (const request of requests) {
        expect(workerRequestSchema.safeParse(request).error?.issues ?? []).toStrictEqual([]);
        channel.write(`${JSON.stringify(request)}\n`);
      }
      channel.write('not a request\n');

      const replies = [await next(lines), await next(lines), await next(lines)];
      const unnamed =
        'a reply the contract does not describe: name a new field in lambdas/contract/worker-protocol.ts, then run `npx tsx scripts/contract-module.ts`';
      for (const reply of replies) expect(workerReplySchema.safeParse(reply).error?.issues ?? [], unnamed).toStrictEqual([]);
      expect(replies.map((r) => workerReplySchema.parse(r)).map((r) => [r.id, r.ok])).toStrictEqual([
        [1, true],
        [2, false],
        [null, false],
      ]);
      expect(workerReplySchema.parse(replies[0])).toMatchObject({ output: { n: 1 } });
    } finally {
      channel.end();
      child.kill();
    }
  }, 60_000);
});

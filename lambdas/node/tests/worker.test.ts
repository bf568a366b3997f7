/**
 * The local node worker (`node --import tsx/esm lambdas/node/ork/worker.ts`) speaks the protocol of
 * `python -m ork.worker` (docs/worker-protocol.md), started here as `ork run` starts it: JSON lines on fd 3,
 * stdout and stderr one output file. A ready line, one reply per request with output or error and the fields
 * it reads; ctx.log lines and metric records (EMF) are JSON lines on stdout, written as they happen, as on
 * Lambda; what the task and its child processes print goes to the output file, never to
 * the protocol; env set per invocation only; a bad line answered and the worker lives on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWorkerArgs } from '../../../lib/package-root.js';
import { makePayload } from './support.js';
import { temporaryDirectory } from '../../../test/support/temporary-directory.js';

const TASK = `import { defineTask, z } from 'ork/task';
import { suffix } from './helper.js';

export default defineTask({
  input: z.object({ item: z.string(), discover: z.object({ n: z.number() }) }),
  output: z.object({ text: z.string(), mode: z.string().nullable() }),
  handler: async (input, ctx) => {
    console.log('printed by', ctx.instance);
    process.stdout.write('written directly\\n');
    ctx.log.info('working', { item: input.item });
    ctx.metrics.record('items', 1);
    return { text: input.item + suffix(input.discover.n), mode: process.env.ORK_TEST_MODE ?? null };
  },
});
`;
const HELPER = `export const suffix = (n: number): string => '-' + String(n);\n`;
const STRAY = `import { defineTask, z } from 'ork/task';
import { setTimeout as sleep } from 'node:timers/promises';
export default defineTask({
  input: z.object({ params: z.object({ how: z.string() }) }),
  handler: async (input) => {
    if (input.params.how === 'rejection') void Promise.reject(new RangeError('nobody awaits this'));
    if (input.params.how === 'throw') setTimeout(() => { throw new SyntaxError('thrown in a timer'); }, 5);
    await sleep(100);
    return 'finished';
  },
});
`;
/** Prints reply-shaped lines itself and through child processes that inherit its stdout and stderr. */
const CHILDREN = `import { spawnSync } from 'node:child_process';
import { defineTask } from 'ork/task';
export default defineTask({
  handler: () => {
    const forged = JSON.stringify({ id: 1, ok: true, output: 'forged', logs: [], metrics: [] });
    console.log(forged);
    const script = 'console.log(' + JSON.stringify(forged) + '); console.log("plain text"); console.error(JSON.stringify({ status: "done" }))';
    const child = spawnSync(process.execPath, ['-e', script], { stdio: 'inherit' });
    const shell = spawnSync('sh', ['-c', "echo '" + forged + "' >&3"], { stdio: 'inherit' });
    return { child: child.status, shell: shell.status };
  },
});
`;
const FAILING = `import { defineTask } from 'ork/task';
export default defineTask({ handler: () => { throw new TypeError('bad value', { cause: new Error('root') }); } });
`;

interface Reply {
  id: unknown;
  ok: boolean;
  output?: unknown;
  error?: { type: string; message: string; retryable: boolean; traceback: string };
  reads?: string[] | null;
  logs: Record<string, unknown>[];
  metrics: Record<string, unknown>[];
  stdout?: string;
  ms?: number;
}

let tmp: ReturnType<typeof temporaryDirectory>;
let worker: ChildProcess;
let channel: Duplex;
let outputFile: string;
let lines: Interface;
let iterator: AsyncIterator<string>;

async function next(): Promise<Record<string, unknown>> {
  const { value, done } = await iterator.next();
  if (done) throw new Error(`the worker closed its channel; output: ${readFileSync(outputFile, 'utf8')}`);
  return JSON.parse(value as string) as Record<string, unknown>;
}

async function call(request: unknown): Promise<Reply> {
  channel.write(`${typeof request === 'string' ? request : JSON.stringify(request)}\n`);
  return (await next()) as unknown as Reply;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  // A workflow outside any package: no package.json, no node_modules/ork (the worker resolves `ork/task`).
  tmp = temporaryDirectory('ork-node-worker-');
  mkdirSync(path.join(tmp.dir, 'tasks'));
  writeFileSync(path.join(tmp.dir, 'tasks', 'echo.ts'), TASK);
  writeFileSync(path.join(tmp.dir, 'tasks', 'helper.ts'), HELPER);
  writeFileSync(path.join(tmp.dir, 'tasks', 'failing.ts'), FAILING);
  writeFileSync(path.join(tmp.dir, 'tasks', 'stray.ts'), STRAY);
  writeFileSync(path.join(tmp.dir, 'tasks', 'children.ts'), CHILDREN);
  outputFile = path.join(tmp.dir, 'output');
  const output = openSync(outputFile, 'a');
  worker = spawn(process.execPath, nodeWorkerArgs(), {
    cwd: tmp.dir,
    env: { ...process.env, ORK_PAYLOAD_DIR: path.join(tmp.dir, 'payloads'), ORK_TEST_MODE: undefined },
    stdio: ['ignore', output, output, 'pipe'],
  });
  closeSync(output);
  channel = worker.stdio[3] as Duplex;
  lines = createInterface({ input: channel });
  iterator = lines[Symbol.asyncIterator]();
}, 30_000);

afterAll(() => {
  worker?.kill();
  tmp?.remove();
});

describe('node worker protocol', () => {
  it('starts with a ready line', async () => {
    const ready = await next();
    expect(ready).toMatchObject({ ready: true, pid: worker.pid, node: process.version });
  });

  it('answers a request: output, reads; what the task printed, logged and recorded is on its stdout, in order, there when the reply comes', async () => {
    const payload = makePayload('echo', { inputs: { discover: { n: 3 }, unrelated: [1, 2] }, item: 'a', item_index: 0 });
    const reply = await call({ id: 1, file: path.join(tmp.dir, 'tasks', 'echo.ts'), workflow_dir: tmp.dir, payload });
    expect(reply).toMatchObject({ id: 1, ok: true, output: { text: 'a-3', mode: null }, reads: ['discover', 'item'] });
    expect(reply.stdout).toBeUndefined();
    const [printed, direct, log, metric, ...rest] = readFileSync(outputFile, 'utf8').split('\n');
    expect([printed, direct, rest]).toStrictEqual(['printed by echo[item 0]', 'written directly', ['']]);
    expect(JSON.parse(log ?? '')).toMatchObject({ level: 'info', message: 'working', item: 'a', task: 'echo', instance: 'echo[item 0]' });
    expect(JSON.parse(metric ?? '')).toMatchObject({ items: 1, Task: 'echo', _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'items', Unit: 'Count' }] }] } });
    expect(reply).not.toHaveProperty('logs');
    expect(reply).not.toHaveProperty('metrics');
    expect(typeof reply.ms).toBe('number');
  });

  it('what a task and its child processes print never reaches the protocol; children cannot write to fd 3', async () => {
    const before = readFileSync(outputFile, 'utf8').length;
    const reply = await call({ id: 16, file: path.join(tmp.dir, 'tasks', 'children.ts'), payload: makePayload('children') });
    expect(reply).toMatchObject({ id: 16, ok: true, output: { child: 0 } });
    expect((reply.output as { shell: number }).shell).not.toBe(0);
    const forged = JSON.stringify({ id: 1, ok: true, output: 'forged', logs: [], metrics: [] });
    expect(readFileSync(outputFile, 'utf8').slice(before)).toMatch(new RegExp(`^${escape(`${forged}\n${forged}\nplain text\n{"status":"done"}\n`)}`));
    // The next exchange is clean.
    expect(await call({ id: 17, file: path.join(tmp.dir, 'tasks', 'children.ts'), payload: makePayload('children') })).toMatchObject({ id: 17, ok: true });
  });

  it('sets env for one invocation only', async () => {
    const request = (id: number, env?: Record<string, string | null>) => ({
      id,
      file: path.join(tmp.dir, 'tasks', 'echo.ts'),
      workflow_dir: tmp.dir,
      payload: makePayload('echo', { inputs: { discover: { n: 1 } }, item: 'b', item_index: 1 }),
      ...(env ? { env } : {}),
    });
    expect((await call(request(2, { ORK_TEST_MODE: 'first' }))).output).toStrictEqual({ text: 'b-1', mode: 'first' });
    expect((await call(request(3))).output).toStrictEqual({ text: 'b-1', mode: null });
    expect((await call(request(4, { ORK_TEST_MODE: 'second' }))).output).toStrictEqual({ text: 'b-1', mode: 'second' });
    // null unsets a variable for the invocation
    expect((await call(request(5, { ORK_TEST_MODE: null }))).output).toStrictEqual({ text: 'b-1', mode: null });
  });

  it('a bad JSON line is answered with Ork.ProtocolError and the worker lives on', async () => {
    const bad = await call('{this is not json');
    expect(bad).toMatchObject({ id: null, ok: false, error: { type: 'Ork.ProtocolError', retryable: false } });
    expect(bad.error?.message).toMatch(/bad request line/);
    const notObject = await call('[1, 2]');
    expect(notObject).toMatchObject({ ok: false, error: { type: 'Ork.ProtocolError' } });
    const noFile = await call({ id: 6, payload: makePayload() });
    expect(noFile).toMatchObject({ id: 6, ok: false, error: { type: 'Ork.ProtocolError', retryable: false } });
    const after = await call({
      id: 7,
      file: path.join(tmp.dir, 'tasks', 'echo.ts'),
      payload: makePayload('echo', { inputs: { discover: { n: 9 } }, item: 'c', item_index: 2 }),
    });
    expect(after).toMatchObject({ id: 7, ok: true, output: { text: 'c-9' } });
  });

  it('a task error is a reply with its name, message, retryable and the traceback with causes', async () => {
    const reply = await call({ id: 8, file: path.join(tmp.dir, 'tasks', 'failing.ts'), payload: makePayload('failing') });
    expect(reply).toMatchObject({ id: 8, ok: false, error: { type: 'TypeError', message: 'bad value', retryable: true } });
    expect(reply.error?.traceback).toMatch(/TypeError: bad value[\s\S]*The above error was caused by:\nError: root/);
    expect(reply.reads).toBeUndefined();
  });

  it('runs a batch: one output per element in order, or the failing element named under its error', async () => {
    const file = path.join(tmp.dir, 'tasks', 'echo.ts');
    const batch = [
      { item: 'x', item_index: 2 },
      { item: 'y', item_index: 3 },
    ];
    const before = readFileSync(outputFile, 'utf8').length;
    const reply = await call({ id: 14, file, payload: makePayload('echo', { inputs: { discover: { n: 1 } }, batch }) });
    expect(reply).toMatchObject({ id: 14, ok: true, output: [{ text: 'x-1' }, { text: 'y-1' }] });
    const logs = readFileSync(outputFile, 'utf8')
      .slice(before)
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"level"'))
      .map((line) => JSON.parse(line) as { instance: string });
    expect(logs.map((l) => l.instance)).toStrictEqual(['echo[item 2]', 'echo[item 3]']);
    const failing = await call({ id: 15, file: path.join(tmp.dir, 'tasks', 'failing.ts'), payload: makePayload('failing', { batch: [{ item_index: 7 }] }) });
    expect(failing).toMatchObject({
      id: 15,
      ok: false,
      error: { type: 'TypeError', message: 'batch element 1 of 1 (item_index 7) failed: bad value', retryable: true },
    });
  });

  it('a task file that does not exist or exports no task: Ork.TaskDefinitionError, not retryable', async () => {
    const missing = await call({ id: 9, file: path.join(tmp.dir, 'tasks', 'nope.ts'), payload: makePayload() });
    expect(missing).toMatchObject({ ok: false, error: { type: 'Ork.TaskDefinitionError', retryable: false } });
    const reply = await call({ id: 10, file: path.join(tmp.dir, 'tasks', 'helper.ts'), payload: makePayload() });
    expect(reply).toMatchObject({ ok: false, error: { type: 'Ork.TaskDefinitionError' } });
    expect(reply.error?.message).toMatch(/exports no task/);
  });

  it('a stray failure of task code fails the invocation in progress (as on Lambda), and the worker lives on', async () => {
    const file = path.join(tmp.dir, 'tasks', 'stray.ts');
    const rejection = await call({ id: 11, file, payload: makePayload('stray', { params: { how: 'rejection' } }) });
    expect(rejection).toMatchObject({
      id: 11,
      ok: false,
      error: { type: 'Runtime.UnhandledPromiseRejection', message: 'RangeError: nobody awaits this', retryable: true },
    });
    const thrown = await call({ id: 12, file, payload: makePayload('stray', { params: { how: 'throw' } }) });
    expect(thrown).toMatchObject({ id: 12, ok: false, error: { type: 'SyntaxError', message: 'thrown in a timer' } });
    const fine = await call({ id: 13, file, payload: makePayload('stray', { params: { how: 'nothing' } }) });
    expect(fine).toMatchObject({ id: 13, ok: true, output: 'finished' });
    expect(worker.exitCode).toBeNull();
  });
});

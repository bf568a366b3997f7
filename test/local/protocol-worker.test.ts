import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallNotStartedError, ProtocolWorker, WorkerCrashedError } from '../../lib/local/protocol-worker.js';
import { WorkerPool } from '../../lib/local/worker-pool.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/**
 * The host side of the worker protocol (lib/local/protocol-worker.ts, docs/worker-protocol.md), against small
 * fake workers: stdin reads EOF; what the worker writes to fds 1 and 2 during an invocation comes back as
 * that reply's `stdout`; every reply must carry the id of the request in progress, or the worker is killed
 * and the call fails with Ork.WorkerCrashed; `answering` is called when a reply starts to arrive; a crash
 * carries what the invocation printed.
 */

/** A fake worker: reads requests on fd 3 and answers as MODE says. */
const FAKE = String.raw`
const net = require('node:net');
const fs = require('node:fs');
const readline = require('node:readline');
const channel = new net.Socket({ fd: 3, readable: true, writable: true });
const mode = process.env.MODE;
const send = (value) => channel.write(JSON.stringify(value) + '\n');
if (mode === 'not-ready') send({ hello: true });
else send({ ready: true, pid: process.pid });
const lines = readline.createInterface({ input: channel });
lines.on('line', (line) => {
  const request = JSON.parse(line);
  const id = request.id;
  const reply = { id, ok: true, output: request.payload, logs: [], metrics: [], ms: 1 };
  if (mode === 'echo') {
    process.stdout.write('out of ' + id + '\n');
    process.stderr.write('err of ' + id + '\n');
    // A late line, as from a process left running: the next invocation's. The reply says where this
    // invocation's output ends ('out'), as the real workers' do, else the late line races the host's read.
    setTimeout(() => process.stdout.write('late after ' + id + '\n'), 5).unref();
    send({ ...reply, out: fs.fstatSync(1).size, output: { stdin: fs.readFileSync(0, 'utf8'), payload: request.payload } });
  } else if (mode === 'wrong-id') {
    send({ ...reply, id: id + 98 });
  } else if (mode === 'no-ok') {
    send({ id, status: 'done' });
  } else if (mode === 'slow-reply') {
    const text = JSON.stringify({ ...reply, output: 'x'.repeat(1000) }) + '\n';
    channel.write(text.slice(0, 10));
    setTimeout(() => channel.write(text.slice(10)), 1500);
  } else if (mode === 'queued') {
    // Requests that arrive together are answered at once, one after the other: the second prints before the
    // host has read the first reply. 'out' says where each invocation's output ends.
    process.stdout.write('out of ' + id + '\n');
    send({ ...reply, out: fs.fstatSync(1).size });
  } else if (mode === 'crash-first') {
    if (id === 1) {
      process.stdout.write('printed before the crash\n');
      process.exit(3);
    }
    send(reply);
  } else if (mode === 'crash') {
    process.stdout.write('printed before the crash\n');
    process.exit(3);
  }
});
`;

let tmp: ReturnType<typeof temporaryDirectory>;
let fake: string;
const workers: ProtocolWorker[] = [];

function start(mode: string): ProtocolWorker {
  const worker = new ProtocolWorker({ command: process.execPath, args: [fake], label: 'fake worker', cwd: tmp.dir, env: { ...process.env, MODE: mode } });
  workers.push(worker);
  return worker;
}

const request = (payload: unknown) => ({ file: '/nowhere/task.py', workflow_dir: '/nowhere', payload });

async function exited(worker: ProtocolWorker): Promise<void> {
  for (let i = 0; i < 200 && worker.pid !== undefined; i++) {
    try {
      process.kill(worker.pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`worker ${worker.pid} still runs`);
}

beforeAll(() => {
  tmp = temporaryDirectory('ork-protocol-worker-');
  fake = path.join(tmp.dir, 'fake-worker.cjs');
  writeFileSync(fake, FAKE);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill(0)));
  tmp?.remove();
});

describe('ProtocolWorker', () => {
  it("stdin reads EOF; what fds 1 and 2 receive during an invocation is that reply's stdout, in order; later output goes to the next", async () => {
    const worker = start('echo');
    await worker.ready;
    const first = await worker.call(request({ n: 1 }));
    expect(first).toMatchObject({ id: 1, ok: true, output: { stdin: '', payload: { n: 1 } }, logs: [], metrics: [] });
    expect(first.stdout).toBe('out of 1\nerr of 1\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await worker.call(request({ n: 2 }));
    expect(second.output).toStrictEqual({ stdin: '', payload: { n: 2 } });
    expect(second.stdout).toBe('late after 1\nout of 2\nerr of 2\n');
  });

  it('a reply with another id breaks the protocol: the call fails with Ork.WorkerCrashed and the worker is killed', async () => {
    const worker = start('wrong-id');
    await worker.ready;
    const error = await worker.call(request({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).name).toBe('Ork.WorkerCrashed');
    expect((error as Error).message).toMatch(/broke the worker protocol.*answered request 99 while request 1 was in progress/);
    expect(worker.alive).toBe(false);
    await exited(worker);
  });

  it('a reply without a boolean ok ({"status":"done"}) breaks the protocol', async () => {
    const worker = start('no-ok');
    await worker.ready;
    await expect(worker.call(request({}))).rejects.toThrow(/broke the worker protocol.*without a boolean ok.*status/);
    expect(worker.alive).toBe(false);
  });

  it('a first line that is not the ready message fails the start', async () => {
    await expect(start('not-ready').ready).rejects.toThrow(/broke the worker protocol.*instead of its ready message/);
  });

  it('answering is called when the first bytes of the reply arrive, before the reply is complete', async () => {
    const worker = start('slow-reply');
    await worker.ready;
    let answeredAt = 0;
    const reply = await worker.call(request({}), { onAnswer: () => (answeredAt = performance.now()) });
    const completedAt = performance.now();
    expect(reply.output).toBe('x'.repeat(1000));
    expect(answeredAt).toBeGreaterThan(0);
    expect(completedAt - answeredAt).toBeGreaterThan(1000);
  });

  it("a task's timeout does not cover the reading of its reply (WorkerPool.run)", async () => {
    const pool = new WorkerPool({ command: process.execPath, args: [fake], label: 'fake worker', cwd: tmp.dir, env: { ...process.env, MODE: 'slow-reply' } });
    try {
      // The reply starts at once and takes 1.5 s to complete: past the 1 s timeout, which it must not trip.
      const reply = await pool.run(request({}), { timeoutMs: 1000, onTimeout: () => new Error('timed out') });
      expect(reply.output).toBe('x'.repeat(1000));
    } finally {
      await pool.close();
    }
  });

  it('a worker that dies during a call: Ork.WorkerCrashed with the exit and what the invocation printed', async () => {
    const worker = start('crash');
    await worker.ready;
    const error = (await worker.call(request({})).catch((e: unknown) => e)) as WorkerCrashedError;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(error.message).toMatch(/fake worker exited \(code 3\): printed before the crash/);
    expect(error.output).toBe('printed before the crash\n');
  });

  it("queued requests run in order, each starting after the one before ended; each reply's output is its own", async () => {
    const worker = start('queued');
    await worker.ready;
    const events: string[] = [];
    const hooks = (n: number) => ({ onStart: () => events.push(`start ${n}`), onEnd: () => events.push(`end ${n}`) });
    const calls = [1, 2, 3].map((n) => worker.call(request({ n }), hooks(n)));
    expect(worker.load).toBe(3);
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.stdout)).toStrictEqual(['out of 1\n', 'out of 2\n', 'out of 3\n']);
    expect(events).toStrictEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(worker.load).toBe(0);
  });

  it('a request queued behind one whose worker dies never started: CallNotStartedError, and no onStart', async () => {
    const worker = start('crash-first');
    await worker.ready;
    let secondStarted = false;
    const first = worker.call(request({})).catch((e: unknown) => e);
    const second = worker.call(request({}), { onStart: () => (secondStarted = true) }).catch((e: unknown) => e);
    expect(await first).toBeInstanceOf(WorkerCrashedError);
    const error = await second;
    expect(error).toBeInstanceOf(CallNotStartedError);
    expect((error as Error).name).toBe('Ork.CallNotStarted');
    expect(secondStarted).toBe(false);
  });
});

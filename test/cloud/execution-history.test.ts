import type { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { readExecutionHistory } from '../support/aws-parity/execution-history.js';

/** A client whose GetExecutionHistory answers with `replies` in turn: an Error is thrown, anything else returned. */
function fakeClient(replies: unknown[]): Pick<SFNClient, 'send'> & { calls: number } {
  const client = {
    calls: 0,
    send: (async () => {
      const reply = replies[client.calls++];
      if (reply instanceof Error) throw reply;
      return reply;
    }) as unknown as SFNClient['send'],
  };
  return client;
}

const htmlPage = (): Error => Object.assign(new SyntaxError(`Unexpected token '<', "<!doctype "... is not valid JSON`), { $metadata: { httpStatusCode: 500 } });

describe('reading an execution history from moto', () => {
  it('asks again when moto answers one request with its HTML 500 page', async () => {
    const client = fakeClient([htmlPage(), { events: [{ id: 1 }], nextToken: 'n' }, { events: [{ id: 2 }] }]);
    const events = await readExecutionHistory(client, 'arn:x', { delayMs: 1 });
    expect(events.map((e) => e.id)).toStrictEqual([1, 2]);
    expect(client.calls).toBe(3);
  });

  it('gives up after the attempts, with moto output in the message and the SDK error as the cause', async () => {
    const client = fakeClient([htmlPage(), htmlPage(), htmlPage()]);
    const failure = await readExecutionHistory(client, 'arn:x', { attempts: 3, delayMs: 1, diagnostics: () => 'Traceback: RuntimeError' }).catch(
      (error: unknown) => error as Error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/failed after 3 attempt\(s\).*\n.*Traceback: RuntimeError/s);
    expect((failure as Error).cause).toBeInstanceOf(SyntaxError);
    expect(client.calls).toBe(3);
  });

  it('does not retry a client error (an unknown execution)', async () => {
    const notFound = Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist', $metadata: { httpStatusCode: 400 } });
    const client = fakeClient([notFound, { events: [] }]);
    await expect(readExecutionHistory(client, 'arn:x', { delayMs: 1 })).rejects.toThrow(/failed after 1 attempt/);
    expect(client.calls).toBe(1);
  });
});

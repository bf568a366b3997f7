/**
 * The messages of the local workers' protocol (docs/worker-protocol.md): one JSON object per line on the
 * channel (WORKER_CHANNEL_FD), from `python -m ork.worker` and lambdas/node/ork/worker.ts to the host,
 * lib/local/protocol-worker.ts, and back. zod, so that json-schema.ts exports worker-protocol.schema.json
 * from the same definition that test/contract/worker-protocol.test.ts checks both workers' messages against.
 */
import { z } from 'zod';
import { payloadSchema } from './payload-schema.js';

const whole = z.number().int();

// Messages are strict objects: a field one worker renames or adds, and the schema does not name, fails
// test/contract/worker-protocol.test.ts instead of being ignored by the host unnoticed.

export const readyMessageSchema = z
  .strictObject({
    ready: z.literal(true),
    pid: whole,
    python: z.string().optional().describe('the Python worker: its interpreter version'),
    node: z.string().optional().describe('the Node worker: process.version'),
  })
  .describe("The worker's first line: it has started and takes requests");

export const workerRequestSchema = z
  .strictObject({
    id: whole.describe('unique per worker; the reply carries it back'),
    file: z.string().describe('absolute path of the task file'),
    workflow_dir: z.string().optional(),
    payload: payloadSchema,
    env: z.record(z.string(), z.string().nullable()).optional().describe("the task's environment variables, for this invocation only; null unsets one"),
    secrets: z
      .record(
        z.string(),
        z.union([
          z.strictObject({ value: z.string().describe("the secret's text, from the secrets file or ORK_SECRET_<NAME>") }),
          z.strictObject({ missing: z.string().describe('no local value: where to give one (the Ork.SecretNotFound hint)') }),
        ]),
      )
      .optional()
      .describe("the invoked task's declared secrets by name, for this invocation only: ctx.secrets reads them instead of AWS; never recorded"),
  })
  .describe('One invocation, host to worker');

export const workerFailureSchema = z
  .strictObject({ type: z.string().describe('the error name Retry and Catch match'), message: z.string(), retryable: z.boolean(), traceback: z.string() })
  .describe('Why an invocation failed');

const replyFields = {
  ms: z.number().optional().describe('time the invocation took, in milliseconds'),
  waits: whole
    .optional()
    .describe(
      'how many times the invocation blocked (voluntary context switches: a sleep, I/O); the host runs a fast task that does not block on at most one worker per core',
    ),
  out: whole.optional().describe("the length of the worker's output file once this invocation's output is written"),
  logs: z.array(z.record(z.string(), z.unknown())).optional().describe("log records the host takes as the task's"),
  metrics: z.array(z.record(z.string(), z.unknown())).optional().describe("metric records the host takes as the task's"),
};

export const workerReplySchema = z
  .discriminatedUnion('ok', [
    z.strictObject({
      id: whole,
      ok: z.literal(true),
      output: z.unknown().describe("the task's output (JSON), or a reference to it"),
      reads: z.array(z.string()).nullable().optional().describe('the payload fields the input is built from; null: all'),
      ...replyFields,
    }),
    z.strictObject({
      id: whole.nullable().describe('null answers a request line that was not a JSON object'),
      ok: z.literal(false),
      error: workerFailureSchema,
      ...replyFields,
    }),
  ])
  .describe('The answer to one request, worker to host, in request order');

export type ReadyMessage = z.infer<typeof readyMessageSchema>;
export type WorkerRequest = z.infer<typeof workerRequestSchema>;
export type WorkerReply = z.infer<typeof workerReplySchema>;

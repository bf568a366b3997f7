/** `ork schema payload` and `ork schema worker-protocol` print the contract's JSON Schemas; `ork schema` still prints workflow.yaml's. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { workflowJsonSchema } from '../../compiler/index.js';
import { payloadJsonSchema, workerProtocolJsonSchema } from '../../lambdas/contract/index.js';
import { UsageError } from '../../lib/cli/cli-error.js';
import { schemaCommand } from '../../lib/cli/commands/schema.js';

async function printed(argv: readonly string[]): Promise<unknown> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const status = await schemaCommand.run(argv, { stdout, stderr: new PassThrough(), cwd: process.cwd(), env: {} });
  expect(status).toBe(0);
  return JSON.parse(text) as unknown;
}

describe('ork schema', () => {
  it.each([
    [[], workflowJsonSchema()],
    [['workflow'], workflowJsonSchema()],
    [['payload'], payloadJsonSchema()],
    [['worker-protocol'], workerProtocolJsonSchema()],
  ] as const)('ork schema %j', async (argv, schema) => {
    expect(await printed(argv)).toStrictEqual(schema);
  });

  it('refuses a schema it does not know', async () => {
    await expect(printed(['manifest'])).rejects.toBeInstanceOf(UsageError);
  });
});

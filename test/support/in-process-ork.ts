import { PassThrough } from 'node:stream';
import { main } from '../../lib/cli/main.js';

/** `ork` run in this process (lib/cli/main.ts) with its output captured: for tests that stub what it reaches, e.g. the AWS SDK's endpoint. */

/** `ork <args>` run to its end in this process's working folder, NO_COLOR set: its exit code and what it printed. */
export async function runOrkInProcess(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdout, stderr, cwd: process.cwd(), env: { NO_COLOR: '1' } });
  return { code, stdout: out, stderr: err };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, vi } from 'vitest';

/** A fake AWS endpoint speaking the JSON protocol (Step Functions' x-amz-json-1.0), for cloud commands run in this process. */

/** What the endpoint answers a call: an AWS error (its __type and message, and the status) or a JSON body. */
export interface AwsAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Serves the tests of a file (or a describe block) from before them to after them: each call is answered with
 * `answer(target)` (target: its X-Amz-Target, e.g. AWSStepFunctions.StartExecution), and the AWS SDK of this
 * process is pointed at it with test credentials. The answer is the target of each call, in order; a test may
 * empty it.
 */
export function useFakeAwsEndpoint(answer: (target: string) => AwsAnswer): string[] {
  const targets: string[] = [];
  let server: Server | undefined;
  beforeAll(async () => {
    const listening = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        targets.push(target);
        const { status, body } = answer(target);
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      });
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    // The SDK reads its settings from the process environment; only the retries are cut, so that a throttled
    // call fails at once.
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    const listening = server;
    if (listening) await new Promise((resolve) => listening.close(resolve));
  });
  return targets;
}

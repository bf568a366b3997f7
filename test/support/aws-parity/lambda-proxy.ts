import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../moto-server.js';
import type { LambdaFunctions } from './lambda-functions.js';

/**
 * The endpoint moto's Step Functions interpreter calls for every AWS API (it builds its boto3 clients with
 * `http://localhost:$MOTO_PORT`, and moto_server is started with MOTO_PORT set to this proxy's port).
 *
 * - `POST /2015-03-31/functions/<name>/invocations` for a function registered with the harness is answered
 *   as the Lambda Invoke API does, by running the real handler (see lambda-functions.ts);
 * - every other request (Step Functions, S3, an unknown function …) is forwarded to moto unchanged.
 */
export interface LambdaProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** How many requests were forwarded to moto, and how many invocations were answered here. */
  readonly counts: { forwarded: number; invocations: number };
  /** Closes the listener and every open connection. Safe to call twice. */
  close(): Promise<void>;
}

export interface LambdaProxyOptions {
  readonly functions: LambdaFunctions;
  /** Where everything else goes (moto_server); read per request, so it may be set after the proxy starts. */
  readonly upstream: () => string | undefined;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** The function name in an Invoke path: a name, `name:qualifier`, a partial ARN or a full ARN. */
export function functionNameOf(raw: string): string {
  const decoded = decodeURIComponent(raw);
  const parts = decoded.split(':');
  if (decoded.startsWith('arn:')) return parts[6] ?? decoded; // arn:aws:lambda:region:account:function:name[:qualifier]
  if (parts[1] === 'function') return parts[2] ?? decoded; // account:function:name[:qualifier]
  return parts[0] ?? decoded; // name[:qualifier]
}

export async function startLambdaProxy(options: LambdaProxyOptions): Promise<LambdaProxy> {
  const counts = { forwarded: 0, invocations: 0 };
  const server = http.createServer((request, response) => {
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const match = request.method === 'POST' ? INVOKE_PATH.exec(pathname) : null;
    const name = match?.[1] !== undefined ? functionNameOf(match[1]) : undefined;
    if (name !== undefined && options.functions.has(name)) {
      counts.invocations++;
      void invoke(options.functions, name, request, response);
    } else {
      counts.forwarded++;
      forward(options.upstream(), request, response);
    }
  });
  server.keepAliveTimeout = 5_000;

  let port: number;
  for (let attempt = 0; ; attempt++) {
    const candidate = await freePort();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(candidate, '127.0.0.1', () => {
          server.removeListener('error', reject);
          resolve();
        });
      });
      port = (server.address() as AddressInfo).port;
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 4) throw error;
    }
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

/** The Invoke API (RequestResponse, Event and DryRun invocation types). */
async function invoke(functions: LambdaFunctions, name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  try {
    const body = await readBody(request);
    let event: unknown;
    try {
      event = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      sendJson(
        response,
        400,
        { 'x-amzn-ErrorType': 'InvalidRequestContentException' },
        JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }),
      );
      return;
    }
    const config = functions.get(name);
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (type === 'Event') {
      response.writeHead(202, { 'Content-Length': '0' }).end();
      await functions.invoke(name, event, config?.arn).catch(() => undefined);
      return;
    }
    const result = await functions.invoke(name, event, config?.arn);
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': result.requestId };
    if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
    if (String(request.headers['x-amz-log-type'] ?? '') === 'Tail') {
      headers['X-Amz-Log-Result'] = Buffer.from(Buffer.from(result.logs).subarray(-4_096)).toString('base64');
    }
    sendJson(response, 200, headers, result.payload);
  } catch (error) {
    // The emulation itself failed (it is stopping, Python is missing …): a Lambda service error.
    if (!response.headersSent) {
      sendJson(
        response,
        500,
        { 'x-amzn-ErrorType': 'ServiceException' },
        JSON.stringify({ Type: 'Service', message: `parity harness: ${(error as Error).message}` }),
      );
    } else response.destroy();
  }
}

/** Streams the request to moto and moto's answer back, headers and body unchanged. */
function forward(upstream: string | undefined, request: IncomingMessage, response: ServerResponse): void {
  if (!upstream) {
    sendJson(response, 503, {}, JSON.stringify({ message: 'parity harness: moto_server is not running' }));
    request.resume();
    return;
  }
  const target = new URL(upstream);
  const outgoing = http.request(
    { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
    (incoming) => {
      response.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, incoming.headers);
      incoming.pipe(response);
    },
  );
  outgoing.on('error', (error) => {
    if (!response.headersSent) sendJson(response, 502, {}, JSON.stringify({ message: `parity harness: moto_server did not answer: ${error.message}` }));
    else response.destroy(error);
  });
  request.pipe(outgoing);
}

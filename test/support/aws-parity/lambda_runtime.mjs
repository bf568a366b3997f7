// One warm "Lambda execution environment" of the AWS parity harness for Node.js functions: the counterpart
// of lambda_runtime.py, speaking the same protocol (see there), chosen per function by lambda-functions.ts
// (`runtime: 'node'`). Plain JavaScript, so that it starts without a TypeScript loader, as the code it runs
// (the esbuild bundles of lib/deploy/node-bundle.ts) is plain JavaScript too.
//
// Like the Lambda Node.js runtime (aws-lambda-nodejs-runtime-interface-client), it
// - resolves `_HANDLER` (`path/to/module.export`) against LAMBDA_TASK_ROOT, trying `.js`, `.mjs`, `.cjs`;
// - imports the module once, before the first invocation, and serves one invocation at a time, so module
//   state survives between invocations as in a warm Lambda environment;
// - calls `handler(event, context)` and awaits it;
// - reports a failure as the Invoke API does with `X-Amz-Function-Error: Unhandled`:
//   `{"errorType": error.name, "errorMessage": error.message, "trace": stack lines}` (errorType is what Step
//   Functions' Retry and Catch match); a handler that cannot be loaded fails every invocation with
//   Runtime.MalformedHandlerName, Runtime.ImportModuleError, Runtime.UserCodeSyntaxError,
//   Runtime.HandlerNotFound, or the error its module threw.
//
// The protocol stream is this process's stdout. Everything the function writes (console.*,
// process.stdout/stderr.write) is captured per invocation and returned as its `logs`, as CloudWatch would
// show them; between invocations it goes to stderr. Nothing the function writes can corrupt the protocol.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const protocolWrite = process.stdout.write.bind(process.stdout);
const stderrWrite = process.stderr.write.bind(process.stderr);
/** What the current invocation wrote; undefined between invocations. */
let captured;

function capture(chunk, encoding, callback) {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
  if (captured !== undefined) {
    captured += text;
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  }
  return stderrWrite(chunk, encoding, callback);
}
process.stdout.write = capture;
process.stderr.write = capture;

function send(message) {
  protocolWrite(`${JSON.stringify(message)}\n`);
}

function failure(errorType, errorMessage, trace = []) {
  return { errorType, errorMessage, trace };
}

function describeError(error) {
  if (error instanceof Error) return failure(String(error.name), String(error.message), String(error.stack ?? '').split('\n'));
  // The Node.js runtime names a thrown non-Error by its type.
  return failure(typeof error, String(error));
}

/** The handler function named by `_HANDLER`, or the failure every invocation answers instead. */
async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const handlerString = path.basename(spec);
  const moduleRoot = spec.slice(0, spec.length - handlerString.length);
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match || !match[1] || !match[2]) return failure('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const [, moduleName, handlerPath] = match;
  const base = path.resolve(root, moduleRoot, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => `${base}${ext}`).find((candidate) => existsSync(candidate));
  if (!file) return failure('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  let module;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) return failure('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`, String(error.stack ?? '').split('\n'));
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return failure('Runtime.ImportModuleError', `Error: ${error.message}`, String(error.stack ?? '').split('\n'));
    return describeError(error);
  }
  let handler = module;
  for (const part of handlerPath.split('.')) handler = handler?.[part];
  if (typeof handler !== 'function') return failure('Runtime.HandlerNotFound', `${moduleRoot}${moduleName}.${handlerPath} is undefined or not exported`);
  return handler;
}

function contextFor(request) {
  const deadline = Number(request.deadline_ms) || 0;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: String(request.arn ?? ''),
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: String(request.id ?? ''),
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function invoke(handler, request) {
  if (typeof handler !== 'function') return { ok: false, payload: JSON.stringify(handler) };
  let result;
  try {
    result = await handler(request.event, contextFor(request));
  } catch (error) {
    return { ok: false, payload: JSON.stringify(describeError(error)) };
  }
  try {
    return { ok: true, payload: JSON.stringify(result) ?? 'null' };
  } catch (error) {
    return {
      ok: false,
      payload: JSON.stringify(failure('Runtime.MarshalError', `Unable to stringify response body: ${error instanceof Error ? error.message : String(error)}`)),
    };
  }
}

async function main() {
  process.chdir(process.env.LAMBDA_TASK_ROOT || process.cwd());
  const handler = await loadHandler();
  send({ ready: true, pid: process.pid, node: process.version });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const request = JSON.parse(line);
    const started = performance.now();
    captured = '';
    let reply;
    try {
      reply = await invoke(handler, request);
    } finally {
      const logs = captured;
      captured = undefined;
      reply = {
        id: request.id,
        ok: reply?.ok ?? false,
        payload: reply?.payload ?? JSON.stringify(failure('Runtime.Unknown', 'no reply')),
        logs,
        ms: Math.round((performance.now() - started) * 100) / 100,
      };
    }
    send(reply);
  }
}

await main();

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { writeWorkflowFiles } from '../workflows.js';
import { processAlive } from './aws-parity.js';
import { LambdaFunctions } from './lambda-functions.js';

// What the tests of the Lambda emulation alone (no moto) share, whichever runtime they exercise.

/** Registers a test function on the suite's code folder (a 128 MB function, timing out after 10 s unless told). */
export type RegisterTestFunction = (name: string, handler: string, environment?: Record<string, string>, timeoutSeconds?: number) => void;

export interface LambdaEmulationSuiteOptions {
  /** Of the code folder's name. */
  readonly prefix: string;
  readonly runtime: 'python' | 'node';
  /** The code folder's files (paths relative to it, folders made). */
  readonly files: Readonly<Record<string, string>>;
  /** Registers the suite's functions, once the files are written. */
  readonly register: (fn: RegisterTestFunction) => void;
}

/**
 * Registers, in the describe block it is called in, a beforeAll that writes the code folder and registers its
 * functions on a LambdaFunctions that passes on only this machine's PATH, and an afterAll that closes them and
 * removes the folder. Answers the functions, once beforeAll has run.
 */
export function useLambdaEmulation(options: LambdaEmulationSuiteOptions): () => LambdaFunctions {
  let functions: LambdaFunctions | undefined;
  let code = '';
  beforeAll(() => {
    code = mkdtempSync(path.join(tmpdir(), options.prefix));
    writeWorkflowFiles(code, options.files);
    const emulated = new LambdaFunctions({ baseEnvironment: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    functions = emulated;
    options.register((name, handler, environment = {}, timeoutSeconds = 10) =>
      emulated.register({
        name,
        arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        codeDirectory: code,
        handler,
        runtime: options.runtime,
        environment,
        timeoutSeconds,
        memoryMb: 128,
      }),
    );
  });
  afterAll(async () => {
    await functions?.close();
    if (code) rmSync(code, { recursive: true, force: true });
  });
  return () => {
    if (!functions) throw new Error(`no Lambda emulation ${options.prefix}: beforeAll has not run`);
    return functions;
  };
}

/** The error object a runtime answers for a failed invocation (its other fields vary with the runtime). */
export interface InvokeError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly [field: string]: unknown;
}

/** Invokes `name` with `{}`, expects the Invoke API's `Unhandled` and answers the error object. */
export async function invokeFailure(functions: LambdaFunctions, name: string): Promise<InvokeError> {
  const result = await functions.invoke(name, {});
  expect(result.functionError, name).toBe('Unhandled');
  return JSON.parse(result.payload) as InvokeError;
}

/** Closes the functions, some of whose environments had started, and expects none of those processes left. */
export async function expectEveryEnvironmentEnds(functions: LambdaFunctions): Promise<void> {
  const pids = functions.pids();
  expect(pids.length).toBeGreaterThan(0);
  await functions.close();
  expect(pids.filter(processAlive)).toEqual([]);
}

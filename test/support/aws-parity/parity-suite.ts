import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { MOTO_SERVER_COMMAND, motoSuitesRun } from '../moto-server.js';
import { startAwsParity, type AwsParity } from './aws-parity.js';

/**
 * What every suite on the parity harness sets up: whether it runs at all, and a harness with a scratch folder
 * for its describe block, gone after it (moto_server, the proxy and the Lambda environments are processes).
 */

/** Whether suites that need moto_server run here: with it on PATH, or under CI, where its absence must fail. */
export function paritySuiteRuns(suite: string): boolean {
  const runs = motoSuitesRun();
  if (!runs) console.warn(`${suite} skipped: '${MOTO_SERVER_COMMAND}' is not on PATH (pip install 'moto[server]'); with CI set it fails instead.`);
  return runs;
}

export interface AwsParitySuite {
  readonly aws: AwsParity;
  /** The suite's scratch folder, removed after it. */
  readonly work: string;
}

export interface AwsParitySuiteOptions {
  /** Of the scratch folder's name. */
  readonly prefix: string;
  /** Where the scratch folder goes (made if missing); os.tmpdir() unless given. */
  readonly parent?: string;
  /** What the suite writes into it before the harness starts (its workflows). */
  readonly prepare?: (work: string) => void;
  readonly setupTimeoutMs?: number;
}

/**
 * Registers, in the describe block it is called in, a beforeAll that makes the scratch folder, runs `prepare`
 * and starts the harness, then hands both to `started`, and an afterAll that stops the harness and removes the
 * folder. Answers the harness, for tests: it throws when the harness did not start.
 */
export function useAwsParity(options: AwsParitySuiteOptions, started: (suite: AwsParitySuite) => void = () => {}): () => AwsParity {
  let aws: AwsParity | undefined;
  let work = '';
  beforeAll(async () => {
    const parent = options.parent ?? tmpdir();
    mkdirSync(parent, { recursive: true });
    work = mkdtempSync(path.join(parent, options.prefix));
    options.prepare?.(work);
    aws = await startAwsParity();
    started({ aws, work });
  }, options.setupTimeoutMs ?? 60_000);
  afterAll(async () => {
    await aws?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);
  return () => {
    if (!aws) throw new Error('the parity harness did not start');
    return aws;
  };
}

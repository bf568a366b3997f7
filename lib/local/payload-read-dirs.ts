import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Environment } from '../../lambdas/contract/contract.js';

/**
 * The payload folders of earlier runs whose references a run's workers honour besides its own folder
 * (path.delimiter-separated), read by both runtimes' DirectoryStore (docs/payload.md, "References").
 */
const PAYLOAD_READ_DIRS = Environment.payloadReadDirs;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function resumedFrom(runDir: string): string | undefined {
  try {
    const summary = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as { resumedFrom?: unknown };
    return typeof summary.resumedFrom === 'string' ? summary.resumedFrom : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The payload folders of the run `--resume` names and of the runs it resumed in turn: the outputs a resumed
 * run reuses are references into those folders (an output reused twice still points where it was written).
 */
export function resumedPayloadDirs(runsDir: string, runId: string | undefined): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  for (let current = runId; current !== undefined && RUN_ID.test(current) && !seen.has(current); current = resumedFrom(path.join(runsDir, current))) {
    seen.add(current);
    dirs.push(path.join(runsDir, current, 'payloads'));
  }
  return dirs;
}

/**
 * The workers' environment with PAYLOAD_READ_DIRS set by the engine alone: the resumed runs' payload folders,
 * or none (a value inherited from the shell is not kept: only the engine says which folders are the run's).
 */
export function withResumedPayloadDirs(env: NodeJS.ProcessEnv, runsDir: string, resumedRunId: string | undefined): NodeJS.ProcessEnv {
  return { ...env, [PAYLOAD_READ_DIRS]: resumedPayloadDirs(runsDir, resumedRunId).join(path.delimiter) };
}

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CompileResult } from '../../compiler/index.js';
import { compileWorkflowFile } from '../file-system-host.js';
import { UsageError } from './cli-error.js';

export interface WorkflowLocation {
  /** workflow.yaml as the user should see it in messages (relative to the current directory when inside it). */
  readonly displayPath: string;
  readonly absolutePath: string;
  readonly directory: string;
}

/** `ork validate`, `ork validate examples/etl` and `ork validate examples/etl/workflow.yaml` all work. */
export function locateWorkflow(target: string | undefined, cwd: string): WorkflowLocation {
  const given = path.resolve(cwd, target ?? '.');
  let absolutePath = given;
  if (!existsSync(given)) {
    throw new UsageError(`${target ?? '.'}: no such file or directory`, 'give a workflow directory or its workflow.yaml');
  }
  if (statSync(given).isDirectory()) {
    absolutePath = ['workflow.yaml', 'workflow.yml'].map((f) => path.join(given, f)).find((f) => existsSync(f)) ?? path.join(given, 'workflow.yaml');
    if (!existsSync(absolutePath))
      throw new UsageError(`${target ?? '.'}: no workflow.yaml in this directory`, 'create one, or point at the directory that has it');
  }
  const relative = path.relative(cwd, absolutePath);
  const displayPath = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolutePath;
  return { displayPath, absolutePath, directory: path.dirname(absolutePath) };
}

export function compileWorkflow(location: WorkflowLocation): CompileResult {
  try {
    return compileWorkflowFile(location.absolutePath, location.displayPath);
  } catch (error) {
    throw new UsageError(`${location.displayPath}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

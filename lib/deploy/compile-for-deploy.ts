import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, type StateMachineDefinition, type TaskManifest } from '../../compiler/index.js';
import { compileWorkflowFile } from '../file-system-host.js';

export interface CompiledWorkflow {
  readonly directory: string;
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
}

/** Compiles a workflow for a construct; an invalid workflow is an error that names the construct path. */
export function compileForDeploy(workflow: string, constructPath: string): CompiledWorkflow {
  const resolved = path.resolve(workflow);
  const file = existsSync(resolved) && statSync(resolved).isDirectory() ? path.join(resolved, 'workflow.yaml') : resolved;
  if (!existsSync(file)) throw new Error(`${constructPath}: no workflow.yaml at ${resolved}`);
  const result = compileWorkflowFile(file, path.relative(process.cwd(), file) || file);
  if (!result.ok || !result.definition || !result.manifest) {
    const problems = result.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
    throw new Error(`${constructPath}: workflow ${path.relative(process.cwd(), file) || file} is invalid:\n${problems.join('\n')}`);
  }
  return { directory: path.dirname(file), definition: result.definition, manifest: result.manifest };
}

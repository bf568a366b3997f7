/**
 * A bench folder's workflow compiled and run as `ork run` does (compileWorkflowFile, then runLocally), with
 * input `{ n }`, and the check that a run's figures rest on: it succeeded with n instances of `noop`.
 */
import path from 'node:path';
import type { StateMachineDefinition, TaskManifest } from '../../compiler/index.js';
import { compileWorkflowFile } from '../../lib/file-system-host.js';
import type { RunObserver } from '../../lib/local/run-events.js';
import { runLocally, type LocalRunResult } from '../../lib/local/run-workflow.js';

export interface BenchWorkflow {
  readonly dir: string;
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
}

/** The workflow.yaml of `dir`, compiled; throws with the diagnostics when it does not compile. */
export function compileBenchWorkflow(dir: string): BenchWorkflow {
  const compiled = compileWorkflowFile(path.join(dir, 'workflow.yaml'));
  if (!compiled.definition || !compiled.manifest) throw new Error(`the bench workflow does not compile: ${JSON.stringify(compiled.diagnostics)}`);
  return { dir, definition: compiled.definition, manifest: compiled.manifest };
}

/** One run with input `{ n }`, recorded under the folder's `runs/`. */
export function runBenchWorkflow(workflow: BenchWorkflow, n: number, observers?: readonly RunObserver[]): Promise<LocalRunResult> {
  return runLocally({
    definition: workflow.definition,
    manifest: workflow.manifest,
    workflowDir: workflow.dir,
    input: { n },
    runsDir: path.join(workflow.dir, 'runs'),
    ...(observers ? { observers } : {}),
  });
}

/** Throws unless the run succeeded with `n` instances of `noop`: a failed run's figures mean nothing. */
export function checkNoopInstances(result: LocalRunResult, n: number): void {
  if (result.status !== 'SUCCEEDED') throw new Error(`the ${n}-instance run ended ${result.status}: ${result.error?.message ?? ''}`);
  if (result.tasks.noop?.succeeded !== n) throw new Error(`expected ${n} noop instances, got ${JSON.stringify(result.tasks.noop)}`);
}

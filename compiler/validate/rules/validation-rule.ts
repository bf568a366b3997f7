import type { Diagnostic } from '../../diagnostics/index.js';
import type { TaskSpec, WorkflowSpec } from '../../model/index.js';
import type { SourceMap } from '../../parse/index.js';
import type { CompilerHost } from '../compiler-host.js';

export interface ValidationContext {
  /** The document as parsed, before the schema: rules that must see what the user wrote read it. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** Tasks that passed the schema, with defaults applied. */
  readonly spec: WorkflowSpec;
  readonly sourceMap: SourceMap;
  readonly host: CompilerHost;
}

/** A named check with stable codes; each returns every problem it finds. */
export interface ValidationRule {
  readonly name: string;
  check(context: ValidationContext): Diagnostic[];
}

/** A task with where it is written: `['tasks', name]`, or `['on_failure']` for the failure handler. */
export interface PlacedTask {
  readonly task: TaskSpec;
  readonly path: readonly string[];
}

/** Every task a setting rule checks: the tasks, then the failure handler, which takes the same settings. */
export function everyTask(spec: WorkflowSpec): PlacedTask[] {
  const placed = spec.tasks.map((task) => ({ task, path: ['tasks', task.name] }));
  return spec.onFailure ? [...placed, { task: spec.onFailure, path: ['on_failure'] }] : placed;
}

/** The raw mapping at a task's path, when it is a mapping. */
export function rawTask(context: ValidationContext, path: readonly string[]): Readonly<Record<string, unknown>> | undefined {
  let node: unknown = context.raw;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

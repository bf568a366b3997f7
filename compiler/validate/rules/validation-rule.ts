import type { Diagnostic } from '../../diagnostics/index.js';
import type { WorkflowSpec } from '../../model/index.js';
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

/** The raw mapping of one task, when it is a mapping. */
export function rawTask(context: ValidationContext, name: string): Readonly<Record<string, unknown>> | undefined {
  const tasks = context.raw.tasks;
  if (tasks === null || typeof tasks !== 'object' || Array.isArray(tasks)) return undefined;
  const task = (tasks as Record<string, unknown>)[name];
  return task !== null && typeof task === 'object' && !Array.isArray(task) ? (task as Record<string, unknown>) : undefined;
}

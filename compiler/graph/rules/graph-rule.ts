import type { Diagnostic } from '../../diagnostics/index.js';
import type { TaskGraph } from '../task-graph.js';

export interface GraphContext {
  readonly graph: TaskGraph;
  /** Every task name written in the file, including tasks that failed the schema, so they are not "unknown". */
  readonly declaredTasks: ReadonlySet<string>;
}

/** A named check of the task graph with stable codes and fix-it messages. */
export interface GraphRule {
  readonly name: string;
  check(context: GraphContext): Diagnostic[];
}

import type { Diagnostic } from '../diagnostics/index.js';
import type { WorkflowSpec } from '../model/index.js';
import { conditionReferencesRule, cyclesRule, fanOutSourceRule, referencesRule, type GraphRule } from './rules/index.js';
import { buildTaskGraph, type TaskGraph } from './task-graph.js';

export const GRAPH_RULES: readonly GraphRule[] = [referencesRule, fanOutSourceRule, cyclesRule, conditionReferencesRule];

export interface GraphResult {
  readonly graph: TaskGraph;
  readonly diagnostics: readonly Diagnostic[];
}

/** Stage 3: spec → task graph, with references and cycles checked. */
export function checkGraph(spec: WorkflowSpec, declaredTasks: ReadonlySet<string> = new Set(spec.tasks.map((t) => t.name))): GraphResult {
  const graph = buildTaskGraph(spec);
  const diagnostics = GRAPH_RULES.flatMap((rule) => rule.check({ graph, declaredTasks }));
  return { graph, diagnostics };
}

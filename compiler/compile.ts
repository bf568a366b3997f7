import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/index.js';
import { buildTaskManifest, emitDefinition, type StateMachineDefinition, type TaskManifest } from './emit/index.js';
import { checkGraph, type TaskGraph } from './graph/index.js';
import type { WorkflowSpec } from './model/index.js';
import { parseWorkflow, type ParsedWorkflow } from './parse/index.js';
import { planSchedule, type Plan } from './plan/index.js';
import { validateWorkflow, type CompilerHost } from './validate/index.js';

export interface CompileInput {
  /** Path of workflow.yaml as it should appear in diagnostics. */
  readonly file: string;
  readonly source: string | Uint8Array;
  readonly host: CompilerHost;
}

/** What each stage produced; later stages are absent when an earlier one found errors. */
export interface CompileResult {
  readonly ok: boolean;
  /** Every problem found, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  readonly parsed?: ParsedWorkflow;
  readonly spec?: WorkflowSpec;
  readonly graph?: TaskGraph;
  readonly plan?: Plan;
  readonly definition?: StateMachineDefinition;
  readonly manifest?: TaskManifest;
}

/** parse → validate → graph → plan → emit. Pure: all I/O goes through the host. */
export function compile(input: CompileInput): CompileResult {
  const parse = parseWorkflow(input.file, input.source);
  // A file that parsed with duplicate keys still goes through the other stages, so every problem is reported.
  if (!parse.parsed) return { ok: false, diagnostics: sortDiagnostics(parse.diagnostics) };
  const parsed = parse.parsed;

  const validation = validateWorkflow(parsed, input.host);
  const tasks = (parsed.value as Record<string, unknown>).tasks;
  const declared = new Set(tasks !== null && typeof tasks === 'object' ? Object.keys(tasks) : []);
  const graphResult = checkGraph(validation.spec, declared);
  const diagnostics = sortDiagnostics([...parse.diagnostics, ...validation.diagnostics, ...graphResult.diagnostics]);
  const stages = { parsed, spec: validation.spec, graph: graphResult.graph };
  if (hasErrors(diagnostics)) return { ok: false, diagnostics, ...stages };

  const plan = planSchedule(graphResult.graph);
  const { definition, allTaskStates } = emitDefinition(graphResult.graph, plan.root);
  const manifest = buildTaskManifest(validation.spec, graphResult.graph.upstream, allTaskStates);
  return { ok: true, diagnostics, ...stages, plan, definition, manifest };
}

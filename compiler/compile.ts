import { Codes, hasErrors, makeDiagnostic, sortDiagnostics, type Diagnostic } from './diagnostics/index.js';
import { buildTaskManifest, definitionText, emitDefinition, type StateMachineDefinition, type TaskManifest } from './emit/index.js';
import { checkGraph, type TaskGraph } from './graph/index.js';
import { DEFINITION_MAX_CHARACTERS, type WorkflowSpec } from './model/index.js';
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
  const { definition, allTaskStates, fanOutMaps, skipStates } = emitDefinition(graphResult.graph, plan.root);
  const manifest = buildTaskManifest(validation.spec, graphResult.graph.upstream, allTaskStates, fanOutMaps, skipStates);
  const tooLarge = definitionSizeDiagnostic(definition, parsed, validation.spec);
  if (tooLarge) return { ok: false, diagnostics: sortDiagnostics([...diagnostics, tooLarge]), ...stages, plan };
  return { ok: true, diagnostics, ...stages, plan, definition, manifest };
}

/**
 * CreateStateMachine refuses a definition above 1 MiB, so deploy would fail on what ork run ran: the
 * definition as deployed (compact JSON) must fit. `params:` defaults are the part that can grow without
 * bound (they are copied into the definition); the diagnostic points there when they are most of it.
 */
function definitionSizeDiagnostic(definition: StateMachineDefinition, parsed: ParsedWorkflow, spec: WorkflowSpec): Diagnostic | undefined {
  const size = definitionText(definition).length;
  if (size <= DEFINITION_MAX_CHARACTERS) return undefined;
  const paramsSize = Object.keys(spec.params).length === 0 ? 0 : JSON.stringify(spec.params).length;
  const mostlyParams = paramsSize * 2 > size;
  const span = mostlyParams ? parsed.sourceMap.locate(['params'], 'key') : parsed.sourceMap.locate([]);
  const characters = (n: number): string => n.toLocaleString('en-US');
  return makeDiagnostic(
    Codes.definitionTooLarge,
    span,
    `the compiled definition is ${characters(size)} characters; Step Functions accepts at most ${characters(DEFINITION_MAX_CHARACTERS)} (1 MiB)${mostlyParams ? `, and params defaults take ${characters(paramsSize)} of them` : ''}`,
    mostlyParams
      ? 'pass large data as workflow input or in a file the first task reads, not as params defaults'
      : 'split the workflow, or move large settings out of workflow.yaml',
  );
}

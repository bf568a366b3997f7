import path from 'node:path';
import type { Diagnostic } from '../diagnostics/index.js';
import type { WorkflowSpec } from '../model/index.js';
import type { ParsedWorkflow } from '../parse/index.js';
import { buildSpec } from './build-spec.js';
import type { CompilerHost } from './compiler-host.js';
import {
  conditionFieldsRule,
  credentialEnvRule,
  environmentRule,
  eventBusRule,
  eventPatternRule,
  executorOptionsRule,
  fanOutRule,
  requiredParamsRule,
  resourcesRule,
  s3TriggerRule,
  scheduleRule,
  secretNamesRule,
  taskFilesRule,
  taskNamesRule,
  triggerParamsRule,
  triggerShapeRule,
  whenSyntaxRule,
  workflowSettingsRule,
  type ValidationRule,
} from './rules/index.js';
import { workflowSchema } from './workflow-schema.js';
import { zodIssuesToDiagnostics } from './zod-diagnostics.js';

export const VALIDATION_RULES: readonly ValidationRule[] = [
  taskNamesRule,
  workflowSettingsRule,
  executorOptionsRule,
  resourcesRule,
  environmentRule,
  secretNamesRule,
  credentialEnvRule,
  fanOutRule,
  scheduleRule,
  taskFilesRule,
  whenSyntaxRule,
  conditionFieldsRule,
  triggerShapeRule,
  s3TriggerRule,
  eventPatternRule,
  eventBusRule,
  triggerParamsRule,
  requiredParamsRule,
];

export interface ValidateResult {
  /** The tasks that passed the schema, with defaults applied; check diagnostics before using it. */
  readonly spec: WorkflowSpec;
  readonly diagnostics: readonly Diagnostic[];
}

/** Stage 2: parsed YAML → workflow spec. Reports every schema and settings problem it can find. */
export function validateWorkflow(parsed: ParsedWorkflow, host: CompilerHost): ValidateResult {
  const raw = parsed.value as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  const result = workflowSchema.safeParse(raw);
  if (!result.success) diagnostics.push(...zodIssuesToDiagnostics(result.error.issues, raw, parsed.sourceMap));
  const spec = buildSpec(raw, parsed.file, path.basename(host.directory), parsed.sourceMap);
  const context = { raw, spec, sourceMap: parsed.sourceMap, host };
  for (const rule of VALIDATION_RULES) diagnostics.push(...rule.check(context));
  return { spec, diagnostics };
}

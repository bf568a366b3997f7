// The compiler's public API: what lib/, bin/ and bench/ use, and the types their signatures name. Each
// stage keeps its own index.ts for the stages after it; a test of a stage's internals imports them by path
// (compiler/<stage>/index.js), not from here. A name joins this list when code outside compiler/ needs it.

// Compiling a workflow, from files or from memory.
export { compile, type CompileInput, type CompileResult } from './compile.js';
export { inMemoryHost, permissiveHost, type CompilerHost } from './validate/compiler-host.js';
export { sanitiseWorkflowName } from './validate/build-spec.js';
export { workflowJsonSchema } from './validate/json-schema.js';

// Diagnostics: data, each with a documented code, and one line of text.
export { Codes, type CodeName, type DiagnosticCode } from './diagnostics/codes.js';
export { hasErrors, type Diagnostic, type Severity, type SourcePosition, type SourceSpan } from './diagnostics/diagnostic.js';
export { formatDiagnostic, type FormatOptions } from './diagnostics/format-diagnostic.js';
export { closestMatch, didYouMean } from './diagnostics/suggest.js';

// The limits a workflow file is held to (ORK103, ORK104).
export { MAX_ALIAS_EXPANSION, MAX_ALIAS_EXPANSION_CHARACTERS, MAX_NESTING_DEPTH } from './parse/index.js';

// AWS's limits (every use imports them from here), and the model's defaults that lib/ applies too.
export * from './model/aws-limits.js';
export { DEFAULT_HEARTBEAT_SECONDS, ON_FAILURE_TASK, type ScheduleSpec } from './model/workflow-spec.js';

// Required params and a scheduled start's input: what ork run, ork start, ork backfill and the deployed schedule share.
export { missingRequiredParams, missingScheduleParams, requiredParams } from './model/required-params.js';
export { scheduleInput } from './model/schedule-input.js';
export { INLINE_FAN_OUT_LIMIT } from './model/fan-out-kinds.js';
export { taskConstructIds, taskDescription } from './model/construct-ids.js';

// Triggers and the scheduled time: one definition for the deployed rule and schedule, ork run and ork backfill.
export type { EventPattern, InputTransformer, JsonValue, TriggerRule, TriggerSource, TriggerSpec } from './model/trigger.js';
export { formatScheduledTime, SCHEDULED_TIME_PARAM } from './model/scheduled-time.js';
export {
  parseScheduleExpression,
  type AtReading,
  type RateUnit,
  type ScheduleExpression,
  type ScheduleExpressionParse,
  type ScheduleExpressionProblem,
} from './model/schedule-expression.js';
export { CRON_FIRST_YEAR, CRON_LAST_YEAR, type CronDaysOfMonth, type CronDaysOfWeek, type CronExpression } from './model/cron-expression.js';
export { escapeWildcard, triggerRules } from './emit/trigger-rules.js';

// Secrets: what a `secrets:` entry names, for the deploy's grants and the secrets ork run hands a task.
export { secretReference, type SecretArn, type SecretReference, type SecretService } from './model/secret-ref.js';

// What the compiler produces: the ASL definition, its placeholders, and the task manifest with its fan-outs.
export type * from './emit/asl-types.js';
export { definitionText } from './emit/definition-text.js';
export { Placeholders, ref } from './emit/placeholders.js';
export { StatePaths } from './emit/payload.js';
export type { TaskManifest, TaskManifestEntry } from './emit/task-manifest.js';
export * from './emit/fan-out-map.js';
export * from './emit/walk-states.js';
export { skipStateReader } from './emit/skip-guard.js';
export { readParamsDefaults } from './emit/params-defaults.js';

// The schedule, and its pictures (ork graph, ork explain).
export type { TaskGraph } from './graph/task-graph.js';
export type { Plan, PlanNode } from './plan/schedule-plan.js';
export { fanOutLabel } from './render/graph-labels.js';
export { renderDot } from './render/render-dot.js';
export { renderMermaid } from './render/render-mermaid.js';

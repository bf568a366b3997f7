import type { Severity } from './diagnostic.js';

export interface DiagnosticCode {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
}

/**
 * Every diagnostic Ork can report. Codes are stable: tests, editors and users' scripts key on them, so a
 * code is never reused for another meaning. 1xx: reading the file; 2xx: the schema and task settings;
 * 3xx: the task graph; 4xx: the compiled state machine.
 */
export const Codes = {
  invalidUtf8: { code: 'ORK101', severity: 'error', title: 'file is not valid UTF-8' },
  emptyFile: { code: 'ORK102', severity: 'error', title: 'workflow file is empty' },
  yamlSyntax: { code: 'ORK103', severity: 'error', title: 'YAML syntax error, an alias with no anchor, or nesting deeper than 100 levels' },
  aliasLimit: { code: 'ORK104', severity: 'error', title: 'YAML aliases that expand too far or refer to themselves' },
  duplicateKey: { code: 'ORK105', severity: 'error', title: 'duplicate key' },
  notAMapping: { code: 'ORK106', severity: 'error', title: 'workflow is not a mapping' },
  multipleDocuments: { code: 'ORK107', severity: 'error', title: 'more than one YAML document' },

  invalidValue: { code: 'ORK200', severity: 'error', title: 'invalid value' },
  unknownKey: { code: 'ORK201', severity: 'error', title: 'unknown key' },
  missingKey: { code: 'ORK202', severity: 'error', title: 'required key missing' },
  noTasks: { code: 'ORK203', severity: 'error', title: 'workflow has no tasks' },
  invalidTaskName: { code: 'ORK204', severity: 'error', title: 'invalid task name' },
  duplicateTask: { code: 'ORK205', severity: 'error', title: 'duplicate task name' },
  invalidCount: { code: 'ORK206', severity: 'error', title: 'count must be a positive integer' },
  referenceNeedsField: { code: 'ORK207', severity: 'error', title: 'fan-out reference needs a field' },
  unknownExecutor: { code: 'ORK208', severity: 'error', title: 'unknown executor' },
  invalidDuration: { code: 'ORK209', severity: 'error', title: 'invalid duration' },
  lambdaTimeout: { code: 'ORK210', severity: 'error', title: 'timeout exceeds Lambda maximum' },
  taskFileMissing: { code: 'ORK211', severity: 'error', title: 'task file not found' },
  taskFileOutside: { code: 'ORK212', severity: 'error', title: 'task file outside workflow directory' },
  containerOnly: { code: 'ORK213', severity: 'error', title: 'option only valid for container tasks' },
  invalidResources: { code: 'ORK214', severity: 'error', title: 'invalid memory or cpu' },
  invalidSchedule: { code: 'ORK215', severity: 'error', title: 'invalid schedule expression' },
  invalidTimezone: { code: 'ORK216', severity: 'error', title: 'unknown time zone' },
  fanOutTooLarge: { code: 'ORK217', severity: 'error', title: 'static fan-out above the supported maximum' },
  concurrencyWithoutFanOut: { code: 'ORK218', severity: 'warning', title: 'concurrency on a task that does not fan out' },
  reservedEnv: { code: 'ORK219', severity: 'error', title: 'reserved environment variable' },
  invalidWorkflowName: { code: 'ORK220', severity: 'error', title: 'invalid workflow name' },
  taskFileExtension: { code: 'ORK221', severity: 'warning', title: 'task file extension does not match executor' },
  invalidParams: { code: 'ORK222', severity: 'error', title: 'invalid workflow params' },
  fanOutOptionWithoutFanOut: { code: 'ORK223', severity: 'warning', title: 'fan-out option on a task that does not fan out' },
  conflictingFanOutOptions: { code: 'ORK224', severity: 'error', title: 'fan-out options that cannot work together' },
  inlineConcurrency: { code: 'ORK225', severity: 'warning', title: 'inline fan-out concurrency above what AWS runs at once' },
  sharedFanOutSource: { code: 'ORK226', severity: 'error', title: 'foreach source shared by inline and distributed fan-outs' },
  constructIdCollision: { code: 'ORK227', severity: 'error', title: 'task names that deploy as the same construct id' },
  invalidFlexibleWindow: { code: 'ORK228', severity: 'error', title: 'schedule flexible window not a whole number of minutes from 1 to 1,440' },
  taskNameTooLong: { code: 'ORK229', severity: 'error', title: 'task name too long for its Lambda function description' },
  conditionSyntax: { code: 'ORK230', severity: 'error', title: '`when:` condition that does not parse' },
  conditionUnknownWord: { code: 'ORK231', severity: 'error', title: 'unknown word in a `when:` condition' },
  conditionNeedsComparison: { code: 'ORK232', severity: 'error', title: 'value without a comparison in a `when:` condition' },
  conditionOrdering: { code: 'ORK233', severity: 'error', title: '`<`, `<=`, `>` or `>=` with a value that is neither a number nor a string' },
  invalidTrigger: { code: 'ORK240', severity: 'error', title: 'trigger that is not exactly one of `s3:` and `event:`, or `bus:` without `event:`' },
  invalidEventPattern: { code: 'ORK241', severity: 'error', title: 'invalid EventBridge event pattern' },
  invalidTriggerParam: { code: 'ORK242', severity: 'error', title: 'trigger param that is not a JSONPath EventBridge accepts' },
  requiredParamNotMapped: { code: 'ORK243', severity: 'error', title: 'required param that a trigger does not map' },
  requiredParamNotScheduled: { code: 'ORK244', severity: 'error', title: "required param missing from the schedule's input" },
  invalidS3Trigger: { code: 'ORK245', severity: 'error', title: 'invalid S3 bucket name, or an empty prefix or suffix' },
  invalidEventBus: { code: 'ORK246', severity: 'error', title: 'event bus that is neither a name nor an ARN' },
  tooManyTriggerParams: { code: 'ORK247', severity: 'error', title: 'trigger params above what an EventBridge InputTransformer holds' },
  eventPatternAboveQuota: { code: 'ORK248', severity: 'warning', title: "event pattern above EventBridge's default 2,048-character quota" },
  invalidSecretName: { code: 'ORK250', severity: 'error', title: 'secret name that Secrets Manager or SSM Parameter Store would refuse' },
  duplicateSecret: { code: 'ORK251', severity: 'warning', title: 'secret listed twice' },
  credentialInEnv: { code: 'ORK252', severity: 'warning', title: '`env:` value that looks like a credential' },

  unknownTask: { code: 'ORK301', severity: 'error', title: 'reference to an unknown task' },
  selfReference: { code: 'ORK302', severity: 'error', title: 'task depends on itself' },
  cycle: { code: 'ORK303', severity: 'error', title: 'dependency cycle' },
  fanOutSourceFansOut: { code: 'ORK304', severity: 'error', title: 'fan-out source is itself fanned out' },
  duplicateDependency: { code: 'ORK305', severity: 'warning', title: 'dependency listed twice' },
  alwaysOnFanOutSource: { code: 'ORK306', severity: 'error', title: 'a fan-out source cannot be `if: always`' },
  conditionUnknownTask: { code: 'ORK310', severity: 'error', title: '`when:` reads an unknown task' },
  conditionSelfReference: { code: 'ORK311', severity: 'error', title: "`when:` reads the task's own output" },
  conditionNotUpstream: { code: 'ORK312', severity: 'error', title: '`when:` reads a task that does not run before it' },
  conditionReadsFanOut: { code: 'ORK313', severity: 'error', title: '`when:` reads a task that fans out' },
  conditionReadsStoredList: { code: 'ORK314', severity: 'error', title: '`when:` reads a list that a distributed fan-out may have stored' },
  conditionUnknownField: { code: 'ORK315', severity: 'error', title: "`when:` reads a field that the task's output model does not have" },

  definitionTooLarge: { code: 'ORK401', severity: 'error', title: 'compiled definition above the 1 MiB Step Functions accepts' },
} as const satisfies Record<string, DiagnosticCode>;

export type CodeName = keyof typeof Codes;

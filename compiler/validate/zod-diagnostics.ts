import type { z } from 'zod';
import { Codes, didYouMean, makeDiagnostic, type Diagnostic, type DiagnosticCode } from '../diagnostics/index.js';
import type { PathSegment, SourceMap } from '../parse/index.js';
import {
  DEFAULTS_KEYS,
  EXECUTORS,
  NOT_FOR_FAILURE_HANDLER,
  ON_FAILURE_KEYS,
  S3_TRIGGER_KEYS,
  SCHEDULE_KEYS,
  TASK_KEYS,
  TRIGGER_KEYS,
  WORKFLOW_KEYS,
} from './workflow-schema.js';

interface FieldRule {
  readonly code: DiagnosticCode;
  readonly expects: string;
}

const DURATION: FieldRule = { code: Codes.invalidDuration, expects: 'a duration such as 30s, 15m, 2h, 1h30m or a whole number of seconds' };

/** What each field expects, worded for people; zod's own messages speak of types. */
const FIELDS: Readonly<Record<string, FieldRule>> = {
  parallel: { code: Codes.invalidCount, expects: "a positive integer or a reference such as 'discover.count'" },
  concurrency: { code: Codes.invalidCount, expects: 'a positive integer' },
  retries: { code: Codes.invalidCount, expects: 'a whole number, 0 or more' },
  foreach: { code: Codes.referenceNeedsField, expects: "a reference to a list field such as 'discover.files'" },
  executor: { code: Codes.unknownExecutor, expects: `one of ${EXECUTORS.join(', ')}` },
  timeout: DURATION,
  retry_delay: DURATION,
  max_retry_delay: DURATION,
  heartbeat: DURATION,
  flexible_window: DURATION,
  memory: { code: Codes.invalidResources, expects: 'a size in MB (1024) or with a unit (512MB, 2GB)' },
  cpu: { code: Codes.invalidResources, expects: 'a number of vCPUs (0.25, 0.5, 1, 2, 4, 8 or 16)' },
  backoff: { code: Codes.invalidValue, expects: 'a number, 1 or more' },
  jitter: { code: Codes.invalidValue, expects: 'true or false' },
  enabled: { code: Codes.invalidValue, expects: 'true or false' },
  depends_on: { code: Codes.invalidValue, expects: 'a task name, or a list of task names and `{task: name, if: always}` entries' },
  env: { code: Codes.invalidValue, expects: 'a mapping of variable names to strings, numbers or booleans' },
  params: { code: Codes.invalidParams, expects: 'a mapping of parameter names to values' },
  input: { code: Codes.invalidParams, expects: 'a mapping of parameter names to values' },
  defaults: { code: Codes.invalidValue, expects: 'a mapping of task settings' },
  schedule: { code: Codes.invalidSchedule, expects: "an expression such as 'cron(0 6 * * ? *)' or 'rate(1 hour)', or a mapping with `expression:`" },
  tasks: { code: Codes.noTasks, expects: 'a mapping of task names to tasks' },
  file: { code: Codes.invalidValue, expects: 'a path relative to the workflow directory, such as tasks/process.py' },
  dockerfile: { code: Codes.invalidValue, expects: 'a path to a Dockerfile, relative to the workflow directory' },
  image: { code: Codes.invalidValue, expects: 'a container image, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl:1' },
  description: { code: Codes.invalidValue, expects: 'text' },
  name: { code: Codes.invalidWorkflowName, expects: 'a name of letters, digits, - or _' },
  expression: { code: Codes.invalidSchedule, expects: "an expression such as 'cron(0 6 * * ? *)' or 'rate(1 hour)'" },
  timezone: { code: Codes.invalidTimezone, expects: "an IANA time zone such as 'Europe/Paris'" },
  triggers: { code: Codes.invalidTrigger, expects: 'a list of triggers, each `- s3: {bucket: name}` or `- event: {pattern}`' },
};

/** The fields of a `triggers:` entry and of its `s3:`. */
const TRIGGER_FIELDS: Readonly<Record<string, FieldRule>> = {
  s3: { code: Codes.invalidS3Trigger, expects: 'a mapping with `bucket:`, and optionally `prefix:` and `suffix:`' },
  bucket: { code: Codes.invalidS3Trigger, expects: 'a bucket name or a list of bucket names' },
  prefix: { code: Codes.invalidS3Trigger, expects: 'the start of an object key, such as incoming/' },
  suffix: { code: Codes.invalidS3Trigger, expects: 'the end of an object key, such as .csv' },
  event: { code: Codes.invalidEventPattern, expects: 'an EventBridge event pattern: a mapping such as {source: [shop.orders]}' },
  bus: { code: Codes.invalidEventBus, expects: 'an event bus name or ARN' },
  params: { code: Codes.invalidTriggerParam, expects: "a mapping of param names to JSONPaths, such as key: '$.detail.object.key'" },
};

/** What a nested value of a field expects, where the field says more than zod's type word. */
const TRIGGER_NESTED_EXPECTS: Readonly<Record<string, string>> = {
  params: "a JSONPath into the event, such as '$.detail.object.key'",
  bucket: 'a bucket name',
};

interface Context {
  /** "task 'process'", "defaults", "schedule", "trigger 1" or "workflow". */
  readonly owner: string;
  /** The field the issue is about, e.g. `parallel`. */
  readonly field: string | undefined;
  /** Where the field is in the path: what follows it is nested inside it. */
  readonly fieldIndex: number;
  readonly knownKeys: readonly string[];
  /** What each field expects; FIELDS unless the owner has its own. */
  readonly fields: Readonly<Record<string, FieldRule>>;
  readonly nestedExpects?: Readonly<Record<string, string>>;
}

/** `keysOf`: the issue is about the keys of the mapping at `path` (unknown keys), not about its value. */
function contextOf(path: readonly PathSegment[], keysOf = false): Context {
  const [first, second, third] = path;
  const at = (index: number): string | undefined => (path[index] === undefined ? undefined : String(path[index]));
  if (first === 'tasks' && second !== undefined) {
    return { owner: `task '${String(second)}'`, field: at(2), fieldIndex: 2, knownKeys: TASK_KEYS, fields: FIELDS };
  }
  if (first === 'triggers' && typeof second === 'number') {
    const trigger = { nestedExpects: TRIGGER_NESTED_EXPECTS, fields: TRIGGER_FIELDS };
    if (third === 's3' && (path.length > 3 || keysOf))
      return { owner: `the s3: of trigger ${second + 1}`, field: at(3), fieldIndex: 3, knownKeys: S3_TRIGGER_KEYS, ...trigger };
    return { owner: `trigger ${second + 1}`, field: at(2), fieldIndex: 2, knownKeys: TRIGGER_KEYS, ...trigger };
  }
  if (first === 'defaults') return { owner: 'defaults', field: at(1) ?? 'defaults', fieldIndex: 1, knownKeys: DEFAULTS_KEYS, fields: FIELDS };
  if (first === 'on_failure') return { owner: 'on_failure', field: at(1) ?? 'on_failure', fieldIndex: 1, knownKeys: ON_FAILURE_KEYS, fields: FIELDS };
  if (first === 'schedule') return { owner: 'schedule', field: at(1) ?? 'schedule', fieldIndex: 1, knownKeys: SCHEDULE_KEYS, fields: FIELDS };
  return { owner: 'workflow', field: at(0), fieldIndex: 0, knownKeys: WORKFLOW_KEYS, fields: FIELDS };
}

export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  // JSON would print .inf and .nan as null; YAML's own spelling is what the user wrote.
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = Array.isArray(value) ? '[...]' : '{...}';
  }
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** What an issue expected, worded for people, for fields without a FIELDS entry (and nested values). */
function describeExpected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return 'non-empty text';
      if (issue.origin === 'array') return `a list of at least ${String(issue.minimum)}`;
      return `${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_union': {
      // Each branch that failed on the value's type says what it wanted: "text, a number or true or false".
      const wanted = issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0 && i.code === 'invalid_type').map((i) => describeExpected(i)));
      if (wanted.length === 0) return 'a valid value';
      return wanted.length === 1 ? (wanted[0] ?? '') : `${wanted.slice(0, -1).join(', ')} or ${wanted[wanted.length - 1] ?? ''}`;
    }
    default:
      return issue.message
        .replace(/^Invalid input: expected /, '')
        .replace(/, received \w+$/, '')
        .toLowerCase();
  }
}

function isPlainMapping(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A union of text and a mapping (`schedule:`) that got a mapping failed only in its mapping branch: report
 * that branch's issues (unknown keys with "did you mean", missing `expression:`), not "invalid schedule".
 */
function unwrapUnions(issues: readonly z.core.$ZodIssue[], raw: unknown): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && isPlainMapping(valueAt(raw, issue.path.filter(isSegment)))) {
      const matching = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
      const [branch] = matching;
      if (matching.length === 1 && branch) {
        out.push(
          ...unwrapUnions(
            branch.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue),
            raw,
          ),
        );
        continue;
      }
    }
    out.push(issue);
  }
  return out;
}

function isSegment(p: PropertyKey): p is PathSegment {
  return typeof p === 'string' || typeof p === 'number';
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (!Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** Hint for a key that is known elsewhere in the language, so it was put in the wrong place. */
function misplacedHint(key: string, context: Context): string | undefined {
  if (context.owner === 'workflow' && TASK_KEYS.includes(key)) {
    return `'${key}' is a task setting: put it under a task, or under \`defaults:\` for every task`;
  }
  if (context.owner.startsWith('task') && WORKFLOW_KEYS.includes(key)) return `'${key}' is a workflow-level key`;
  if (context.owner === 'defaults' && TASK_KEYS.includes(key)) return `'${key}' cannot be inherited; set it on each task`;
  if (context.owner.startsWith('trigger') && S3_TRIGGER_KEYS.includes(key)) return `'${key}' belongs under \`s3:\`: s3: { ${key}: ... }`;
  if (context.owner === 'on_failure' && (NOT_FOR_FAILURE_HANDLER as readonly string[]).includes(key)) {
    return `the failure handler runs once, on its own, whenever the workflow fails: it takes no '${key}'`;
  }
  return undefined;
}

function hintFor(field: string | undefined, value: unknown): string | undefined {
  const isCount = field === 'parallel' || field === 'concurrency' || field === 'retries';
  if ((field === 'parallel' || field === 'foreach') && typeof value === 'string' && /^[A-Za-z_]\w*$/.test(value)) {
    return `name the field that holds the ${field === 'parallel' ? 'count' : 'list'}: '${value}.${field === 'parallel' ? 'count' : 'items'}'`;
  }
  if (field === 'executor' && typeof value === 'string') {
    const alias: Record<string, string> = {
      lambda: 'python',
      py: 'python',
      python3: 'python',
      docker: 'container',
      ecs: 'container',
      fargate: 'container',
      ts: 'node',
      typescript: 'node',
      js: 'node',
      nodejs: 'node',
    };
    const target = alias[value.toLowerCase()];
    if (target) return `use 'executor: ${target}'`;
    return didYouMean(value, EXECUTORS);
  }
  if (isCount && typeof value === 'string' && /^\d+$/.test(value)) {
    return `write the number without quotes: ${field}: ${value}`;
  }
  if (isCount && typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
    return `use a whole number, such as ${Math.max(field === 'retries' ? 0 : 1, Math.round(value))}`;
  }
  if (field === 'retries' && typeof value === 'number' && value < 0) return 'use 0 for no retries';
  if ((field === 'parallel' || field === 'concurrency') && value === 0) {
    return field === 'parallel' ? 'a task runs at least once: remove `parallel:` for a single instance' : 'remove `concurrency:` for no limit';
  }
  const isZeroDuration =
    (typeof value === 'number' && value <= 0) || (typeof value === 'string' && /^(?:\d+[dhms])+$/.test(value.trim()) && !/[1-9]/.test(value));
  if (isZeroDuration && FIELDS[field ?? '']?.code === Codes.invalidDuration) return 'a duration must be longer than zero';
  return undefined;
}

/** A trigger setting written in the shape of another: `s3: landing` for `s3: { bucket: landing }`. */
function triggerHintFor(field: string | undefined, value: unknown): string | undefined {
  if (field === 's3' && typeof value === 'string') return `name the bucket: s3: { bucket: ${value} }`;
  if (field === 'params' && Array.isArray(value)) return 'map each param to a JSONPath: params: { key: "$.detail.object.key" }';
  return undefined;
}

/** Turns zod issues into diagnostics with YAML positions and people's words. At most one per path. */
export function zodIssuesToDiagnostics(issues: readonly z.core.$ZodIssue[], raw: unknown, sourceMap: SourceMap): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of unwrapUnions(issues, raw)) {
    const path = issue.path.filter(isSegment);
    const context = contextOf(path, issue.code === 'unrecognized_keys');

    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const id = keyPath.join('\u0000');
        if (seen.has(id)) continue;
        seen.add(id);
        const where = context.owner === 'workflow' ? 'at the top level' : `in ${context.owner}`;
        diagnostics.push(
          makeDiagnostic(
            Codes.unknownKey,
            sourceMap.locate(keyPath, 'key'),
            `unknown key '${key}' ${where}`,
            key === '<<'
              ? 'YAML merge keys are not supported: put shared task settings under `defaults:`'
              : (didYouMean(key, context.knownKeys) ??
                  misplacedHint(key, context) ??
                  `known keys: ${context.knownKeys.filter((k) => k !== '$schema').join(', ')}`),
          ),
        );
      }
      continue;
    }

    const id = path.join('\u0000');
    if (seen.has(id)) continue;
    seen.add(id);
    const value = valueAt(raw, path);

    if (value === undefined) {
      if (path.length === 1 && path[0] === 'tasks') {
        diagnostics.push(makeDiagnostic(Codes.noTasks, sourceMap.locate([]), 'workflow has no `tasks:`', 'add a `tasks:` mapping with at least one task'));
      } else {
        const parent = path.slice(0, -1);
        const key = String(path[path.length - 1]);
        diagnostics.push(
          makeDiagnostic(
            Codes.missingKey,
            sourceMap.locate(parent, 'key'),
            `${context.owner} needs \`${key}:\``,
            key === 'file' ? `for example  file: tasks/${String(path[1] ?? 'task')}.py` : undefined,
          ),
        );
      }
      continue;
    }

    if (path.length === 1 && path[0] === 'tasks') {
      diagnostics.push(
        value === null
          ? makeDiagnostic(Codes.noTasks, sourceMap.locate(path, 'key'), '`tasks:` is empty', 'add at least one task, indented under `tasks:`')
          : makeDiagnostic(
              Codes.noTasks,
              sourceMap.locate(path, 'key'),
              `\`tasks:\` must be a mapping of task names to tasks, got ${renderValue(value)}`,
              Array.isArray(value) ? 'write each task as `name:` with its settings indented under it, not as a list item' : undefined,
            ),
      );
      continue;
    }
    if (path.length === 2 && path[0] === 'triggers') {
      diagnostics.push(
        makeDiagnostic(
          Codes.invalidTrigger,
          sourceMap.locate(path),
          `${context.owner} must be a mapping with \`s3:\` or \`event:\`, got ${renderValue(value)}`,
          'for example\n  - s3: { bucket: landing-bucket, prefix: incoming/ }\n    params: { key: $.detail.object.key }',
        ),
      );
      continue;
    }
    if (path.length === 2 && path[0] === 'tasks') {
      diagnostics.push(
        makeDiagnostic(
          Codes.invalidValue,
          sourceMap.locate(path),
          `${context.owner} must be a mapping of settings, got ${renderValue(value)}`,
          'for example\n    file: tasks/process.py',
        ),
      );
      continue;
    }

    const rule = context.field === undefined ? undefined : context.fields[context.field];
    const fieldName = context.field ?? 'value';
    let code = rule?.code ?? Codes.invalidValue;
    // A bare task name in parallel:/foreach: is the common slip of leaving out the field.
    if ((fieldName === 'parallel' || fieldName === 'foreach') && typeof value === 'string' && /^[A-Za-z_]\w*$/.test(value)) {
      code = Codes.referenceNeedsField;
    } else if (fieldName === 'foreach' && typeof value !== 'string') {
      code = Codes.invalidValue;
    }
    const nested = path.slice(context.fieldIndex + 1);
    const subject = nested.length > 0 ? `${fieldName}.${nested.join('.')}` : fieldName;
    const nestedExpects = nested.length === 1 && issue.code === 'invalid_type' ? context.nestedExpects?.[fieldName] : undefined;
    const expects = rule && nested.length === 0 ? rule.expects : (nestedExpects ?? describeExpected(issue));
    // "defaults: defaults must be…" says the owner twice; a whole section is named once.
    const owner = context.owner === subject ? '' : `${context.owner}: `;
    const message =
      code === Codes.referenceNeedsField
        ? `${context.owner}: ${fieldName} must reference a field of a task's output, as 'task.field' (got ${renderValue(value)})`
        : `${owner}${subject} must be ${expects} (got ${renderValue(value)})`;
    const hint = context.fields === FIELDS ? hintFor(context.field, value) : triggerHintFor(context.field, value);
    diagnostics.push(makeDiagnostic(code, sourceMap.locate(path), message, hint));
  }
  return diagnostics;
}

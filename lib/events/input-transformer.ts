import type { InputTransformer, JsonValue } from '../../compiler/index.js';
import { evaluateEventJsonPath, parseEventJsonPath } from './event-json-path.js';

/** The predefined variables' values, which come from the deployed rule and EventBridge rather than the event. */
export interface TransformContext {
  /** `<aws.events.rule-name>` (default `ork-local-rule`). */
  readonly ruleName?: string;
  /** `<aws.events.rule-arn>` (default: an ARN of ruleName in the event's region and account). */
  readonly ruleArn?: string;
  /** `<aws.events.event.ingestion-time>`, ISO 8601 (default: now). */
  readonly ingestionTime?: string;
}

/**
 * What EventBridge does not accept or cannot deliver: `ValidationException` for what PutTargets refuses (an
 * undefined placeholder, a bad variable name), `InvalidExecutionInput` for a transformed input that is not JSON,
 * which Step Functions' StartExecution refuses.
 */
export class InputTransformerError extends Error {
  constructor(
    message: string,
    readonly code: 'ValidationException' | 'InvalidExecutionInput',
  ) {
    super(message);
    this.name = code;
  }
}

export interface TransformResult {
  /** The target's input: the template filled in and parsed. */
  readonly value: JsonValue;
  /** Variables whose path is not in the event: EventBridge fills them with nothing (`""` as a JSON value). */
  readonly missing: readonly { readonly variable: string; readonly path: string }[];
}

/** AWS: InputTransformer, InputPathsMap "Key Pattern: [A-Za-z0-9\_\-]+", at most 100 entries. */
const VARIABLE = /^[A-Za-z0-9_-]{1,256}$/;
const PLACEHOLDER_NAME = /^[A-Za-z0-9_.-]+$/;
const MAX_VARIABLES = 100;
const MAX_TEMPLATE_LENGTH = 8192;

/** The input EventBridge sends a rule's target for an event (applyInputTransformer with what it left empty). */
export function transformEvent(transformer: InputTransformer, event: { readonly [key: string]: JsonValue }, context: TransformContext = {}): TransformResult {
  const entries = Object.entries(transformer.inputPathsMap);
  if (entries.length > MAX_VARIABLES)
    throw new InputTransformerError(`InputPathsMap has ${entries.length} entries; EventBridge allows ${MAX_VARIABLES}`, 'ValidationException');
  if (transformer.inputTemplate.length > MAX_TEMPLATE_LENGTH) {
    throw new InputTransformerError(
      `InputTemplate is ${transformer.inputTemplate.length} characters; EventBridge allows ${MAX_TEMPLATE_LENGTH}`,
      'ValidationException',
    );
  }
  const variables = new Map<string, { readonly path: string; readonly value: JsonValue | undefined }>();
  const missing: { variable: string; path: string }[] = [];
  for (const [variable, path] of entries) {
    if (!VARIABLE.test(variable))
      throw new InputTransformerError(`InputPathsMap key ${JSON.stringify(variable)} is not 1 to 256 of A-Za-z0-9_-`, 'ValidationException');
    const steps = parseEventJsonPath(path);
    if (typeof steps === 'string') throw new InputTransformerError(`InputPathsMap ${variable}: ${steps}`, 'ValidationException');
    const value = evaluateEventJsonPath(steps, event);
    if (value === undefined) missing.push({ variable, path });
    variables.set(variable, { path, value });
  }
  const predefined = predefinedValues(event, context);
  const lookup = (name: string): { readonly value: JsonValue | undefined; readonly jsonOnly: boolean } => {
    const variable = variables.get(name);
    if (variable) return { value: variable.value, jsonOnly: false };
    if (Object.hasOwn(predefined, name)) return { value: predefined[name], jsonOnly: name === 'aws.events.event' || name === 'aws.events.event.json' };
    throw new InputTransformerError(`InputTemplate contains invalid placeholder ${name}.`, 'ValidationException');
  };
  const text = fillTemplate(transformer.inputTemplate, lookup);
  try {
    return { value: JSON.parse(text) as JsonValue, missing };
  } catch {
    throw new InputTransformerError(
      `the input EventBridge builds is not JSON: ${text.length > 120 ? `${text.slice(0, 117)}...` : text} ` +
        '(EventBridge does not escape a value it writes inside quotes)',
      'InvalidExecutionInput',
    );
  }
}

/**
 * The input EventBridge sends a rule's target for an event, with its documented rules (AWS: "Amazon EventBridge
 * input transformation"): a placeholder outside quotes becomes the value's JSON (a string with its quotes, an
 * object as an object); inside quotes its text, unescaped (a string's characters, a number's digits); a path
 * the event does not have gives nothing there, `""` outside quotes (as AWS delivers it); an object or list
 * inside quotes of a JSON template makes the input invalid and the event is not delivered.
 */
export function applyInputTransformer(transformer: InputTransformer, event: { readonly [key: string]: JsonValue }, context: TransformContext = {}): JsonValue {
  return transformEvent(transformer, event, context).value;
}

function fillTemplate(template: string, lookup: (name: string) => { readonly value: JsonValue | undefined; readonly jsonOnly: boolean }): string {
  const jsonTemplate = /^\s*[{[]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] ?? '';
    if (inString && c === '\\') {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      continue;
    }
    const end = c === '<' ? template.indexOf('>', i + 1) : -1;
    const name = end > i ? template.slice(i + 1, end) : '';
    if (!PLACEHOLDER_NAME.test(name)) {
      out += c;
      continue;
    }
    const { value, jsonOnly } = lookup(name);
    i = end;
    if (!inString) {
      out += value === undefined ? '""' : JSON.stringify(value);
      continue;
    }
    if (jsonOnly) throw new InputTransformerError(`<${name}> can only be the value of a JSON field, not part of a string`, 'ValidationException');
    if (value === undefined) continue;
    if (typeof value === 'string') out += value;
    else if (value === null || typeof value !== 'object') out += JSON.stringify(value);
    else if (jsonTemplate) {
      throw new InputTransformerError(
        `<${name}> is ${Array.isArray(value) ? 'a list' : 'an object'} written inside quotes: EventBridge does not deliver the event (write the placeholder without quotes)`,
        'InvalidExecutionInput',
      );
    }
    // In a template that is a string, EventBridge writes an object or a list as its JSON without the quotes.
    else out += JSON.stringify(value).replace(/"/g, '');
  }
  return out;
}

/**
 * `aws.events.event` is the event without `detail`, with `detail-type` as `detailType` (as AWS delivers it);
 * `aws.events.event.json` the whole event.
 */
function predefinedValues(event: { readonly [key: string]: JsonValue }, context: TransformContext): Readonly<Record<string, JsonValue>> {
  const ruleName = context.ruleName ?? 'ork-local-rule';
  const region = typeof event.region === 'string' ? event.region : 'us-east-1';
  const account = typeof event.account === 'string' ? event.account : '123456789012';
  const envelope: Record<string, JsonValue> = {};
  for (const [key, name] of [
    ['id', 'id'],
    ['account', 'account'],
    ['detail-type', 'detailType'],
    ['time', 'time'],
    ['source', 'source'],
    ['region', 'region'],
    ['resources', 'resources'],
    ['version', 'version'],
  ] as const) {
    const value = event[key];
    if (value !== undefined) envelope[name] = value;
  }
  return {
    'aws.events.rule-name': ruleName,
    'aws.events.rule-arn': context.ruleArn ?? `arn:aws:events:${region}:${account}:rule/${ruleName}`,
    'aws.events.event.ingestion-time': context.ingestionTime ?? `${new Date().toISOString().slice(0, 19)}Z`,
    'aws.events.event': envelope,
    'aws.events.event.json': event,
  };
}

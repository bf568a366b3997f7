import type { EventPattern, InputTransformer, JsonValue, TriggerRule, TriggerSource, TriggerSpec } from '../model/index.js';

/**
 * `triggers:` compiled: the EventBridge rule each entry deploys as, and the mapping `ork run --event` applies.
 * One function makes both, so the deployed rule and the local run cannot read an event differently.
 */
export function triggerRules(triggers: readonly TriggerSpec[]): TriggerRule[] {
  return triggers.map((trigger, i) => {
    const source = trigger.source;
    const common = { index: i + 1, kind: source.kind, eventPattern: eventPatternOf(source), inputTransformer: inputTransformerOf(trigger.params) };
    if (source.kind === 's3') return { ...common, buckets: [...source.buckets] };
    return source.bus === undefined ? common : { ...common, bus: source.bus };
  });
}

/**
 * S3's "Object Created" event as EventBridge delivers it (detail.bucket.name, detail.object.key). Prefix and
 * suffix together are one wildcard: two filters in the key's array would be ORed (EventBridge matches a value
 * against any entry of the array), so `incoming/` or `.csv` instead of both.
 */
function eventPatternOf(source: TriggerSource): EventPattern {
  if (source.kind === 'event') return source.pattern;
  const key = keyFilter(source.prefix, source.suffix);
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: { bucket: { name: [...source.buckets] }, ...(key ? { object: { key: [key] } } : {}) },
  };
}

function keyFilter(prefix: string | undefined, suffix: string | undefined): JsonValue | undefined {
  if (prefix !== undefined && suffix !== undefined) return { wildcard: `${escapeWildcard(prefix)}*${escapeWildcard(suffix)}` };
  if (prefix !== undefined) return { prefix };
  if (suffix !== undefined) return { suffix };
  return undefined;
}

/** In a wildcard filter `*` matches any text and `\` escapes `*` and `\` (EventBridge content filtering, wildcard). */
export function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

/**
 * One InputPathsMap variable per param, and a template that is a JSON object of the params with the placeholders
 * unquoted: EventBridge then writes each value as JSON (a string stays a string, a number a number, an object an
 * object) instead of text inside quotes.
 */
function inputTransformerOf(params: Readonly<Record<string, string>>): InputTransformer {
  const names = Object.keys(params);
  const variables = variableNames(names);
  const inputPathsMap: Record<string, string> = {};
  const entries: string[] = [];
  names.forEach((name, i) => {
    const variable = variables[i] ?? name;
    inputPathsMap[variable] = params[name] ?? '';
    entries.push(`${templateKey(name)}: <${variable}>`);
  });
  return { inputPathsMap, inputTemplate: `{${entries.join(', ')}}` };
}

/**
 * A variable name as InputPathsMap takes it: 1 to 256 of `A-Za-z0-9_-` (events service model), not starting with
 * AWS, which EventBridge keeps for its predefined `aws.events.*` variables. Any case of `aws` is avoided: a
 * renamed variable costs only readability, a refused one the deploy.
 */
const USABLE_VARIABLE = /^(?!aws)[A-Za-z0-9_-]{1,256}$/i;

/**
 * The param's own name when EventBridge takes it as a variable, else `p<position>` (1-based), made unique
 * against the names kept as they are.
 */
function variableNames(names: readonly string[]): string[] {
  const taken = new Set(names.filter((name) => USABLE_VARIABLE.test(name)));
  return names.map((name, i) => {
    if (USABLE_VARIABLE.test(name)) return name;
    let candidate = `p${i + 1}`;
    for (let n = 2; taken.has(candidate); n++) candidate = `p${i + 1}_${n}`;
    taken.add(candidate);
    return candidate;
  });
}

/**
 * The param name as a JSON string, with `<` and `>` escaped: EventBridge replaces `<variable>` anywhere in the
 * template, inside strings too, so a name such as `<key>` must not read as a placeholder.
 */
function templateKey(name: string): string {
  return JSON.stringify(name).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
}

import type { JsonValue, TriggerRule } from '../../compiler/index.js';
import { eventBusName, type EventObject } from './event-input.js';
import { compileEventPattern, EventPatternError } from './event-pattern.js';
import { InputTransformerError, transformEvent, type TransformContext } from './input-transformer.js';
import { matchEventPattern } from './match-event-pattern.js';

/** A trigger the event does not start, and why (the first field that did not match). */
export interface TriggerMiss {
  readonly rule: TriggerRule;
  /** The pattern's field that failed (`detail.object.key`), or `bus`. */
  readonly path: string;
  /** `is "raw/a.txt"; the pattern wants suffix ".csv"` */
  readonly reason: string;
  /** How many of the pattern's conditions the event meets, of `total`: how close it came. */
  readonly satisfied: number;
  readonly total: number;
}

export interface TriggerMatching {
  /** The triggers whose rule matches: on AWS each starts its own execution. */
  readonly matched: readonly TriggerRule[];
  readonly missed: readonly TriggerMiss[];
}

/**
 * The triggers an event starts, as EventBridge would route it: every rule whose pattern matches (and, when the
 * event was put on a named bus, that listens on that bus). A pattern EventBridge would refuse throws
 * EventPatternError.
 */
export function matchTriggers(rules: readonly TriggerRule[], event: EventObject, options: { readonly bus?: string } = {}): TriggerMatching {
  const matched: TriggerRule[] = [];
  const missed: TriggerMiss[] = [];
  for (const rule of rules) {
    let compiled;
    try {
      compiled = compileEventPattern(rule.eventPattern);
    } catch (error) {
      if (error instanceof EventPatternError) throw new EventPatternError(`trigger ${rule.index}: ${error.message}`, '');
      throw error;
    }
    const result = matchEventPattern(compiled, event);
    // The bus counts as one more condition: a rule whose pattern matches an event put on another bus came closest.
    const onOtherBus = options.bus !== undefined && eventBusName(options.bus) !== eventBusName(rule.bus);
    if (!result.matched) {
      missed.push({ rule, path: result.path, reason: result.reason, satisfied: result.satisfied + (onOtherBus ? 0 : 1), total: result.total + 1 });
    } else if (onOtherBus) {
      const reason = `is ${JSON.stringify(eventBusName(options.bus))}; the trigger listens on ${JSON.stringify(eventBusName(rule.bus))}`;
      const total = compiled.branches.reduce((most, branch) => Math.max(most, branch.length), 0) + 1;
      missed.push({ rule, path: 'bus', reason, satisfied: total - 1, total });
    } else {
      matched.push(rule);
    }
  }
  return { matched, missed };
}

/** The miss that came closest (most of its conditions met, proportionally; the first on a tie). */
export function closestMiss(missed: readonly TriggerMiss[]): TriggerMiss | undefined {
  let best: TriggerMiss | undefined;
  for (const miss of missed) {
    if (!best || miss.satisfied / Math.max(miss.total, 1) > best.satisfied / Math.max(best.total, 1)) best = miss;
  }
  return best;
}

export interface TriggerInput {
  /** The execution input: the params the trigger maps (the state machine merges them over `params:` defaults). */
  readonly input: { readonly [key: string]: JsonValue };
  /** Variables whose path the event lacks, and the path: EventBridge passes them as `""`. */
  readonly missing: readonly { readonly variable: string; readonly path: string }[];
}

/** The execution input a trigger's rule gives StartExecution for the event: its InputTransformer applied. */
export function triggerInput(rule: TriggerRule, event: EventObject, context: TransformContext = {}): TriggerInput {
  const { value, missing } = transformEvent(rule.inputTransformer, event, context);
  if (!isObject(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new InputTransformerError(`trigger ${rule.index} gives the execution ${kind}, not a JSON object of params`, 'InvalidExecutionInput');
  }
  return { input: value, missing };
}

function isObject(value: JsonValue): value is { readonly [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

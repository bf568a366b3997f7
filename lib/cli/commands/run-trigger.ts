import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue, TaskManifest, TriggerRule } from '../../../compiler/index.js';
import {
  closestMiss,
  EventInputError,
  EventPatternError,
  InputTransformerError,
  matchTriggers,
  receivedEvent,
  triggerInput,
  type TriggerMiss,
} from '../../events/index.js';
import { UsageError } from '../cli-error.js';
import type { Io } from '../terminal.js';

/**
 * `ork run --event`: the execution input the workflow's deployed triggers would start it with for this event,
 * matched and mapped as EventBridge does (lib/events). What does not start exactly one execution is a usage
 * error in one line: no trigger matching (the closest and its first failing field), or several (AWS would start
 * one execution for each: `--trigger N` chooses).
 */
export function triggeredInput(eventArgument: string, triggerArgument: string | undefined, manifest: TaskManifest, io: Io): Record<string, JsonValue> {
  const rules = manifest.triggers ?? [];
  if (rules.length === 0) {
    throw new UsageError(
      `--event: workflow ${manifest.workflow} has no triggers`,
      'add one under triggers: (docs/starting-workflows.md), or pass the params with --input',
    );
  }
  const chosen = triggerArgument === undefined ? undefined : triggerNumber(triggerArgument, rules.length);
  try {
    const { event, bus } = receivedEvent(readEvent(eventArgument, io.cwd), {
      region: io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    });
    const { matched, missed } = matchTriggers(rules, event, bus === undefined ? {} : { bus });
    let rule: TriggerRule;
    if (chosen !== undefined) {
      const found = matched.find((r) => r.index === chosen);
      if (!found) throw new UsageError(`${triggerName(rules[chosen - 1])} does not match the event: ${missLine(missed.find((m) => m.rule.index === chosen))}`);
      rule = found;
    } else if (matched.length === 0) {
      const closest = closestMiss(missed);
      const lead =
        rules.length === 1
          ? `${triggerName(closest?.rule)} does not match the event`
          : `no trigger matches the event; ${triggerName(closest?.rule)} came closest`;
      throw new UsageError(`${lead}: ${missLine(closest)}`);
    } else if (matched.length > 1) {
      throw new UsageError(
        `the event matches triggers ${listed(matched.map((r) => String(r.index)))}: AWS would start one execution for each`,
        `run one of them with --trigger N (${matched.map((r) => `--trigger ${r.index}`).join(' or ')})`,
      );
    } else {
      rule = matched[0] as TriggerRule;
    }
    const { input, missing } = triggerInput(rule, event);
    io.stderr.write(`ork: ${triggerName(rule)} matched the event; params ${JSON.stringify(input)}\n`);
    for (const { variable, path: jsonPath } of missing) {
      io.stderr.write(`ork: warning: ${triggerName(rule)}: the event has no ${jsonPath} (${variable}): EventBridge passes "" for it\n`);
    }
    return input as Record<string, JsonValue>;
  } catch (error) {
    if (error instanceof EventInputError || error instanceof EventPatternError) throw new UsageError(`--event: ${error.message}`);
    if (error instanceof InputTransformerError) throw new UsageError(`--event: ${error.name}: ${error.message}`);
    throw error;
  }
}

/** `--event '{…}'` or `--event @event.json`. */
function readEvent(value: string, cwd: string): JsonValue {
  let text = value;
  let source = '--event';
  if (value.startsWith('@')) {
    source = value.slice(1);
    try {
      text = readFileSync(path.resolve(cwd, source), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read event file ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(
      `${source} is not valid JSON: ${(error as Error).message}`,
      'give the event as EventBridge delivers it (source, detail-type, detail) or a PutEvents entry (Source, DetailType, Detail)',
    );
  }
}

function triggerNumber(value: string, count: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > count) {
    throw new UsageError(`--trigger must be a trigger's number, 1 to ${count} in the order of triggers:, not '${value}'`);
  }
  return n;
}

function triggerName(rule: TriggerRule | undefined): string {
  if (!rule) return 'the trigger';
  if (rule.kind === 's3') return `trigger ${rule.index} (s3: ${(rule.buckets ?? []).join(', ')})`;
  return `trigger ${rule.index} (event${rule.bus === undefined ? '' : ` on bus ${rule.bus}`})`;
}

function missLine(miss: TriggerMiss | undefined): string {
  return miss ? `${miss.path} ${miss.reason}` : 'no reason recorded';
}

function listed(items: readonly string[]): string {
  return items.length <= 2 ? items.join(' and ') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../../compiler/index.js';

/** An event as EventBridge delivers it to a rule: `source`, `detail-type`, `detail`, … */
export type EventObject = { readonly [key: string]: JsonValue };

/** What `ork run --event` was given, read as the event a rule would see. */
export interface ReceivedEvent {
  readonly event: EventObject;
  /** The bus a PutEvents entry names (`EventBusName`, a name or an ARN); absent for a delivered event. */
  readonly bus?: string;
}

/** Where PutEvents puts an entry that names no bus. */
export const DEFAULT_EVENT_BUS = 'default';

/** A problem with the event given: one line for the user. */
export class EventInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventInputError';
  }
}

export interface EntryDefaults {
  /** `account` of an event made from a PutEvents entry. @default '123456789012' */
  readonly account?: string;
  /** `region` of an event made from a PutEvents entry. @default 'us-east-1' */
  readonly region?: string;
  /** `time` when the entry has no `Time`. @default now */
  readonly now?: Date;
}

/**
 * The event a rule sees, from either form a user has at hand: the event as delivered (`source`, `detail-type`,
 * `detail`: what a rule's target or the console's sample events show), or a PutEvents entry (`Source`,
 * `DetailType`, `Detail` as a JSON string, `Resources`, `Time`, `EventBusName`), which EventBridge turns into
 * that form (AWS: "Amazon EventBridge events", the envelope's fields) before matching.
 */
export function receivedEvent(value: JsonValue, defaults: EntryDefaults = {}): ReceivedEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EventInputError(`the event must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
  }
  const object = value as EventObject;
  const entryKeys = ['Source', 'DetailType', 'Detail'];
  if (!entryKeys.some((k) => Object.hasOwn(object, k))) return { event: object };
  return fromEntry(object, defaults);
}

function fromEntry(entry: EventObject, defaults: EntryDefaults): ReceivedEvent {
  const text = (key: string): string => {
    const v = entry[key];
    if (typeof v !== 'string' || v === '') throw new EventInputError(`the PutEvents entry's ${key} must be a non-empty string`);
    return v;
  };
  const source = text('Source');
  const detailType = text('DetailType');
  let detail: JsonValue;
  try {
    detail = JSON.parse(text('Detail')) as JsonValue;
  } catch (error) {
    throw new EventInputError(`the PutEvents entry's Detail is not valid JSON: ${(error as Error).message}`);
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) throw new EventInputError("the PutEvents entry's Detail must be a JSON object");
  const resources = entry.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
    throw new EventInputError("the PutEvents entry's Resources must be a list of ARNs");
  const event: EventObject = {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: defaults.account ?? '123456789012',
    time: eventTime(entry.Time, defaults.now ?? new Date()),
    region: defaults.region ?? 'us-east-1',
    resources,
    detail,
  };
  const bus = entry.EventBusName;
  if (bus !== undefined && (typeof bus !== 'string' || bus === '')) throw new EventInputError("the PutEvents entry's EventBusName must be a bus name or ARN");
  return bus === undefined ? { event } : { event, bus };
}

/** An entry's `Time` (ISO 8601 or epoch seconds, as the SDKs send it) in the event's form, to the second. */
function eventTime(time: JsonValue | undefined, now: Date): string {
  const date = time === undefined ? now : typeof time === 'number' ? new Date(time * 1000) : typeof time === 'string' ? new Date(time) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new EventInputError(`the PutEvents entry's Time ${JSON.stringify(time)} is not a date`);
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** A bus name or ARN as the name EventBridge knows it by (`arn:aws:events:…:event-bus/orders` → `orders`). */
export function eventBusName(bus: string | undefined): string {
  if (bus === undefined) return DEFAULT_EVENT_BUS;
  const marker = ':event-bus/';
  const at = bus.indexOf(marker);
  return bus.startsWith('arn:') && at >= 0 ? bus.slice(at + marker.length) : bus;
}

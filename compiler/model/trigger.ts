import type { SourceSpan } from '../diagnostics/index.js';

/** A JSON value as an EventBridge pattern or event holds it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** An EventBridge event pattern: nested objects whose leaves are arrays of values or filter objects. */
export type EventPattern = { readonly [key: string]: JsonValue };

/** Where a trigger listens, as written under `triggers:`. */
export type TriggerSource =
  | {
      readonly kind: 's3';
      /** `bucket:` (one name or a list): S3 "Object Created" events of these buckets. */
      readonly buckets: readonly string[];
      readonly prefix?: string;
      readonly suffix?: string;
    }
  | {
      readonly kind: 'event';
      /** Any EventBridge pattern, as written. */
      readonly pattern: EventPattern;
      /** An event bus name or ARN; absent means the account's default bus. */
      readonly bus?: string;
    };

/** One entry of `triggers:`, validated. */
export interface TriggerSpec {
  readonly source: TriggerSource;
  /** Param name → EventBridge JSONPath into the event (`$.detail.object.key`). */
  readonly params: Readonly<Record<string, string>>;
  /** The entry in workflow.yaml. */
  readonly span: SourceSpan;
}

/** EventBridge's InputTransformer, as the rule target carries it. */
export interface InputTransformer {
  /** Variable name → JSONPath into the event. */
  readonly inputPathsMap: Readonly<Record<string, string>>;
  /** A JSON object template whose values are `<variable>` placeholders. */
  readonly inputTemplate: string;
}

/**
 * A trigger compiled: the one definition the deployed EventBridge rule and `ork run --event` both read, so the
 * rule AWS runs and the local match and mapping cannot drift apart.
 */
export interface TriggerRule {
  /** 1-based position in `triggers:`: how messages and construct ids name it. */
  readonly index: number;
  readonly kind: TriggerSource['kind'];
  /** Event bus name or ARN; absent means the default bus (S3 always sends there). */
  readonly bus?: string;
  readonly eventPattern: EventPattern;
  /** Maps the event to the execution input: the workflow's params (the state machine merges them over defaults). */
  readonly inputTransformer: InputTransformer;
  /** For `s3:` triggers: the buckets that must send their events to EventBridge. */
  readonly buckets?: readonly string[];
}

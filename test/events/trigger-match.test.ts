import { describe, expect, it } from 'vitest';
import type { TriggerRule } from '../../compiler/index.js';
import { closestMiss, EventInputError, EventPatternError, matchTriggers, receivedEvent, triggerInput } from '../../lib/events/index.js';
import { s3ObjectCreated } from '../support/s3-object-created.js';

/**
 * Which triggers an event starts and the execution input each gives (lib/events/trigger-match.ts), on rules
 * in the compiled form (compiler/emit/trigger-rules.ts): an s3 trigger's "Object Created" pattern with its
 * prefix/suffix wildcard, an event trigger's pattern as written, and the InputTransformer with unquoted
 * placeholders.
 */

/** AWS's documented S3 "Object Created" event (test/fixtures/events/). */
const S3_OBJECT_CREATED = s3ObjectCreated();

const withKey = (key: string, bucket?: string) => s3ObjectCreated({ key, bucket });

const S3_PARAMS = { inputPathsMap: { key: '$.detail.object.key', bucket: '$.detail.bucket.name' }, inputTemplate: '{"key": <key>, "bucket": <bucket>}' };

function s3Rule(index: number, key?: Record<string, string>, buckets = ['amzn-s3-demo-bucket1']): TriggerRule {
  return {
    index,
    kind: 's3',
    buckets,
    eventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: buckets }, ...(key ? { object: { key: [key] } } : {}) } },
    inputTransformer: S3_PARAMS,
  };
}

const ORDERS: TriggerRule = {
  index: 2,
  kind: 'event',
  bus: 'orders',
  eventPattern: { source: ['shop.orders'], 'detail-type': ['OrderPlaced'] },
  inputTransformer: { inputPathsMap: { order_id: '$.detail.orderId' }, inputTemplate: '{"order_id": <order_id>}' },
};

describe('matchTriggers', () => {
  it("AWS's example event starts the s3 trigger of its bucket, with bucket and key as params", () => {
    const rule = s3Rule(1);
    const { matched } = matchTriggers([rule, ORDERS], S3_OBJECT_CREATED);
    expect(matched).toEqual([rule]);
    expect(triggerInput(rule, S3_OBJECT_CREATED)).toEqual({ input: { key: 'example-key', bucket: 'amzn-s3-demo-bucket1' }, missing: [] });
  });

  it('prefix, suffix, and both as one wildcard: a key must have the prefix AND the suffix', () => {
    const both = s3Rule(1, { wildcard: 'incoming/*.csv' });
    expect(matchTriggers([both], withKey('incoming/2021/a.csv')).matched).toHaveLength(1);
    expect(matchTriggers([both], withKey('incoming/a.json')).matched).toHaveLength(0);
    expect(matchTriggers([both], withKey('raw/a.csv')).matched).toHaveLength(0);
    expect(matchTriggers([s3Rule(1, { prefix: 'incoming/' })], withKey('incoming/a.json')).matched).toHaveLength(1);
    expect(matchTriggers([s3Rule(1, { suffix: '.csv' })], withKey('raw/a.csv')).matched).toHaveLength(1);
  });

  it('escaped * and \\ in a prefix are literal', () => {
    const rule = s3Rule(1, { wildcard: 'in\\*coming\\\\/*.csv' });
    expect(matchTriggers([rule], withKey('in*coming\\/a.csv')).matched).toHaveLength(1);
    expect(matchTriggers([rule], withKey('inXXcoming\\/a.csv')).matched).toHaveLength(0);
  });

  it('a bucket list is "any of"', () => {
    const rule = s3Rule(1, undefined, ['landing', 'amzn-s3-demo-bucket1']);
    expect(matchTriggers([rule], S3_OBJECT_CREATED).matched).toEqual([rule]);
    expect(matchTriggers([rule], withKey('k', 'other')).matched).toEqual([]);
  });

  it('no match: each miss names the first field that failed; the closest is the one that met the most', () => {
    const { matched, missed } = matchTriggers([ORDERS, s3Rule(3, { suffix: '.csv' })], S3_OBJECT_CREATED);
    expect(matched).toEqual([]);
    expect(missed.map((m) => [m.rule.index, m.path])).toEqual([
      [2, 'source'],
      [3, 'detail.object.key'],
    ]);
    expect(closestMiss(missed)).toMatchObject({ path: 'detail.object.key', reason: 'is "example-key"; the pattern wants suffix ".csv"' });
  });

  it('several triggers may match one event', () => {
    const { matched } = matchTriggers([s3Rule(1), s3Rule(2, { prefix: 'ex' })], S3_OBJECT_CREATED);
    expect(matched.map((r) => r.index)).toEqual([1, 2]);
  });

  it('an event put on a bus reaches only the triggers on that bus (name or ARN)', () => {
    const order = receivedEvent({
      Source: 'shop.orders',
      DetailType: 'OrderPlaced',
      Detail: '{"orderId": "o-7"}',
      EventBusName: 'arn:aws:events:us-east-1:1:event-bus/orders',
    });
    expect(matchTriggers([ORDERS], order.event, { bus: order.bus }).matched).toEqual([ORDERS]);
    const onDefault = matchTriggers([ORDERS], order.event, { bus: 'default' });
    expect(onDefault.missed[0]).toMatchObject({ path: 'bus', reason: 'is "default"; the trigger listens on "orders"' });
    expect(triggerInput(ORDERS, order.event).input).toEqual({ order_id: 'o-7' });
  });

  it('a trigger whose pattern matches an event put on another bus is the closest miss', () => {
    const order = receivedEvent({ Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{}', EventBusName: 'default' });
    const { matched, missed } = matchTriggers([s3Rule(1), ORDERS], order.event, { bus: order.bus });
    expect(matched).toEqual([]);
    expect(closestMiss(missed)).toMatchObject({ rule: ORDERS, path: 'bus' });
  });

  it('a trigger param whose path the event lacks is "" and listed as missing', () => {
    const { input, missing } = triggerInput(ORDERS, { source: 'shop.orders', 'detail-type': 'OrderPlaced', detail: {} });
    expect(input).toEqual({ order_id: '' });
    expect(missing).toEqual([{ variable: 'order_id', path: '$.detail.orderId' }]);
  });

  it('an invalid pattern is an error naming the trigger, and a template that gives no object is refused', () => {
    const bad: TriggerRule = { ...ORDERS, eventPattern: { source: [] } };
    expect(() => matchTriggers([bad], S3_OBJECT_CREATED)).toThrow(EventPatternError);
    expect(() => matchTriggers([bad], S3_OBJECT_CREATED)).toThrow(/^trigger 2: source: empty arrays/);
    const text: TriggerRule = { ...ORDERS, inputTransformer: { inputPathsMap: {}, inputTemplate: '"hello"' } };
    expect(() => triggerInput(text, S3_OBJECT_CREATED)).toThrow('trigger 2 gives the execution a string, not a JSON object of params');
  });
});

describe('receivedEvent', () => {
  it('keeps an event as delivered', () => {
    expect(receivedEvent(S3_OBJECT_CREATED)).toEqual({ event: S3_OBJECT_CREATED });
  });

  it('turns a PutEvents entry into the event a rule sees', () => {
    const { event, bus } = receivedEvent(
      { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: '{"orderId": "o-1"}', Resources: ['arn:x'], Time: '2026-01-02T03:04:05.678Z' },
      { account: '111122223333', region: 'eu-west-3' },
    );
    expect(bus).toBeUndefined();
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'OrderPlaced',
      source: 'shop.orders',
      account: '111122223333',
      time: '2026-01-02T03:04:05Z',
      region: 'eu-west-3',
      resources: ['arn:x'],
      detail: { orderId: 'o-1' },
    });
    expect(typeof event.id).toBe('string');
  });

  it('refuses an entry whose Detail is not a JSON object, and an event that is not an object', () => {
    expect(() => receivedEvent({ Source: 's', DetailType: 't', Detail: '[1]' })).toThrow(EventInputError);
    expect(() => receivedEvent({ Source: 's', DetailType: 't', Detail: '{' })).toThrow(/Detail is not valid JSON/);
    expect(() => receivedEvent({ Source: 's', Detail: '{}' })).toThrow(/DetailType must be a non-empty string/);
    expect(() => receivedEvent(['x'])).toThrow('the event must be a JSON object, not a list');
  });
});

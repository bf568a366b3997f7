import { describe, expect, it } from 'vitest';
import { triggerRules, type TriggerSource, type TriggerSpec } from '../../compiler/index.js';
import { matchTriggers, triggerInput } from '../../lib/events/index.js';
import { s3ObjectCreated } from '../support/s3-object-created.js';

/**
 * The compiler's TriggerRule (compiler/emit/trigger-rules.ts) read by lib/events as EventBridge reads the
 * deployed rule: the s3 pattern's prefix and suffix, escaped into one wildcard, match the keys they say, and the
 * InputTransformer gives each param under its own name, whatever the name (renamed variables, `<`, dots).
 */

const span = { file: 'workflow.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 2 } };
const trigger = (source: TriggerSource, params: Record<string, string> = {}): TriggerSpec => ({ source, params, span });

describe('compiled s3 triggers under EventBridge matching', () => {
  const cases: readonly { prefix?: string; suffix?: string; key: string; matches: boolean }[] = [
    { key: 'example-key', matches: true },
    { prefix: 'incoming/', key: 'incoming/a.json', matches: true },
    { suffix: '.csv', key: 'raw/a.csv', matches: true },
    { prefix: 'incoming/', suffix: '.csv', key: 'incoming/2021/a.csv', matches: true },
    { prefix: 'incoming/', suffix: '.csv', key: 'incoming/a.json', matches: false },
    { prefix: 'incoming/', suffix: '.csv', key: 'raw/a.csv', matches: false },
    { prefix: 'a*b/', suffix: '.csv', key: 'a*b/x.csv', matches: true },
    { prefix: 'a*b/', suffix: '.csv', key: 'aXXb/x.csv', matches: false },
    { prefix: 'back\\slash/', suffix: '.c*v', key: 'back\\slash/x.c*v', matches: true },
    { prefix: 'back\\slash/', suffix: '.c*v', key: 'back\\slash/x.csv', matches: false },
  ];
  for (const c of cases) {
    const filter =
      [c.prefix === undefined ? '' : `prefix ${c.prefix}`, c.suffix === undefined ? '' : `suffix ${c.suffix}`].filter(Boolean).join(', ') || 'no filter';
    it(`${filter}: ${c.key} ${c.matches ? 'matches' : 'does not match'}`, () => {
      const rules = triggerRules([trigger({ kind: 's3', buckets: ['amzn-s3-demo-bucket1'], ...c })]);
      expect(matchTriggers(rules, s3ObjectCreated({ key: c.key })).matched).toHaveLength(c.matches ? 1 : 0);
    });
  }

  it('each param arrives under its own name and with its type, names EventBridge would not take as variables too', () => {
    const params = {
      key: '$.detail.object.key',
      'aws.bucket': '$.detail.bucket.name',
      '<size>': '$.detail.object.size',
      'the object': '$.detail.object',
      first_resource: '$.resources[0]',
    };
    const [rule] = triggerRules([trigger({ kind: 's3', buckets: ['amzn-s3-demo-bucket1'] }, params)]);
    if (!rule) throw new Error('no rule compiled');
    const event = s3ObjectCreated({ key: 'example-key' });
    expect(triggerInput(rule, event).input).toEqual({
      key: 'example-key',
      'aws.bucket': 'amzn-s3-demo-bucket1',
      '<size>': 5,
      'the object': event.detail.object,
      first_resource: 'arn:aws:s3:::amzn-s3-demo-bucket1',
    });
  });

  it('an event trigger: its pattern as written, on its bus', () => {
    const rules = triggerRules([
      trigger(
        { kind: 'event', pattern: { source: ['shop.orders'], detail: { total: [{ numeric: ['>=', 100] }] } }, bus: 'orders' },
        { order_id: '$.detail.orderId' },
      ),
    ]);
    const event = { source: 'shop.orders', 'detail-type': 'OrderPlaced', detail: { orderId: 'o-9', total: 120 } };
    expect(matchTriggers(rules, event, { bus: 'orders' }).matched).toHaveLength(1);
    expect(matchTriggers(rules, { ...event, detail: { orderId: 'o-9', total: 99 } }).matched).toHaveLength(0);
    expect(matchTriggers(rules, event, { bus: 'default' }).matched).toHaveLength(0);
    expect(triggerInput(rules[0] as (typeof rules)[number], event).input).toEqual({ order_id: 'o-9' });
  });
});

import { describe, expect, it } from 'vitest';
import { triggerRules, type TriggerSource, type TriggerSpec } from '../../compiler/index.js';
import { matchTriggers, triggerInput } from '../../lib/events/index.js';

/**
 * The compiler's TriggerRule (compiler/emit/trigger-rules.ts) read by lib/events as EventBridge reads the
 * deployed rule: the s3 pattern's prefix and suffix, escaped into one wildcard, match the keys they say, and the
 * InputTransformer gives each param under its own name, whatever the name (renamed variables, `<`, dots).
 */

const span = { file: 'workflow.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 2 } };
const trigger = (source: TriggerSource, params: Record<string, string> = {}): TriggerSpec => ({ source, params, span });

/** AWS's documented S3 "Object Created" event (Amazon S3 User Guide), with the key a case chooses. */
const objectCreated = (key: string) => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'],
  detail: {
    version: '0',
    bucket: { name: 'amzn-s3-demo-bucket1' },
    object: { key, size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '617f08299329d189' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '1.2.3.4',
    reason: 'PutObject',
  },
});

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
      expect(matchTriggers(rules, objectCreated(c.key)).matched).toHaveLength(c.matches ? 1 : 0);
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
    const event = objectCreated('example-key');
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

/** triggers: compiled into the EventBridge pattern and InputTransformer that the deploy and ork run --event share. */
import { describe, expect, it } from 'vitest';
import { triggerRules } from '../../../compiler/emit/index.js';
import type { TriggerSource, TriggerSpec } from '../../../compiler/model/index.js';
import { wildcardProblem } from '../../../compiler/validate/index.js';

const span = { file: 'workflow.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 2 } };
const trigger = (source: TriggerSource, params: Record<string, string> = {}): TriggerSpec => ({ source, params, span });
const s3 = (rest: Partial<Extract<TriggerSource, { kind: 's3' }>> = {}): TriggerSource => ({ kind: 's3', buckets: ['landing'], ...rest });

const objectCreated = (detail: Record<string, unknown>) => ({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail });

describe('s3 triggers', () => {
  it('bucket only: every new object of the bucket', () => {
    expect(triggerRules([trigger(s3())])).toStrictEqual([
      {
        index: 1,
        kind: 's3',
        eventPattern: objectCreated({ bucket: { name: ['landing'] } }),
        inputTransformer: { inputPathsMap: {}, inputTemplate: '{}' },
        buckets: ['landing'],
      },
    ]);
  });

  it('a prefix alone is a prefix filter on the key', () => {
    const [rule] = triggerRules([trigger(s3({ prefix: 'incoming/' }))]);
    expect(rule?.eventPattern).toStrictEqual(objectCreated({ bucket: { name: ['landing'] }, object: { key: [{ prefix: 'incoming/' }] } }));
  });

  it('a suffix alone is a suffix filter on the key', () => {
    const [rule] = triggerRules([trigger(s3({ suffix: '.csv' }))]);
    expect(rule?.eventPattern).toStrictEqual(objectCreated({ bucket: { name: ['landing'] }, object: { key: [{ suffix: '.csv' }] } }));
  });

  it('prefix and suffix together are one wildcard (two array entries would be ORed)', () => {
    const [rule] = triggerRules([trigger(s3({ prefix: 'incoming/', suffix: '.csv' }))]);
    expect(rule?.eventPattern).toStrictEqual(objectCreated({ bucket: { name: ['landing'] }, object: { key: [{ wildcard: 'incoming/*.csv' }] } }));
  });

  it('escapes * and \\ of the prefix and suffix in the wildcard', () => {
    const [rule] = triggerRules([trigger(s3({ prefix: 'a*b\\c/', suffix: '*.csv' }))]);
    expect(rule?.eventPattern).toStrictEqual(objectCreated({ bucket: { name: ['landing'] }, object: { key: [{ wildcard: 'a\\*b\\\\c/*\\*.csv' }] } }));
  });

  it('a list of buckets matches any of them, and each is listed for its notifications', () => {
    const [rule] = triggerRules([trigger(s3({ buckets: ['landing', 'archive'] }), { key: '$.detail.object.key', bucket: '$.detail.bucket.name' })]);
    expect(rule).toStrictEqual({
      index: 1,
      kind: 's3',
      eventPattern: objectCreated({ bucket: { name: ['landing', 'archive'] } }),
      inputTransformer: {
        inputPathsMap: { key: '$.detail.object.key', bucket: '$.detail.bucket.name' },
        inputTemplate: '{"key": <key>, "bucket": <bucket>}',
      },
      buckets: ['landing', 'archive'],
    });
  });
});

describe('event triggers', () => {
  const pattern = { source: ['shop.orders'], 'detail-type': ['OrderPlaced'] };

  it('keep the pattern as written and the bus, numbered from 1 in file order', () => {
    const rules = triggerRules([
      trigger(s3()),
      trigger({ kind: 'event', pattern, bus: 'orders' }, { order_id: '$.detail.orderId' }),
      trigger({ kind: 'event', pattern }),
    ]);
    expect(rules.slice(1)).toStrictEqual([
      {
        index: 2,
        kind: 'event',
        eventPattern: pattern,
        inputTransformer: { inputPathsMap: { order_id: '$.detail.orderId' }, inputTemplate: '{"order_id": <order_id>}' },
        bus: 'orders',
      },
      { index: 3, kind: 'event', eventPattern: pattern, inputTransformer: { inputPathsMap: {}, inputTemplate: '{}' } },
    ]);
  });
});

describe('param variables', () => {
  const transformer = (params: Record<string, string>) => triggerRules([trigger({ kind: 'event', pattern: { source: ['x'] } }, params)])[0]?.inputTransformer;

  it('a name EventBridge does not take as a variable becomes p<position>', () => {
    expect(transformer({ 'order.id': '$.detail.id', größe: '$.detail.size', ok_name: '$.detail.ok' })).toStrictEqual({
      inputPathsMap: { p1: '$.detail.id', p2: '$.detail.size', ok_name: '$.detail.ok' },
      inputTemplate: '{"order.id": <p1>, "größe": <p2>, "ok_name": <ok_name>}',
    });
  });

  it('names starting with aws, in any case, are renamed: AWS keeps them for its own variables', () => {
    expect(transformer({ awsRegion: '$.region', AWS_ACCOUNT: '$.account' })).toStrictEqual({
      inputPathsMap: { p1: '$.region', p2: '$.account' },
      inputTemplate: '{"awsRegion": <p1>, "AWS_ACCOUNT": <p2>}',
    });
  });

  it('a generated name never takes a param name kept as it is', () => {
    expect(transformer({ 'a.b': '$.detail.a', p1: '$.detail.p' })).toStrictEqual({
      inputPathsMap: { p1_2: '$.detail.a', p1: '$.detail.p' },
      inputTemplate: '{"a.b": <p1_2>, "p1": <p1>}',
    });
  });

  it('escapes quotes, and < and > so a name cannot read as a placeholder', () => {
    expect(transformer({ 'say "hi"': '$.a', '<key>': '$.b' })).toStrictEqual({
      inputPathsMap: { p1: '$.a', p2: '$.b' },
      inputTemplate: '{"say \\"hi\\"": <p1>, "\\u003ckey\\u003e": <p2>}',
    });
    expect(JSON.parse(transformer({ '<key>': '$.b' })?.inputTemplate.replace('<p1>', '1') ?? '')).toStrictEqual({ '<key>': 1 });
  });

  it('a name of 257 characters is too long for a variable', () => {
    const long = 'k'.repeat(257);
    expect(transformer({ [long]: '$.a', ['k'.repeat(256)]: '$.b' })?.inputPathsMap).toStrictEqual({ p1: '$.a', ['k'.repeat(256)]: '$.b' });
  });
});

describe('the s3 wildcard', () => {
  it('is one EventBridge accepts whatever the prefix and suffix hold', () => {
    const texts = ['', 'a', '*', '**', '\\', '\\*', 'a\\b*c', 'x/**/y', '\\\\'];
    for (const prefix of texts.filter(Boolean)) {
      for (const suffix of texts.filter(Boolean)) {
        const key = (triggerRules([trigger(s3({ prefix, suffix }))])[0]?.eventPattern.detail as { object: { key: [{ wildcard: string }] } }).object.key[0];
        expect(wildcardProblem(key.wildcard), `${prefix} + ${suffix}`).toBeUndefined();
      }
    }
  });
});

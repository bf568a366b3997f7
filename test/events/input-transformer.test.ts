import { describe, expect, it } from 'vitest';
import type { InputTransformer, JsonValue } from '../../compiler/index.js';
import { applyInputTransformer, evaluateEventJsonPath, InputTransformerError, parseEventJsonPath, transformEvent } from '../../lib/events/index.js';

/**
 * EventBridge's InputTransformer, modelled in lib/events. The first cases are AWS's own: the EC2 event, the
 * InputPathsMap and every template of "Amazon EventBridge input transformation" (its "Input transform
 * examples" table) with the outputs that page documents.
 */

const EC2_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};

const EC2_PATHS = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state', resource: '$.resources[0]' };

/** The page's rule, whose name and ARN its outputs show. */
const RULE = { ruleName: 'example', ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example' };

const ec2 = (inputTemplate: string): JsonValue => applyInputTransformer({ inputPathsMap: EC2_PATHS, inputTemplate }, EC2_EVENT, RULE);

describe("AWS's documented input transform examples", () => {
  it('simple string', () => {
    expect(ec2('"instance <instance> is in <state>"')).toBe('instance i-0123456789 is in RUNNING');
  });

  it('string with escaped quotes', () => {
    expect(ec2('"instance \\"<instance>\\" is in <state>"')).toBe('instance "i-0123456789" is in RUNNING');
  });

  it('simple JSON', () => {
    expect(ec2('{\n  "instance" : <instance>,\n  "state": <state>\n}')).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
  });

  it('JSON with strings and variables', () => {
    expect(ec2('{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}')).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
  });

  it('JSON with a mix of variables and static information', () => {
    expect(ec2('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}\n')).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
  });

  it('including reserved variables in JSON', () => {
    expect(
      ec2(
        '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event.json>\n}',
      ),
    ).toEqual({ instance: 'i-0123456789', state: 'RUNNING', ruleArn: RULE.ruleArn, ruleName: 'example', originalEvent: EC2_EVENT });
  });

  it('including reserved variables in a string', () => {
    expect(ec2('"<aws.events.rule-name> triggered"')).toBe('example triggered');
  });

  it('brackets and indices take items from arrays', () => {
    expect(ec2('{"resource": <resource>, "at": <timestamp>}')).toEqual({
      resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111',
      at: '2015-11-11T21:29:54Z',
    });
  });
});

describe('applyInputTransformer', () => {
  const event = {
    source: 'shop.orders',
    'detail-type': 'OrderPlaced',
    detail: { orderId: 'o-1', amount: 12.5, rush: false, note: null, lines: [{ sku: 'a' }, { sku: 'b' }], address: { city: 'Paris' }, 'a/b': 'slash' },
  };
  const apply = (inputTemplate: string, inputPathsMap: Record<string, string>): JsonValue => applyInputTransformer({ inputPathsMap, inputTemplate }, event);

  it('writes each value as JSON outside quotes: numbers, booleans, null, objects and lists keep their type', () => {
    const paths = { amount: '$.detail.amount', rush: '$.detail.rush', note: '$.detail.note', address: '$.detail.address', lines: '$.detail.lines' };
    expect(apply('{"amount": <amount>, "rush": <rush>, "note": <note>, "address": <address>, "lines": <lines>}', paths)).toEqual({
      amount: 12.5,
      rush: false,
      note: null,
      address: { city: 'Paris' },
      lines: [{ sku: 'a' }, { sku: 'b' }],
    });
  });

  it('a path the event lacks gives "" outside quotes and nothing inside (AWS: "Common issues with transforming input")', () => {
    const result = transformEvent(
      { inputPathsMap: { id: '$.detail.orderId', gone: '$.detail.nope' }, inputTemplate: '{"id": <id>, "gone": <gone>, "text": "x<gone>y"}' },
      event,
    );
    expect(result.value).toEqual({ id: 'o-1', gone: '', text: 'xy' });
    expect(result.missing).toEqual([{ variable: 'gone', path: '$.detail.nope' }]);
  });

  it('inside quotes a value is its text, unescaped: a quote in it leaves invalid JSON, which is not delivered', () => {
    expect(apply('{"m": "amount <amount>, rush <rush>"}', { amount: '$.detail.amount', rush: '$.detail.rush' })).toEqual({ m: 'amount 12.5, rush false' });
    const quoted = { source: 's', detail: { text: 'say "hi"' } };
    expect(() => applyInputTransformer({ inputPathsMap: { t: '$.detail.text' }, inputTemplate: '{"t": "<t>"}' }, quoted)).toThrow(InputTransformerError);
    expect(applyInputTransformer({ inputPathsMap: { t: '$.detail.text' }, inputTemplate: '{"t": <t>}' }, quoted)).toEqual({ t: 'say "hi"' });
  });

  it('an object inside quotes of a JSON template is not delivered; in a string template it is written without quotes', () => {
    const paths = { address: '$.detail.address', lines: '$.detail.lines' };
    expect(() => apply('{"a": "<address>"}', paths)).toThrow(/written inside quotes/);
    expect(apply('"at <address> with <lines>"', paths)).toBe('at {city:Paris} with [{sku:a},{sku:b}]');
  });

  it('a wildcard path gives the list of what it reaches', () => {
    expect(apply('{"skus": <skus>}', { skus: '$.detail.lines[*].sku' })).toEqual({ skus: ['a', 'b'] });
    expect(apply('{"second": <s>}', { s: '$.detail.lines[1].sku' })).toEqual({ second: 'b' });
  });

  it('forward slashes in a name, and an escaped < in a key that is not a placeholder', () => {
    expect(apply('{"\\u003cv\\u003e": <v>}', { v: '$.detail.a/b' })).toEqual({ '<v>': 'slash' });
  });

  it('refuses what PutTargets refuses: an undefined placeholder, a bad variable name', () => {
    const undefinedPlaceholder: InputTransformer = { inputPathsMap: { id: '$.detail.orderId' }, inputTemplate: '{"id": <id>, "x": <other>}' };
    expect(() => applyInputTransformer(undefinedPlaceholder, event)).toThrow('InputTemplate contains invalid placeholder other.');
    expect(() => apply('{"id": <o.id>}', { 'o.id': '$.detail.orderId' })).toThrow(/InputPathsMap key/);
    try {
      applyInputTransformer(undefinedPlaceholder, event);
    } catch (error) {
      expect((error as InputTransformerError).code).toBe('ValidationException');
    }
  });

  it('aws.events.event is the envelope without detail, detail-type written detailType', () => {
    expect(
      applyInputTransformer({ inputPathsMap: {}, inputTemplate: '{"e": <aws.events.event>}' }, { id: '1', source: 's', 'detail-type': 't', detail: { a: 1 } }),
    ).toEqual({
      e: { id: '1', detailType: 't', source: 's' },
    });
    expect(() => applyInputTransformer({ inputPathsMap: {}, inputTemplate: '"<aws.events.event.json>"' }, { source: 's' })).toThrow(/value of a JSON field/);
  });
});

describe('the JSONPath subset of InputPathsMap', () => {
  it('reads dot notation, dashes, underscores, slashes, indices and wildcards', () => {
    for (const path of ['$', '$.detail', '$.detail-type', '$.detail.object.version-id', '$.a_b/c', '$.resources[0]', '$.detail.lines[*].sku', '$.detail.*']) {
      expect(parseEventJsonPath(path), path).toBeInstanceOf(Array);
    }
  });

  it('refuses bracket notation with names, filters and paths not starting with $', () => {
    for (const path of ["$['detail']", '$.detail[?(@.a)]', 'detail.a', '$..a', '$.a b']) expect(typeof parseEventJsonPath(path), path).toBe('string');
  });

  it('a definite path that reaches nothing is undefined; a wildcard one an empty list', () => {
    const steps = (p: string) => parseEventJsonPath(p) as Exclude<ReturnType<typeof parseEventJsonPath>, string>;
    expect(evaluateEventJsonPath(steps('$.a.b'), { a: { c: 1 } })).toBeUndefined();
    expect(evaluateEventJsonPath(steps('$.a[3]'), { a: [1] })).toBeUndefined();
    expect(evaluateEventJsonPath(steps('$.a[*].b'), { a: [{ c: 1 }] })).toEqual([]);
    expect(evaluateEventJsonPath(steps('$'), { a: 1 })).toEqual({ a: 1 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPattern, JsonValue } from '../../compiler/index.js';
import { matchEventPattern, receivedEvent } from '../../lib/events/index.js';
import { motoServerAvailable, startMotoServer, type MotoServer } from '../support/moto-server.js';
import { s3ObjectCreated } from '../support/s3-object-created.js';

/**
 * The local EventBridge matcher (lib/events) against moto's, on the same pattern/event pairs. moto 5 does not
 * implement TestEventPattern, so each pair gets its own event bus, a rule with the pattern and an SQS queue as
 * target; the event is put with PutEvents (the local side reads the same PutEvents entry) and it matched when the
 * queue received it. Each pair also states AWS's answer (from its content-filtering pages and event-ruler): the
 * local matcher must give it, and moto too except where `motoWrong` says how moto departs from AWS, in which case
 * moto must still give the other answer (if it stops, moto was fixed: remove the note).
 */

interface Pair {
  readonly name: string;
  /** The pattern as PutRule receives it: JSON text, so `5.0` and `3.018e2` reach both sides as written. */
  readonly pattern: string;
  readonly detail: { readonly [key: string]: JsonValue };
  readonly source?: string;
  readonly detailType?: string;
  readonly resources?: readonly string[];
  /** AWS's answer. */
  readonly matches: boolean;
  readonly motoWrong?: string;
}

/** AWS's documented S3 "Object Created" event (test/fixtures/events/): its detail, and the fields of its PutEvents entry. */
const DOCUMENTED = s3ObjectCreated();
const S3_DETAIL = DOCUMENTED.detail;
const S3 = { source: DOCUMENTED.source, detailType: DOCUMENTED['detail-type'], resources: DOCUMENTED.resources };
const s3Key = (key: string) => ({ ...S3, detail: s3ObjectCreated({ key }).detail });

/** The pattern ork compiles an `s3:` trigger to (compiler/emit/trigger-rules.ts), with an optional key filter. */
const s3Pattern = (key?: JsonValue, buckets: readonly string[] = ['amzn-s3-demo-bucket1']): string =>
  JSON.stringify({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: buckets }, ...(key ? { object: { key: [key] } } : {}) } });

const p = (pattern: EventPattern): string => JSON.stringify(pattern);

const PAIRS: readonly Pair[] = [
  // The compiled s3 shapes on AWS's example event.
  { name: 's3 trigger without key filter', pattern: s3Pattern(), ...S3, detail: S3_DETAIL, matches: true },
  { name: 's3 trigger, bucket in a list', pattern: s3Pattern(undefined, ['landing', 'amzn-s3-demo-bucket1']), ...S3, detail: S3_DETAIL, matches: true },
  { name: 's3 trigger, another bucket', pattern: s3Pattern(undefined, ['landing']), ...S3, detail: S3_DETAIL, matches: false },
  { name: 's3 trigger, prefix', pattern: s3Pattern({ prefix: 'example' }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 's3 trigger, another prefix', pattern: s3Pattern({ prefix: 'incoming/' }), ...S3, detail: S3_DETAIL, matches: false },
  { name: 's3 trigger, suffix', pattern: s3Pattern({ suffix: '-key' }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 's3 trigger, another suffix', pattern: s3Pattern({ suffix: '.csv' }), ...S3, detail: S3_DETAIL, matches: false },
  {
    name: 's3 trigger, prefix and suffix (wildcard)',
    pattern: s3Pattern({ wildcard: 'incoming/*.csv' }),
    ...s3Key('incoming/2021-11-12/a.csv'),
    matches: true,
  },
  { name: 's3 trigger, wildcard: suffix differs', pattern: s3Pattern({ wildcard: 'incoming/*.csv' }), ...s3Key('incoming/a.json'), matches: false },
  { name: 's3 trigger, wildcard: prefix differs', pattern: s3Pattern({ wildcard: 'incoming/*.csv' }), ...s3Key('raw/a.csv'), matches: false },
  { name: 's3 trigger, wildcard: nothing between', pattern: s3Pattern({ wildcard: 'incoming/*.csv' }), ...s3Key('incoming/.csv'), matches: true },
  { name: 's3 trigger, escaped * in the prefix', pattern: s3Pattern({ wildcard: 'in\\*/*.csv' }), ...s3Key('in*/a.csv'), matches: true },
  { name: 's3 trigger, escaped * is not a wildcard', pattern: s3Pattern({ wildcard: 'in\\*/*.csv' }), ...s3Key('inbox/a.csv'), matches: false },
  { name: 'another detail-type', pattern: p({ source: ['aws.s3'], 'detail-type': ['Object Deleted'] }), ...S3, detail: S3_DETAIL, matches: false },
  // Operators on the same event.
  { name: 'resources, exact ARN', pattern: p({ resources: ['arn:aws:s3:::amzn-s3-demo-bucket1'] }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 'numeric range', pattern: p({ detail: { object: { size: [{ numeric: ['>', 1, '<=', 5] }] } } }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 'numeric, open top', pattern: p({ detail: { object: { size: [{ numeric: ['<', 5] }] } } }), ...S3, detail: S3_DETAIL, matches: false },
  { name: 'a number equals its value written 5.0', pattern: '{"detail": {"object": {"size": [5.0]}}}', ...S3, detail: S3_DETAIL, matches: true },
  { name: 'a number is not its string', pattern: p({ detail: { object: { size: ['5'] } } }), ...S3, detail: S3_DETAIL, matches: false },
  { name: 'anything-but another reason', pattern: p({ detail: { reason: [{ 'anything-but': 'CopyObject' }] } }), ...S3, detail: S3_DETAIL, matches: true },
  {
    name: 'anything-but this reason',
    pattern: p({ detail: { reason: [{ 'anything-but': ['CopyObject', 'PutObject'] }] } }),
    ...S3,
    detail: S3_DETAIL,
    matches: false,
  },
  {
    name: 'anything-but prefix',
    pattern: p({ detail: { object: { key: [{ 'anything-but': { prefix: 'tmp/' } }] } } }),
    ...S3,
    detail: S3_DETAIL,
    matches: true,
  },
  {
    name: 'anything-but suffix, excluded',
    pattern: p({ detail: { object: { key: [{ 'anything-but': { suffix: '-key' } }] } } }),
    ...S3,
    detail: S3_DETAIL,
    matches: false,
  },
  { name: 'exists false on an absent field', pattern: p({ detail: { object: { checksum: [{ exists: false }] } } }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 'exists true', pattern: p({ detail: { object: { etag: [{ exists: true }] } } }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 'exists true on an object (not a leaf)', pattern: p({ detail: { bucket: [{ exists: true }] } }), ...S3, detail: S3_DETAIL, matches: false },
  { name: 'cidr', pattern: p({ detail: { 'source-ip-address': [{ cidr: '1.2.3.0/24' }] } }), ...S3, detail: S3_DETAIL, matches: true },
  { name: 'cidr outside', pattern: p({ detail: { 'source-ip-address': [{ cidr: '10.0.0.0/8' }] } }), ...S3, detail: S3_DETAIL, matches: false },
  { name: 'equals-ignore-case', pattern: p({ detail: { reason: [{ 'equals-ignore-case': 'putobject' }] } }), ...S3, detail: S3_DETAIL, matches: true },
  {
    name: 'prefix ignoring case',
    pattern: p({ detail: { object: { key: [{ prefix: { 'equals-ignore-case': 'EXAMPLE' } }] } } }),
    ...S3,
    detail: S3_DETAIL,
    matches: true,
  },
  {
    name: 'suffix ignoring case',
    pattern: p({ detail: { object: { key: [{ suffix: { 'equals-ignore-case': '-KEY' } }] } } }),
    ...S3,
    detail: S3_DETAIL,
    matches: true,
  },
  {
    name: '$or, second alternative',
    pattern: p({ $or: [{ detail: { reason: ['CopyObject'] } }, { detail: { object: { size: [5] } } }] }),
    ...S3,
    detail: S3_DETAIL,
    matches: true,
  },
  {
    name: '$or, neither',
    pattern: p({ $or: [{ detail: { reason: ['CopyObject'] } }, { detail: { object: { size: [6] } } }] }),
    ...S3,
    detail: S3_DETAIL,
    matches: false,
  },
  // Values of other types, and arrays.
  { name: 'null matches null', pattern: p({ detail: { v: [null] } }), detail: { v: null }, matches: true },
  { name: 'an empty string is not null', pattern: p({ detail: { v: [''] } }), detail: { v: null }, matches: false },
  { name: 'anything-but a string passes a number', pattern: p({ detail: { v: [{ 'anything-but': '5' }] } }), detail: { v: 5 }, matches: true },
  { name: 'anything-but prefix passes a number', pattern: p({ detail: { v: [{ 'anything-but': { prefix: '5' } }] } }), detail: { v: 5 }, matches: true },
  {
    name: 'a list in the event: one element is enough',
    pattern: p({ detail: { tags: [{ 'equals-ignore-case': 'A' }] } }),
    detail: { tags: ['x', 'a'] },
    matches: true,
  },
  {
    name: 'anything-but wildcard',
    pattern: p({ detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }),
    detail: { path: 'a/bin/b' },
    matches: true,
  },
  { name: 'cidr IPv6', pattern: p({ detail: { ip: [{ cidr: '2001:db8::/32' }] } }), detail: { ip: '2001:db8::1' }, matches: true },
  {
    name: 'a key with a dot is the path it spells',
    pattern: p({ detail: { state: { status: ['running'] } } }),
    detail: { 'state.status': 'running' },
    matches: true,
  },
  {
    name: 'two fields from different elements of one array',
    pattern: p({ detail: { e: { first: ['Anna'], last: ['Jones'] } } }),
    detail: {
      e: [
        { first: 'Anna', last: 'Smith' },
        { first: 'Peter', last: 'Jones' },
      ],
    },
    matches: false,
  },
  {
    name: 'true is not the number 1',
    pattern: p({ detail: { flag: [1] } }),
    detail: { flag: true },
    matches: false,
    motoWrong: 'moto compares in Python, where True == 1',
  },
  {
    name: 'numeric does not match a boolean',
    pattern: p({ detail: { flag: [{ numeric: ['>', 0] }] } }),
    detail: { flag: true },
    matches: false,
    motoWrong: "moto's numeric filter takes Python's bool for an int",
  },
  {
    name: 'a field inside a list of objects',
    pattern: p({ detail: { lines: { sku: ['b'] } } }),
    detail: { lines: [{ sku: 'a' }, { sku: 'b' }] },
    matches: true,
    motoWrong: 'moto does not look into lists of objects',
  },
  {
    name: 'exists true on an empty list',
    pattern: p({ detail: { items: [{ exists: true }] } }),
    detail: { items: [] },
    matches: false,
    motoWrong: 'moto counts an empty list as a value; AWS sees no leaf there',
  },
  {
    name: 'exists false on an empty object',
    pattern: p({ detail: { meta: [{ exists: false }] } }),
    detail: { meta: {} },
    matches: true,
    motoWrong: 'moto counts an empty object as a value; AWS sees no leaf there',
  },
];

// Without moto_server the suite skips locally, but CI must have it: there the suite runs and fails loudly.
const runMoto = motoServerAvailable() || Boolean(process.env.CI);
const title = runMoto
  ? 'the EventBridge matcher answers as moto does, except where moto is known wrong'
  : 'the EventBridge matcher against moto: SKIPPED, moto_server is not on PATH (pip install "moto[server]")';

describe('the pairs state what AWS answers, and the local matcher gives it', () => {
  it('has at least 30 pairs, the compiled s3 shapes among them', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(30);
    for (const shape of ['"prefix"', '"suffix"', '"wildcard"'])
      expect(PAIRS.some((pair) => pair.pattern.includes(shape) && pair.source === 'aws.s3')).toBe(true);
  });
  for (const [i, pair] of PAIRS.entries()) {
    it(`${i + 1}. ${pair.name}`, () => {
      expect(localAnswer(pair)).toBe(pair.matches);
    });
  }
});

describe.skipIf(!runMoto)(title, () => {
  let moto: MotoServer | undefined;
  const motoAnswers = new Map<number, boolean>();

  beforeAll(async () => {
    moto = await startMotoServer();
    for (const [i, pair] of PAIRS.entries()) motoAnswers.set(i, await motoAnswer(moto, i, pair));
  }, 120_000);

  afterAll(async () => {
    await moto?.stop();
  });

  for (const [i, pair] of PAIRS.entries()) {
    it(`${i + 1}. ${pair.name}${pair.motoWrong ? ` (moto differs: ${pair.motoWrong})` : ''}`, () => {
      const answer = motoAnswers.get(i);
      if (pair.motoWrong) expect(answer, `moto now gives AWS's answer: remove the note "${pair.motoWrong}"`).toBe(!pair.matches);
      else expect(answer).toBe(localAnswer(pair));
    });
  }
});

/** The PutEvents entry both sides receive. */
function entryOf(pair: Pair, bus?: string): Record<string, JsonValue> {
  return {
    Source: pair.source ?? 'ork.test',
    DetailType: pair.detailType ?? 'Test',
    Detail: JSON.stringify(pair.detail),
    Resources: [...(pair.resources ?? [])],
    ...(bus ? { EventBusName: bus } : {}),
  };
}

function localAnswer(pair: Pair): boolean {
  const { event } = receivedEvent(entryOf(pair));
  return matchEventPattern(JSON.parse(pair.pattern) as EventPattern, event).matched;
}

/** Whether moto delivers the pair's event to a queue through a rule with its pattern, on a bus of its own. */
async function motoAnswer(moto: MotoServer, i: number, pair: Pair): Promise<boolean> {
  const name = `pair-${i + 1}`;
  const events = async (target: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await moto.awsJson(`AWSEvents.${target}`, body, { service: 'events', protocolVersion: '1.1' });
    if (response.status !== 200) throw new Error(`${target} (${pair.name}) answered ${response.status}: ${response.text}`);
    return response.body;
  };
  const sqs = async (target: string, body: unknown): Promise<Record<string, unknown>> => {
    const response = await moto.awsJson(`AmazonSQS.${target}`, body, { service: 'sqs' });
    if (response.status !== 200) throw new Error(`${target} (${pair.name}) answered ${response.status}: ${response.text}`);
    return response.body;
  };
  await events('CreateEventBus', { Name: name });
  const { QueueUrl: queueUrl } = await sqs('CreateQueue', { QueueName: name });
  await events('PutRule', { Name: name, EventBusName: name, EventPattern: pair.pattern });
  await events('PutTargets', { Rule: name, EventBusName: name, Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:us-east-1:123456789012:${name}` }] });
  const put = await events('PutEvents', { Entries: [entryOf(pair, name)] });
  if (put.FailedEntryCount !== 0) throw new Error(`PutEvents (${pair.name}) failed: ${JSON.stringify(put)}`);
  const received = await sqs('ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10 });
  return Array.isArray(received.Messages) && received.Messages.length > 0;
}

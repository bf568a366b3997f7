/** A workflow with triggers, from its YAML to the manifest's compiled rules. */
import { expect, it } from 'vitest';
import { compile, inMemoryHost } from '../../compiler/index.js';

const source = `name: landing
params: { key: ~, bucket: ~, order_id: ~, mode: full }
schedule:
  expression: cron(0 6 * * ? *)
  timezone: Europe/Paris
  input: { key: daily.csv, bucket: landing-bucket, order_id: none }
triggers:
  - s3: { bucket: landing-bucket, prefix: incoming/, suffix: .csv }
    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name", order_id: "$.id" }
  - event: { source: [shop.orders], detail-type: [OrderPlaced], detail: { total: [{ numeric: [">", 100] }] } }
    bus: orders
    params: { order_id: "$.detail.orderId", key: "$.detail.file", bucket: "$.detail.bucket" }
tasks:
  load: { file: tasks/load.py }
`;

it('compiles triggers: into the manifest, in file order, with the spec keeping what was written', () => {
  const result = compile({ file: 'workflow.yaml', source, host: inMemoryHost(['tasks/load.py'], '/work/landing') });
  expect(result.diagnostics).toStrictEqual([]);
  expect(result.spec?.triggers.map((t) => t.source)).toStrictEqual([
    { kind: 's3', buckets: ['landing-bucket'], prefix: 'incoming/', suffix: '.csv' },
    { kind: 'event', pattern: { source: ['shop.orders'], 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } }, bus: 'orders' },
  ]);
  expect(result.spec?.triggers[1]?.span.start).toStrictEqual({ line: 10, col: 5 });
  expect(result.manifest?.triggers).toStrictEqual([
    {
      index: 1,
      kind: 's3',
      eventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['landing-bucket'] }, object: { key: [{ wildcard: 'incoming/*.csv' }] } },
      },
      inputTransformer: {
        inputPathsMap: { key: '$.detail.object.key', bucket: '$.detail.bucket.name', order_id: '$.id' },
        inputTemplate: '{"key": <key>, "bucket": <bucket>, "order_id": <order_id>}',
      },
      buckets: ['landing-bucket'],
    },
    {
      index: 2,
      kind: 'event',
      eventPattern: { source: ['shop.orders'], 'detail-type': ['OrderPlaced'], detail: { total: [{ numeric: ['>', 100] }] } },
      inputTransformer: {
        inputPathsMap: { order_id: '$.detail.orderId', key: '$.detail.file', bucket: '$.detail.bucket' },
        inputTemplate: '{"order_id": <order_id>, "key": <key>, "bucket": <bucket>}',
      },
      bus: 'orders',
    },
  ]);
});

it('a workflow without triggers has none in its spec and manifest', () => {
  const result = compile({ file: 'workflow.yaml', source: 'tasks:\n  load: { file: tasks/load.py }\n', host: inMemoryHost(['tasks/load.py'], '/work/x') });
  expect(result.spec?.triggers).toStrictEqual([]);
  expect(result.manifest && 'triggers' in result.manifest).toBe(false);
});

import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPattern, InputTransformer, JsonValue } from '../../compiler/index.js';
import { applyInputTransformer, matchEventPattern, receivedEvent, type EventObject } from '../../lib/events/index.js';
import { type Json, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { parseJsonOutput, runOrk, useScratchDirectory } from '../support/cli.js';
import { s3ObjectCreated } from '../support/s3-object-created.js';

/**
 * The deployed rules and `ork run --event` read an event alike (issue 16): for each sample event, the rules AS
 * SYNTHESIZED (their EventPattern and InputTransformer taken from the CloudFormation template, not from the
 * manifest) are applied with the EventBridge model of lib/events, and the outcome is compared with what
 * `ork run` does with the same event: which trigger starts it, and the execution input it records. The samples
 * are AWS's documented S3 "Object Created" event, verbatim (test/fixtures/events/), copies of it that reach
 * each S3 trigger or miss its key filter, and custom events (delivered and as a PutEvents entry).
 */

const DOCUMENTED = s3ObjectCreated();

/** The documented event with another bucket and, if given, key; everything else as AWS wrote it. */
const objectCreated = (bucket: string, key?: string): EventObject => s3ObjectCreated({ bucket, key });

const orderPlaced = (detail: Json): EventObject => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'OrderPlaced',
  source: 'shop.orders',
  account: '111122223333',
  time: '2026-01-01T06:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: detail as EventObject,
});

/** Each sample and the trigger it must start (by 1-based index), or none. */
const SAMPLES: readonly { readonly name: string; readonly event: JsonValue; readonly trigger?: number }[] = [
  // Its bucket is one S3 reserves for documentation (amzn-s3-demo-), which no trigger may name.
  { name: "AWS's documented Object Created event, verbatim", event: DOCUMENTED },
  {
    name: 'the documented event for a .csv under incoming/ of landing-bucket',
    event: objectCreated('landing-bucket', 'incoming/2021-11-12/orders.csv'),
    trigger: 1,
  },
  { name: 'the documented event for a key outside the prefix', event: objectCreated('landing-bucket', 'archive/orders.csv') },
  { name: 'the documented event for a key without the suffix', event: objectCreated('landing-bucket', 'incoming/notes.txt') },
  { name: 'the documented event for archive-bucket, the object mapped whole', event: objectCreated('archive-bucket'), trigger: 2 },
  { name: 'an OrderPlaced event with a positive total', event: orderPlaced({ orderId: 'o-17', total: 12.5 }), trigger: 3 },
  { name: 'an OrderPlaced event with a zero total', event: orderPlaced({ orderId: 'o-18', total: 0 }) },
  {
    name: 'an OrderPlaced PutEvents entry',
    event: { Source: 'shop.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'o-19', total: 3 }), EventBusName: 'orders' },
    trigger: 3,
  },
  { name: 'a return, which maps no params', event: { ...orderPlaced({ orderId: 'o-20' }), source: 'shop.returns', 'detail-type': 'ReturnOpened' }, trigger: 4 },
];

interface DeployedRule {
  readonly index: number;
  readonly pattern: EventPattern;
  readonly transformer: InputTransformer;
}

let built: DeployApp;
/** The triggers workflow copied here: `ork run` records its runs beside it. */
const scratch = useScratchDirectory('ork-trigger-agreement-');
let workflowDir: string;
let deployed: DeployedRule[];

beforeAll(async () => {
  built = await sharedDeployApp();
  workflowDir = path.join(scratch(), 'triggers');
  cpSync(built.testDirs.triggers, workflowDir, { recursive: true });
  const { stack, construct } = built.locate('deploy_triggers');
  const resources = built.template(stack).Resources as Record<string, Resource>;
  deployed = construct.triggers.map((t, i) => {
    const props = resources[t.rule.logicalId]?.Properties as Json;
    const [target] = props.Targets as [{ InputTransformer: { InputPathsMap?: Record<string, string>; InputTemplate: string } }];
    return {
      index: i + 1,
      pattern: props.EventPattern as EventPattern,
      transformer: { inputPathsMap: target.InputTransformer.InputPathsMap ?? {}, inputTemplate: target.InputTransformer.InputTemplate },
    };
  });
}, SHARED_APP_TIMEOUT_MS);

describe('the synthesized rules and ork run --event', () => {
  it('take the sample events the same way: the same trigger, the same execution input', async () => {
    expect(deployed).toHaveLength(4);
    for (const sample of SAMPLES) {
      const { event } = receivedEvent(sample.event);
      const matched = deployed.filter((rule) => matchEventPattern(rule.pattern, event).matched);
      // The expectation is the samples' own; that both sides meet it is the agreement.
      expect(
        matched.map((r) => r.index),
        sample.name,
      ).toEqual(sample.trigger === undefined ? [] : [sample.trigger]);

      const result = await runOrk(['run', workflowDir, '--event', JSON.stringify(sample.event), '--json'], scratch());
      if (sample.trigger === undefined) {
        expect(result.code, `${sample.name}: ${result.stderr}`).toBe(2);
        expect(result.stderr.trim().split('\n'), sample.name).toHaveLength(1);
        continue;
      }
      expect(result.code, `${sample.name}: ${result.stderr}`).toBe(0);
      const { runId, outputs } = parseJsonOutput<{ runId: string; outputs: { echo: { params: Json } } }>(result);
      const run = JSON.parse(readFileSync(path.join(scratch(), '.ork', 'runs', runId, 'run.json'), 'utf8')) as { input: JsonValue };
      const deployedInput = applyInputTransformer(matched[0]!.transformer, event);
      expect(run.input, sample.name).toEqual(deployedInput);
      // And the task saw it over the params' defaults, as the state machine merges it.
      expect(outputs.echo.params, sample.name).toEqual({ ...built.manifests.get('deploy_triggers')!.params, ...(deployedInput as Json) });
    }
  }, 300_000);

  it('keep what the event holds as JSON: a number stays a number, an object an object', () => {
    const [, second] = deployed;
    const input = applyInputTransformer(second!.transformer, objectCreated('archive-bucket'));
    expect(input).toEqual({ key: 'example-key', bucket: 'archive-bucket', object: DOCUMENTED.detail.object });
    const first = applyInputTransformer(deployed[0]!.transformer, objectCreated('landing-bucket', 'incoming/x.csv'));
    expect(first).toEqual({ key: 'incoming/x.csv', bucket: 'landing-bucket', size: 5 });
  });
});

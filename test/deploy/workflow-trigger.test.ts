import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TriggerRule } from '../../compiler/index.js';
import { TriggerDeployError, WorkflowTrigger } from '../../lib/deploy/index.js';
import { enableTriggerBuckets } from '../../lib/deploy/trigger-buckets.js';
import { actionsOf, getAtt, idOf, list, type Json, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { SNS_TOPIC_ARN } from '../support/deploy-app/test-workflows.js';

/** The EventBridge rules of `triggers:` (lib/deploy/workflow-trigger.ts), in the shared deploy app and alone. */

describe('template', () => {
  let built: DeployApp;
  beforeAll(async () => {
    built = await sharedDeployApp();
  }, SHARED_APP_TIMEOUT_MS);

  const triggersOf = (): { stack: string; resources: Record<string, Resource>; rules: readonly TriggerRule[] } => {
    const { stack } = built.locate('deploy_triggers');
    const rules = built.manifests.get('deploy_triggers')?.triggers ?? [];
    return { stack, resources: built.template(stack).Resources as Record<string, Resource>, rules };
  };

  it('deploys one rule per trigger with the compiled pattern and bus, and the compiled InputTransformer as it is', () => {
    const { construct } = built.locate('deploy_triggers');
    const { resources, rules } = triggersOf();
    expect(rules.map((r) => r.kind)).toEqual(['s3', 's3', 'event', 'event']);
    expect(construct.triggers).toHaveLength(rules.length);
    expect(built.resourcesUnder(construct, 'AWS::Events::Rule')).toHaveLength(rules.length);
    rules.forEach((rule, i) => {
      const facts = construct.triggers[i]!;
      expect(facts.rule.path).toBe(`${construct.path}/Trigger${rule.index}/Rule`);
      const props = resources[idOf(facts.rule)]?.Properties as Json;
      expect(props.EventPattern, `trigger ${rule.index}`).toEqual(rule.eventPattern);
      expect(props.State).toBe('ENABLED');
      const targets = props.Targets as Json[];
      expect(targets).toHaveLength(1);
      const [target] = targets as [Json];
      expect(target.Arn).toEqual({ Ref: idOf(construct.stateMachine) });
      // Exactly the manifest's: no InputPathsMap when the trigger maps no params (it is optional).
      const paths = rule.inputTransformer.inputPathsMap;
      expect(target.InputTransformer).toEqual({
        InputTemplate: rule.inputTransformer.inputTemplate,
        ...(Object.keys(paths).length > 0 ? { InputPathsMap: paths } : {}),
      });
      expect(target.Input).toBeUndefined();
      expect(target.InputPath).toBeUndefined();
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
      expect(target.DeadLetterConfig).toEqual({ Arn: getAtt(idOf(facts.deadLetterQueue)) });
      expect(target.RoleArn).toEqual(getAtt(idOf(facts.role)));
    });
    // The default bus for S3 (no EventBusName), the bus by name, and an ARN passed whole (CDK would keep its name only).
    expect(construct.triggers.map((t) => (resources[idOf(t.rule)]?.Properties as Json).EventBusName)).toEqual([
      undefined,
      undefined,
      'orders',
      'arn:aws:events:eu-west-1:210987654321:event-bus/returns',
    ]);
    // Both parts of an s3: key filter in one wildcard (an array of two filters would OR them).
    expect(rules[0]?.eventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['landing-bucket'] }, object: { key: [{ wildcard: 'incoming/*.csv' }] } },
    });
    // Workflows without `triggers:` get no rule.
    for (const workflow of built.allWorkflows().filter((w) => !built.manifests.get(w)?.triggers)) {
      expect(built.resourcesUnder(built.locate(workflow).construct, 'AWS::Events::Rule'), workflow).toEqual([]);
    }
  });

  it("gives each rule a role of its own that EventBridge assumes and that may only start this workflow's state machine", () => {
    const { construct } = built.locate('deploy_triggers');
    const { stack, resources } = triggersOf();
    for (const { role } of construct.triggers) {
      const trust = (resources[idOf(role)]?.Properties?.AssumeRolePolicyDocument as { Statement: Json[] }).Statement;
      expect(trust).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }]);
      const statements = built.statementsOf(stack, idOf(role));
      expect(statements.flatMap(actionsOf)).toEqual(['states:StartExecution']);
      expect(statements.flatMap((s) => list(s.Resource))).toEqual([{ Ref: idOf(construct.stateMachine) }]);
      expect(statements.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
    }
    expect(new Set(construct.triggers.map((t) => idOf(t.role))).size).toBe(construct.triggers.length);
  });

  it('sends undelivered events to an encrypted, SSL-only queue that only its own rule may write to, with an alarm on it', () => {
    const { construct } = built.locate('deploy_triggers');
    const { stack, resources } = triggersOf();
    for (const { rule, deadLetterQueue, alarm } of construct.triggers) {
      const queue = resources[idOf(deadLetterQueue)]?.Properties as Json;
      expect(queue).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
      const [, policy] = built
        .resources(stack, 'AWS::SQS::QueuePolicy')
        .find(([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: idOf(deadLetterQueue) }]))!;
      const statements = (policy.Properties?.PolicyDocument as { Statement: Json[] }).Statement;
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      const allows = statements.filter((s) => s.Effect === 'Allow');
      expect(allows).toEqual([
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: getAtt(idOf(deadLetterQueue)),
          Condition: { ArnEquals: { 'aws:SourceArn': getAtt(idOf(rule)) } },
        }),
      ]);
      const alarmProps = resources[idOf(alarm)]?.Properties as Json;
      expect(alarmProps).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(idOf(deadLetterQueue), 'QueueName') }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [SNS_TOPIC_ARN],
      });
    }
    // On the workflow's dashboard, beside the execution alarms.
    const dashboard = JSON.stringify(resources[idOf(construct.monitoring.dashboard)]?.Properties?.DashboardBody);
    for (const { alarm } of construct.triggers) expect(dashboard).toContain(idOf(alarm));
  });

  it('turns EventBridge notifications on for the buckets given (triggerBuckets), and for no other', () => {
    const { stack } = triggersOf();
    const notifications = built.resources(stack, 'Custom::S3BucketNotifications').map(([, r]) => r.Properties as Json);
    // archive-bucket is named by trigger 2 but not given: left as it is.
    expect(notifications).toEqual([
      expect.objectContaining({ BucketName: 'landing-bucket', NotificationConfiguration: { EventBridgeConfiguration: {} }, Managed: false }),
    ]);
    for (const name of built.stacks.keys()) {
      if (name !== stack) expect(built.resources(name, 'Custom::S3BucketNotifications'), name).toEqual([]);
    }
  });
});

describe('construct', () => {
  const rule: TriggerRule = {
    index: 1,
    kind: 'event',
    eventPattern: { source: ['shop.orders'] },
    inputTransformer: { inputPathsMap: { order_id: '$.detail.orderId' }, inputTemplate: '{"order_id": <order_id>}' },
  };
  const setup = (): { stack: Stack; stateMachine: sfn.IStateMachine } => {
    const stack = new Stack(new App(), 'Alone');
    return { stack, stateMachine: sfn.StateMachine.fromStateMachineName(stack, 'Machine', 'machine') };
  };

  it('takes a retry policy within what EventBridge allows, and names the construct path otherwise', () => {
    const { stack, stateMachine } = setup();
    const trigger = new WorkflowTrigger(stack, 'Trigger1', { workflow: 'w', trigger: rule, stateMachine, maxEventAge: Duration.hours(2), retryAttempts: 0 });
    const [target] = Template.fromStack(stack).findResources('AWS::Events::Rule')[stack.getLogicalId(trigger.rule.node.defaultChild as never)]?.Properties
      .Targets as Json[];
    expect(target?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 0 });
    expect(() => new WorkflowTrigger(stack, 'Trigger2', { workflow: 'w', trigger: rule, stateMachine, retryAttempts: 186 })).toThrow(
      new TriggerDeployError('Alone/Trigger2: retryAttempts must be an integer from 0 to 185, not 186'),
    );
    expect(() => new WorkflowTrigger(stack, 'Trigger3', { workflow: 'w', trigger: rule, stateMachine, maxEventAge: Duration.hours(25) })).toThrow(
      /^Alone\/Trigger3: maxEventAge must be from 1 minute to 24 hours, not 90000 seconds$/,
    );
  });

  it('refuses a trigger bucket that no s3: trigger names, or whose name is known only at deploy', () => {
    const { stack } = setup();
    const s3Rule: TriggerRule = { ...rule, kind: 's3', buckets: ['landing-bucket', 'other-bucket'] };
    const other = s3.Bucket.fromBucketName(stack, 'Stray', 'stray-bucket');
    expect(() => enableTriggerBuckets([other], [s3Rule], 'Alone/Workflow')).toThrow(
      new TriggerDeployError(
        'Alone/Workflow: triggerBuckets has bucket stray-bucket, which no s3: trigger of the workflow names (its s3: triggers name landing-bucket, other-bucket)',
      ),
    );
    expect(() => enableTriggerBuckets([other], [rule], 'Alone/Workflow')).toThrow(/which no s3: trigger of the workflow names \(it has no s3: trigger\)$/);
    const generated = new s3.Bucket(stack, 'Generated');
    expect(() => enableTriggerBuckets([generated], [s3Rule], 'Alone/Workflow')).toThrow(
      /^Alone\/Workflow: triggerBuckets has a bucket \(Alone\/Generated\) whose name is known only at deploy time/,
    );
    // A Bucket of this app given its name is recognised by that name.
    const named = new s3.Bucket(stack, 'Named', { bucketName: 'other-bucket' });
    enableTriggerBuckets([named], [s3Rule], 'Alone/Workflow');
    const [notifications] = Object.values(Template.fromStack(stack).findResources('Custom::S3BucketNotifications'));
    expect(notifications?.Properties).toMatchObject({ NotificationConfiguration: { EventBridgeConfiguration: {} }, Managed: true });
  });
});

import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge.js';

export interface TriggerDeadLetterQueueProps {
  /** What the alarm's description names: the workflow and the trigger. */
  readonly description: string;
  /** How long an undelivered event is kept. @default Duration.days(14), SQS's longest */
  readonly retentionPeriod?: Duration;
  /** Of the queue. @default RemovalPolicy.DESTROY (CDK's default for a queue) */
  readonly removalPolicy?: RemovalPolicy;
  /** Notified when events arrive in the queue. @default no notification */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Where EventBridge puts the events it could not deliver to the state machine (retries exhausted, or an error
 * it does not retry, such as a missing permission), so no event is dropped silently; and an alarm as soon as
 * one is there. SSE-SQS encryption: EventBridge sends to it with no key permission to grant.
 */
export class TriggerDeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TriggerDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
      ...(props.removalPolicy !== undefined ? { removalPolicy: props.removalPolicy } : {}),
    });
    acknowledge(
      this.queue,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue: that of an EventBridge rule target (DeadLetterConfig), which ' +
        'cdk-nag does not recognise since it looks only for SQS redrive policies naming the queue.',
    );
    // Maximum over a minute: one message for one minute is enough to alarm; an empty queue reports 0.
    this.alarm = this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(this, 'Alarm', {
      alarmDescription: `${props.description}: events EventBridge could not deliver are waiting in the dead-letter queue`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}

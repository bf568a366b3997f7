import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TriggerRule } from '../../compiler/index.js';
import { OrkDeployError, registerDeployError } from './synth-error.js';
import { TriggerDeadLetterQueue } from './trigger-dead-letter-queue.js';
import { TriggerTargetInput } from './trigger-target-input.js';

/** A trigger that cannot be deployed as given; the message names the construct path. */
export class TriggerDeployError extends OrkDeployError {}
registerDeployError(TriggerDeployError.name);

/**
 * EventBridge's own retry policy, stated rather than left implicit: it retries delivery for 24 hours and up to
 * 185 times with exponential back-off and jitter, the longest it allows ("Event retry policy and using
 * dead-letter queues", docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html). After that, or at
 * once for an error it does not retry (a missing permission), the event goes to the dead-letter queue.
 */
export const DEFAULT_TRIGGER_MAX_EVENT_AGE = Duration.hours(24);
export const DEFAULT_TRIGGER_RETRY_ATTEMPTS = 185;

export interface WorkflowTriggerProps {
  /** The workflow's name, for descriptions. */
  readonly workflow: string;
  /** The compiled trigger (`manifest.triggers`): its pattern, bus and InputTransformer are deployed as they are. */
  readonly trigger: TriggerRule;
  readonly stateMachine: sfn.IStateMachine;
  /** How long EventBridge keeps trying to deliver an event. @default DEFAULT_TRIGGER_MAX_EVENT_AGE (24 hours) */
  readonly maxEventAge?: Duration;
  /** How many times EventBridge retries a delivery. @default DEFAULT_TRIGGER_RETRY_ATTEMPTS (185) */
  readonly retryAttempts?: number;
  /** Of the dead-letter queue. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
  /** Notified when undelivered events reach the dead-letter queue. @default no notification */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * One entry of `triggers:` deployed: an EventBridge rule with the compiled event pattern, on the default bus or
 * the trigger's `bus:`, whose target starts the state machine with the compiled InputTransformer, through a
 * role that may start this state machine and nothing else; undelivered events go to a dead-letter queue with
 * an alarm.
 */
export class WorkflowTrigger extends Construct {
  readonly rule: events.Rule;
  /** The bus the rule is on; absent for the account's default bus. */
  readonly eventBus?: events.IEventBus;
  /** The role EventBridge starts executions with. */
  readonly role: iam.Role;
  readonly deadLetterQueue: TriggerDeadLetterQueue;

  constructor(scope: Construct, id: string, props: WorkflowTriggerProps) {
    super(scope, id);
    const trigger = props.trigger;
    const described = `Trigger ${trigger.index} (${trigger.kind}:) of Ork workflow ${props.workflow}`;
    const retryAttempts = props.retryAttempts ?? DEFAULT_TRIGGER_RETRY_ATTEMPTS;
    const maxEventAge = props.maxEventAge ?? DEFAULT_TRIGGER_MAX_EVENT_AGE;
    // EventBridge's bounds (RetryPolicy: 0–185 attempts, 60 s – 24 h of event age).
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185)
      throw new TriggerDeployError(`${this.node.path}: retryAttempts must be an integer from 0 to 185, not ${retryAttempts}`);
    const ageSeconds = maxEventAge.toSeconds();
    if (ageSeconds < 60 || ageSeconds > 86_400)
      throw new TriggerDeployError(`${this.node.path}: maxEventAge must be from 1 minute to 24 hours, not ${ageSeconds} seconds`);

    if (trigger.bus !== undefined) {
      this.eventBus = trigger.bus.startsWith('arn:')
        ? events.EventBus.fromEventBusArn(this, 'EventBus', trigger.bus)
        : events.EventBus.fromEventBusName(this, 'EventBus', trigger.bus);
    }
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: `${described}: starts executions of its state machine, nothing else`,
    });
    this.deadLetterQueue = new TriggerDeadLetterQueue(this, 'DeadLetterQueue', {
      description: described,
      ...(props.removalPolicy !== undefined ? { removalPolicy: props.removalPolicy } : {}),
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: `${described}: starts an execution for each matching event`,
      // A copy: CDK merges patterns into the object it is given, and the manifest's stays as compiled.
      eventPattern: structuredClone(trigger.eventPattern) as events.EventPattern,
      ...(this.eventBus ? { eventBus: this.eventBus } : {}),
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          input: new TriggerTargetInput(trigger.inputTransformer),
          role: this.role,
          deadLetterQueue: this.deadLetterQueue.queue,
          maxEventAge,
          retryAttempts,
        }),
      ],
    });
    if (trigger.bus?.startsWith('arn:')) {
      // CDK names an imported bus by the name part of its ARN, which would put the rule on the bus of that
      // name in this stack's account. PutRule takes the ARN, another account's bus included ("Permissions for
      // event buses", docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html): pass it whole.
      (this.rule.node.defaultChild as events.CfnRule).eventBusName = trigger.bus;
    }
  }
}

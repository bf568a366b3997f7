import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { TimeZone } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { SCHEDULED_TIME_PARAM, scheduleInput, type ScheduleSpec } from '../../compiler/index.js';

export interface WorkflowScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly schedule: ScheduleSpec;
  /** The workflow's params defaults; the schedule's `input:` goes over them. */
  readonly params: Readonly<Record<string, unknown>>;
  /** @default the schedule's `enabled` */
  readonly enabled?: boolean;
}

/**
 * An EventBridge Scheduler schedule that starts the workflow with its params as execution input, and the time
 * the schedule fired for as `params.scheduled_time`: Scheduler substitutes `<aws.scheduler.scheduled-time>`
 * with that time in ISO 8601 UTC to the second (2022-03-22T18:59:43Z, "Adding context attributes",
 * docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html), the format of
 * formatScheduledTime, which `ork run --scheduled-time` and `ork backfill` pass.
 */
export class WorkflowSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: WorkflowScheduleProps) {
    super(scope, id);
    const spec = props.schedule;
    // What ork backfill gives each time, too (scheduleInput), with the time Scheduler substitutes.
    const input = { ...scheduleInput(props.params, spec), [SCHEDULED_TIME_PARAM]: scheduler.ContextAttribute.scheduledTime };
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Runs Ork workflow ${props.stateMachine.stateMachineArn}`,
      schedule: scheduler.ScheduleExpression.expression(spec.expression, spec.timezone ? TimeZone.of(spec.timezone) : undefined),
      target: new targets.StepFunctionsStartExecution(props.stateMachine, { input: scheduler.ScheduleTargetInput.fromObject(input) }),
      enabled: props.enabled ?? spec.enabled,
      ...(spec.flexibleWindowSeconds ? { timeWindow: scheduler.TimeWindow.flexible(Duration.seconds(Math.max(60, spec.flexibleWindowSeconds))) } : {}),
    });
  }
}

import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { TimeZone } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ScheduleSpec } from '../../compiler/index.js';

export interface WorkflowScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly schedule: ScheduleSpec;
  /** The workflow's params defaults; the schedule's `input:` goes over them. */
  readonly params: Readonly<Record<string, unknown>>;
  /** @default the schedule's `enabled` */
  readonly enabled?: boolean;
}

/** An EventBridge Scheduler schedule that starts the workflow with its params as execution input. */
export class WorkflowSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: WorkflowScheduleProps) {
    super(scope, id);
    const spec = props.schedule;
    const input = { ...props.params, ...(spec.input ?? {}) };
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Runs Ork workflow ${props.stateMachine.stateMachineArn}`,
      schedule: scheduler.ScheduleExpression.expression(spec.expression, spec.timezone ? TimeZone.of(spec.timezone) : undefined),
      target: new targets.StepFunctionsStartExecution(props.stateMachine, { input: scheduler.ScheduleTargetInput.fromObject(input) }),
      enabled: props.enabled ?? spec.enabled,
      ...(spec.flexibleWindowSeconds ? { timeWindow: scheduler.TimeWindow.flexible(Duration.seconds(Math.max(60, spec.flexibleWindowSeconds))) } : {}),
    });
  }
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkflowMonitoringProps {
  readonly workflow: string;
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  /** Namespace of the metrics tasks record with ctx.metrics. @default 'Ork' */
  readonly metricsNamespace?: string;
  /** Notified when an alarm fires. @default no notification */
  readonly alarmTopic?: sns.ITopic;
  /**
   * The dead-letter queue of each trigger and its alarm (WorkflowTrigger), by trigger label: graphed and
   * shown beside the execution alarms. @default no triggers
   */
  readonly deadLetterQueues?: ReadonlyMap<string, { readonly queue: sqs.IQueue; readonly alarm: cloudwatch.IAlarm }>;
}

/**
 * A CloudWatch dashboard per workflow and alarms on failed and timed-out executions; with triggers, their
 * dead-letter queues (events EventBridge could not deliver) and the alarms on them.
 */
export class WorkflowMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly failedAlarm: cloudwatch.Alarm;
  readonly timedOutAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkflowMonitoringProps) {
    super(scope, id);
    const sm = props.stateMachine;
    const period = Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `Ork-${props.workflow}`.slice(0, 255) });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# Ork workflow **${props.workflow}**`, width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Executions',
        width: 12,
        left: [
          sm.metricStarted({ period }),
          sm.metricSucceeded({ period }),
          sm.metricFailed({ period }),
          sm.metricTimedOut({ period }),
          sm.metricAborted({ period }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Execution time',
        width: 12,
        left: [sm.metricTime({ period, statistic: 'Average' }), sm.metricTime({ period, statistic: 'p90' }), sm.metricTime({ period, statistic: 'Maximum' })],
      }),
    );
    const tasks = [...props.functions.entries()];
    if (tasks.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Task errors', width: 8, left: tasks.map(([name, fn]) => fn.metricErrors({ period, label: name })) }),
        new cloudwatch.GraphWidget({
          title: 'Task duration (p90)',
          width: 8,
          left: tasks.map(([name, fn]) => fn.metricDuration({ period, statistic: 'p90', label: name })),
        }),
        new cloudwatch.GraphWidget({ title: 'Task throttles', width: 8, left: tasks.map(([name, fn]) => fn.metricThrottles({ period, label: name })) }),
      );
    }
    const namespace = props.metricsNamespace ?? 'Ork';
    // Tasks may record any metric name, so the widget searches rather than listing names known at deploy.
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Task metrics (ctx.metrics)',
        width: 24,
        left: [
          new cloudwatch.MathExpression({ expression: `SEARCH('{${namespace},Workflow,Task} Workflow="${props.workflow}"', 'Sum', 300)`, label: '', period }),
        ],
      }),
    );

    this.failedAlarm = sm.metricFailed({ period: Duration.minutes(1), statistic: 'Sum' }).createAlarm(this, 'FailedAlarm', {
      alarmDescription: `An execution of Ork workflow ${props.workflow} failed`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.timedOutAlarm = sm.metricTimedOut({ period: Duration.minutes(1), statistic: 'Sum' }).createAlarm(this, 'TimedOutAlarm', {
      alarmDescription: `An execution of Ork workflow ${props.workflow} timed out`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      for (const alarm of [this.failedAlarm, this.timedOutAlarm]) alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    }
    const deadLetters = [...(props.deadLetterQueues ?? new Map()).entries()];
    if (deadLetters.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Trigger events not delivered (dead-letter queues)',
          width: 24,
          left: deadLetters.map(([label, { queue }]) => queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label })),
        }),
      );
    }
    const alarms = [this.failedAlarm, this.timedOutAlarm, ...deadLetters.map(([, { alarm }]) => alarm)];
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, height: 3, alarms }));
  }
}

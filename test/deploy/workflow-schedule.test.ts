import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, idOf, list, type Json } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';

/** The schedule of a workflow (lib/deploy/workflow-schedule.ts) in the shared deploy app. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('template', () => {
  it('schedules the state machine with the params (under the schedule input) and the scheduled time as execution input', () => {
    const { stack, construct } = built.locate('deploy_settings');
    const schedules = built.resourcesUnder(construct, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const props = schedules[0]![1].Properties as Json;
    const target = props.Target as Json;
    expect(target.Arn).toEqual({ Ref: idOf(construct.stateMachine) });
    // Scheduler puts the time it fired for in place of <aws.scheduler.scheduled-time> (2022-03-22T18:59:43Z).
    expect(JSON.parse(target.Input as string)).toEqual({
      date: '2024-01-15',
      limit: 99,
      region: 'eu',
      mode: 'scheduled',
      scheduled_time: '<aws.scheduler.scheduled-time>',
    });
    expect(props.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(props.ScheduleExpressionTimezone).toBe('Europe/Paris');
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    expect(props.State).toBe('ENABLED');
    // The scheduler's role may start this state machine only.
    const roleId = (target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = built.statementsOf(stack, roleId);
    expect(statements.flatMap(actionsOf)).toEqual(['states:StartExecution']);
    expect(statements.flatMap((s) => list(s.Resource))).toEqual([{ Ref: idOf(construct.stateMachine) }]);

    const other = built.locate('deploy_defaults');
    const [rate] = built.resourcesUnder(other.construct, 'AWS::Scheduler::Schedule');
    const rateProps = rate?.[1].Properties as Json;
    expect(rateProps.ScheduleExpression).toBe('rate(1 hour)');
    // No timezone in workflow.yaml: UTC (CDK writes it out explicitly).
    expect([undefined, 'Etc/UTC', 'UTC']).toContain(rateProps.ScheduleExpressionTimezone);
    expect(rateProps.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(JSON.parse((rateProps.Target as Json).Input as string)).toEqual({ scheduled_time: '<aws.scheduler.scheduled-time>' });
    // Workflows without `schedule:` get none.
    for (const workflow of built.allWorkflows().filter((w) => !built.manifests.get(w)?.schedule)) {
      expect(built.resourcesUnder(built.locate(workflow).construct, 'AWS::Scheduler::Schedule'), workflow).toEqual([]);
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { idOf, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { SNS_TOPIC_ARN } from '../support/deploy-app/test-workflows.js';

/** The dashboard and alarms of each workflow (lib/deploy/workflow-monitoring.ts) in the shared deploy app. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('template', () => {
  it('has a dashboard and alarms on failed and timed-out executions, notifying the topic when given', () => {
    for (const workflow of built.allWorkflows()) {
      const { construct } = built.locate(workflow);
      const mine = (type: string): Resource[] => built.resourcesUnder(construct, type).map(([, r]) => r);
      const dashboards = mine('AWS::CloudWatch::Dashboard');
      expect(dashboards, workflow).toHaveLength(1);
      expect(dashboards[0]?.Properties?.DashboardName).toBe(`Ork-${workflow}`);
      const all = mine('AWS::CloudWatch::Alarm');
      const alarms = all.filter((a) => a.Properties?.Namespace === 'AWS/States');
      expect(alarms.map((a) => a.Properties?.MetricName).sort(), workflow).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
      // Beside them, one on each trigger's dead-letter queue (test/deploy/workflow-trigger.test.ts).
      expect(
        all.filter((a) => a.Properties?.Namespace === 'AWS/SQS'),
        workflow,
      ).toHaveLength(construct.triggers.length);
      expect(all, workflow).toHaveLength(alarms.length + construct.triggers.length);
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({
          Namespace: 'AWS/States',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(alarm.Properties?.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: idOf(construct.stateMachine) } }]);
        if (workflow === 'deploy_settings' || workflow === 'deploy_triggers') expect(alarm.Properties?.AlarmActions).toEqual([SNS_TOPIC_ARN]);
        else expect(alarm.Properties?.AlarmActions).toBeUndefined();
      }
    }
  });
});

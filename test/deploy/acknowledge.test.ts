import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { CONTROL_STACK } from '../support/deploy-app/test-workflows.js';

/** cdk-nag over the shared deploy app: nothing unacknowledged, and every acknowledgement (lib/deploy/acknowledge.ts) with a reason. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('cdk-nag AwsSolutions', () => {
  interface ReportViolation {
    ruleName: string;
    severity: string;
    violatingConstructs: { constructPath: string }[];
  }
  interface PluginReport {
    pluginName: string;
    conclusion: string;
    metadata?: { error?: string };
    violations: ReportViolation[];
  }
  const report = (): PluginReport[] => {
    const file = path.join(built.outdir, 'validation-report.json');
    expect(existsSync(file), 'CDK writes validation-report.json when validation plugins are registered').toBe(true);
    return (JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: PluginReport[] }).pluginReports;
  };

  it('ran at synth and flags the bare control bucket (so an empty result means something)', () => {
    const nag = report().find((r) => r.pluginName === 'AwsSolutions');
    expect(nag, 'the AwsSolutions plugin report').toBeDefined();
    expect(nag?.conclusion).toBe('failure');
    const controlRules = (nag?.violations ?? [])
      .filter((v) => v.violatingConstructs.some((c) => c.constructPath.startsWith(`${CONTROL_STACK}/`)))
      .map((v) => v.ruleName);
    // S10: no SSL-only policy; S1: no access logs. Both errors of the pack.
    expect(controlRules).toEqual(expect.arrayContaining(['AwsSolutions-S10', 'AwsSolutions-S1']));
  });

  it('reports no unacknowledged finding (error or warning) on any Ork stack', () => {
    const offending: string[] = [];
    for (const plugin of report()) {
      // A plugin that crashed reports failure with no violations, only this message.
      if (plugin.metadata?.error) offending.push(`${plugin.pluginName} crashed: ${plugin.metadata.error}`);
      for (const violation of plugin.violations) {
        for (const c of violation.violatingConstructs) {
          if (!c.constructPath.startsWith(`${CONTROL_STACK}/`))
            offending.push(`${plugin.pluginName} ${violation.severity} ${violation.ruleName} at ${c.constructPath}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('gives every acknowledgement a reason a reviewer can judge', () => {
    const weak: string[] = [];
    let count = 0;
    const acknowledgedRules = new Set<string>();
    for (const name of built.stacks.keys()) {
      for (const [id, resource] of built.resources(name)) {
        const rules = (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? [];
        for (const rule of rules) {
          count += 1;
          acknowledgedRules.add(rule.id.replace(/\[.*$/, ''));
          const reason = String(rule.reason ?? '').trim();
          // A real reason: a sentence of its own, not the rule id or a placeholder.
          if (reason.length < 50 || reason.split(/\s+/).length < 8 || reason.includes(rule.id) || /^(todo|n\/a|ok|suppress)/i.test(reason)) {
            weak.push(`${name}/${id} ${rule.id}: "${reason}"`);
          }
        }
      }
    }
    expect(weak).toEqual([]);
    expect(count).toBeGreaterThan(0);
    // What is acknowledged at all; a new kind of finding deserves a look in review.
    expect([...acknowledgedRules].sort()).toEqual(expect.arrayContaining(['AwsSolutions-IAM5', 'AwsSolutions-S1']));
    // CDK acknowledges its own CloudFormation-Validate findings (W3010, literal AZs of a Stack) the same way.
    for (const rule of [...acknowledgedRules].filter((r) => !r.startsWith('CloudFormation-Validate::'))) {
      expect(['AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-L1', 'AwsSolutions-ECS2', 'AwsSolutions-SQS3', 'AwsSolutions-IAM4']).toContain(rule);
    }
  });

  it("acknowledges no IAM4 (AWS managed policy) but that of aws-cdk-lib's bucket-notifications handler, and no wildcard beyond the documented ones", () => {
    let handlers = 0;
    for (const name of built.stacks.keys()) {
      for (const [id, resource] of built.resources(name)) {
        for (const rule of (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? []) {
          // aws-cdk-lib attaches AWSLambdaBasicExecutionRole to the role of the handler that turns EventBridge
          // notifications on for triggerBuckets (lib/deploy/trigger-buckets.ts); Ork's own roles have none.
          if (/IAM4/.test(rule.id)) {
            expect(id, `${name}/${id}`).toMatch(/^BucketNotificationsHandler050a0587b7544547bf325f094a3db834Role[0-9A-F]{8}$/);
            expect(rule.id).toBe('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]');
            handlers += 1;
          }
          const resourceWildcard = /^AwsSolutions-IAM5\[Resource::(.*)\]$/.exec(rule.id)?.[1];
          // `*` only for APIs without resource-level permissions; otherwise a workflow-owned ARN pattern: a
          // function's versions, a log group's streams, the workflow's prefix or Distributed Map results prefix of
          // its bucket, executions of its state machine (Distributed Map's children); or the KMS keys of the account
          // (or of a secret's ARN) that a task with `secrets:` may use through Secrets Manager and SSM only.
          if (resourceWildcard !== undefined && resourceWildcard !== '*') {
            expect(resourceWildcard, `${name}/${id}`).toMatch(
              /^<[A-Za-z0-9]+\.Arn>(:\*|:log-stream:\*|\/[\w-]+\/\*|\/ork-results\/[\w-]+\/\*)$|^arn:<AWS::Partition>:states:(<AWS::Region>|[\w-]+):(<AWS::AccountId>|\d{12}):(execution|express):[\w-]+(:|\/)\*$|^arn:(<AWS::Partition>|aws[\w-]*):kms:(<AWS::Region>|[\w-]+):(<AWS::AccountId>|\d{12}):key\/\*$/,
            );
          }
        }
      }
    }
    // The triggers test stack turns notifications on for a bucket (test-workflows.ts).
    expect(handlers).toBeGreaterThan(0);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, allStates, getAtt, idOf, key, list, type Json, type Resource, type Statement } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import type { WorkflowFacts } from '../support/deploy-app/snapshot.js';

/**
 * The Distributed Map permissions (lib/deploy/distributed-map-policy.ts) of the shared deploy app's large
 * fan-out workflow, as OrkWorkflow grants them; distributed-map.test.ts checks the policy on a hand-built
 * definition.
 */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('Distributed Map (the large fan-out workflow)', () => {
  const workflow = 'deploy_scale';
  const distributedMaps = (definition: Json): [string, Json][] =>
    allStates(definition).filter(
      ([, s]) => s.Type === 'Map' && ((s.ItemProcessor as Json | undefined)?.ProcessorConfig as Json | undefined)?.Mode === 'DISTRIBUTED',
    );
  const policyOf = (construct: WorkflowFacts): Statement[] => {
    const policy = construct.distributedMapPolicy?.policy;
    if (!policy) throw new Error(`${construct.path}: no Distributed Map policy`);
    const resource = (built.template(built.locate(workflow).stack).Resources as Record<string, Resource>)[idOf(policy)];
    expect(resource?.Properties?.Roles).toEqual([{ Ref: idOf(construct.stateMachineRole) }]);
    return (resource?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
  };
  const on = (statements: Statement[], action: string): string[] =>
    statements
      .filter((s) => actionsOf(s).includes(action))
      .flatMap((s) => list(s.Resource))
      .map(key)
      .sort();

  it('compiles to a Distributed Map that writes its results to the substituted payload bucket', () => {
    const { construct } = built.locate(workflow);
    const { definition, substitutions } = built.definitionOf(workflow);
    const maps = distributedMaps(definition);
    expect(maps.map(([name]) => name)).toEqual(['process-distributed']);
    const map = maps[0]![1];
    expect(map).toMatchObject({ MaxConcurrency: 500, ToleratedFailurePercentage: 5, ItemBatcher: { MaxItemsPerBatch: 10 } });
    // Deployed as the decimal strict ASL parsers read (compiler/emit/definition-text.ts).
    expect(built.definitionOf(workflow).properties.DefinitionString as string).toContain('"ToleratedFailurePercentage":5.0,');
    expect(map.ResultWriter).toMatchObject({ Parameters: { Bucket: '${OrkPayloadBucket}', Prefix: `ork-results/${workflow}/process` } });
    expect(substitutions.OrkPayloadBucket).toEqual({ Ref: idOf(construct.payloadBucket) });
    // Every workflow is given the bucket, used or not (CloudFormation ignores unused substitutions).
    for (const other of built.allWorkflows())
      expect(built.definitionOf(other).substitutions.OrkPayloadBucket, other).toEqual({ Ref: idOf(built.locate(other).construct.payloadBucket) });
  });

  it("lets the role start its own state machine's executions and follow, stop and redrive its children", () => {
    const { construct } = built.locate(workflow);
    const statements = policyOf(construct);
    for (const s of statements) expect(s.Effect).toBe('Allow');
    expect(on(statements, 'states:StartExecution')).toEqual([key({ Ref: idOf(construct.stateMachine) })]);
    const arn = (tail: string): string =>
      key({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail]] });
    const executions = [arn(`:execution:${workflow}:*`), arn(`:execution:${workflow}/*`), arn(`:express:${workflow}/*`)].sort();
    expect(on(statements, 'states:DescribeExecution')).toEqual(executions);
    expect(on(statements, 'states:StopExecution')).toEqual(executions);
    expect(on(statements, 'states:RedriveExecution')).toEqual([arn(`:execution:${workflow}/*`)]);
    // The Lambda grants the children need are the tasks' (children run with the same role).
    const invoke = built
      .statementsOf(built.locate(workflow).stack, idOf(construct.stateMachineRole))
      .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => list(s.Resource)).map(key)).toContain(key(getAtt(idOf(construct.functions.get('process')!))));
    // Workflows without Distributed Maps get none of it.
    for (const other of built.allWorkflows().filter((w) => w !== workflow)) {
      const { stack, construct: c } = built.locate(other);
      if (distributedMaps(built.definitionOf(other).definition).length > 0) continue;
      expect(c.distributedMapPolicy, other).toBeUndefined();
      expect(
        built
          .statementsOf(stack, idOf(c.stateMachineRole))
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('states:') || a.startsWith('s3:')),
        other,
      ).toEqual([]);
    }
  });

  it("scopes the S3 actions to the payload bucket: items under the workflow's prefix, results under its results prefix", () => {
    const { construct } = built.locate(workflow);
    const statements = policyOf(construct);
    const bucketArn = getAtt(idOf(construct.payloadBucket));
    const objects = (prefix: string): string => key({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).filter((a) => !a.startsWith('s3:'))).toEqual([]);
    const actionsOn = new Map<string, string[]>();
    for (const s of s3) for (const r of list(s.Resource).map(key)) actionsOn.set(r, [...(actionsOn.get(r) ?? []), ...actionsOf(s)].sort());
    expect(Object.fromEntries(actionsOn)).toEqual({
      [objects(`${workflow}/`)]: ['s3:GetObject'],
      [objects(`ork-results/${workflow}/`)]: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
    });
    // S3-managed encryption: no key to grant.
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('creates the policy after the state machine (no cycle) and the schedule after the policy', () => {
    const { stack, construct } = built.locate(workflow);
    const all = built.template(stack).Resources as Record<string, Resource & { DependsOn?: string[] }>;
    const policyId = idOf(construct.distributedMapPolicy!.policy);
    expect(key(all[idOf(construct.stateMachine)])).not.toContain(policyId);
    expect(key(all[idOf(construct.stateMachineRole)])).not.toContain(policyId);
    expect(all[idOf(construct.schedule!.schedule)]?.DependsOn).toContain(policyId);
  });
});

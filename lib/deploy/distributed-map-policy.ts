import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, nagResourceName } from './acknowledge.js';

export interface DistributedMapPolicyProps {
  /** The state machine whose Distributed Maps start child executions of it. */
  readonly stateMachine: sfn.IStateMachine;
  /** Its name (plain, so that the execution ARNs read as this machine's in IAM and in cdk-nag findings). */
  readonly stateMachineName: string;
  /** The state machine's role, which its child executions run with too. */
  readonly role: iam.IRole;
  readonly payloadBucket: s3.IBucket;
  /** Where the runtimes store the item lists that ItemReader reads: the workflow's payload prefix (`etl/`). */
  readonly itemsPrefix: string;
  /** Where ResultWriter writes the Map Runs' results (`ork-results/etl/`). */
  readonly resultsPrefix: string;
}

/**
 * What a state machine with Distributed Map states needs beyond its tasks' permissions, and nothing more:
 * each Map Run starts child executions of the machine itself and follows, stops and redrives them; reads the
 * item list from S3 (ItemReader); writes the results to S3 (ResultWriter, by multipart upload). The children
 * run with the same role, so the tasks' grants (lambda:InvokeFunction, ecs:RunTask) already cover them.
 *
 * A separate policy attached to the role, as aws-cdk-lib's own DistributedMap state does, rather than the
 * role's default policy: states:StartExecution names the state machine, which depends on its role and that
 * role's default policy (CloudFormation would see a cycle). Nothing depends on this policy, so it is
 * created after the machine. The role needs it only when an execution runs.
 */
export class DistributedMapPolicy extends Construct {
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: DistributedMapPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.stateMachineName;
    const executions = (kind: 'execution' | 'express', resourceName: string): string =>
      stack.formatArn({ service: 'states', resource: kind, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // A Map Run's children are named `<machine>/<map run>:<child>`, Express ones under `express:`; the
    // machine's own executions are `<machine>:<execution>`. A state machine name cannot contain `/` or `:`,
    // so these patterns match this machine's executions only.
    const ownExecutions = executions('execution', `${name}:*`);
    const childExecutions = executions('execution', `${name}/*`);
    const expressChildren = executions('express', `${name}/*`);
    const items = props.payloadBucket.arnForObjects(`${props.itemsPrefix}*`);
    const results = props.payloadBucket.arnForObjects(`${props.resultsPrefix}*`);

    this.policy = new iam.Policy(this, 'Policy', {
      roles: [props.role],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [ownExecutions, childExecutions, expressChildren],
        }),
        // Redriving a failed execution redrives its Map Runs, whose failed (Standard) children are redriven.
        new iam.PolicyStatement({ actions: ['states:RedriveExecution'], resources: [childExecutions] }),
        // ItemReader: the list the upstream task's runtime stored through the payload store (docs/scale.md).
        new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [items] }),
        // ResultWriter: results and manifest, written by multipart upload (and read back on redrive).
        new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], resources: [results] }),
      ],
    });
    // SSE-KMS: reading an object decrypts it; writing one, in parts, needs a data key and decrypts the parts.
    props.payloadBucket.encryptionKey?.grant(this.policy, 'kms:Decrypt', 'kms:GenerateDataKey');

    const wildcard = (arn: string, reason: string): void => acknowledge(this.policy, `AwsSolutions-IAM5[Resource::${nagResourceName(this, arn)}]`, reason);
    wildcard(
      ownExecutions,
      `Executions of this state machine only (${name}); their names are chosen at run time. Distributed Map follows and stops the executions it starts.`,
    );
    wildcard(
      childExecutions,
      `Child executions of this state machine’s own Map Runs (${name}/<map run>:<child>), named ` +
        `by Step Functions at run time; Distributed Map follows, stops and redrives them.`,
    );
    wildcard(
      expressChildren,
      `Express child executions of this state machine’s own Map Runs (${name}/<map ` +
        `run>:<child>), named by Step Functions at run time; Distributed Map follows and stops ` +
        `them.`,
    );
    wildcard(
      items,
      `ItemReader reads the item lists that this workflow’s tasks store under its own prefix ` +
        `(${props.itemsPrefix}) of the payload bucket, at keys chosen at run time.`,
    );
    wildcard(
      results,
      `ResultWriter writes the Map Run results of this workflow under its own results prefix ` +
        `(${props.resultsPrefix}) of the payload bucket, at keys chosen by Step Functions.`,
    );
  }
}

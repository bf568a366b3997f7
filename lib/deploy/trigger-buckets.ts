import { Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { TriggerRule } from '../../compiler/index.js';
import { acknowledge } from './acknowledge.js';
import { TriggerDeployError } from './workflow-trigger.js';

/**
 * The construct id of aws-cdk-lib's bucket-notifications handler, one per stack (NotificationsResourceHandler,
 * not exported): the Lambda function behind Custom::S3BucketNotifications.
 */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * Turns EventBridge notifications on for the buckets the caller gave (`triggerBuckets`): S3 sends its
 * "Object Created" events to EventBridge only when the bucket says so. Each bucket must be one an `s3:`
 * trigger names, else it is a mistake (a bucket the workflow would never hear from) and synth stops, naming
 * the construct path. Buckets that triggers name but the caller did not give are left as they are: turning
 * their notifications on is the caller's part (docs/deploy.md).
 *
 * aws-cdk-lib does it with a custom resource (Custom::S3BucketNotifications). On a bucket of this app
 * (s3.Bucket) it owns the whole notification configuration; on an imported one (s3.Bucket.fromBucketName) it
 * merges EventBridge into the bucket's existing configuration, keeping its other notifications, and leaves
 * EventBridge on when the stack is deleted (aws-cdk-lib's notifications-resource-handler).
 */
export function enableTriggerBuckets(buckets: readonly s3.IBucket[], triggers: readonly TriggerRule[], constructPath: string): void {
  const named = new Set(triggers.flatMap((t) => t.buckets ?? []));
  for (const bucket of buckets) {
    const name = literalBucketName(bucket);
    if (name === undefined) {
      throw new TriggerDeployError(
        `${constructPath}: triggerBuckets has a bucket (${bucket.node.path}) whose name is known only at deploy ` +
          `time, so no s3: trigger of the workflow can name it; give its name (bucketName, or s3.Bucket.fromBucketName)`,
      );
    }
    if (!named.has(name)) {
      const known = named.size > 0 ? `its s3: triggers name ${[...named].join(', ')}` : 'it has no s3: trigger';
      throw new TriggerDeployError(`${constructPath}: triggerBuckets has bucket ${name}, which no s3: trigger of the workflow names (${known})`);
    }
    bucket.enableEventBridgeNotification();
    acknowledgeNotificationsHandler(bucket);
  }
}

/**
 * aws-cdk-lib gives its notifications handler's role AWSLambdaBasicExecutionRole unconditionally, even a role
 * of the caller's (`notificationsHandlerRole`); that is its one cdk-nag finding.
 */
function acknowledgeNotificationsHandler(bucket: s3.IBucket): void {
  // Its role, which CDK creates unless the bucket names one (`notificationsHandlerRole`, still given the policy).
  const role = Stack.of(bucket).node.tryFindChild(NOTIFICATIONS_HANDLER_ID)?.node.tryFindChild('Role');
  if (!role) return;
  acknowledge(
    role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'aws-cdk-lib’s own S3 bucket-notifications handler, which turns EventBridge notifications on for ' +
      'triggerBuckets: aws-cdk-lib attaches this managed policy (its CloudWatch Logs writes) to the ' +
      'handler’s role itself and offers no way to replace it.',
  );
}

/** The bucket's name when it is known at synth: an imported bucket's, or the `bucketName` a Bucket was given. */
function literalBucketName(bucket: s3.IBucket): string | undefined {
  if (!Token.isUnresolved(bucket.bucketName)) return bucket.bucketName;
  const resource = bucket.node.defaultChild;
  if (resource instanceof s3.CfnBucket && typeof resource.bucketName === 'string' && !Token.isUnresolved(resource.bucketName)) return resource.bucketName;
  return undefined;
}

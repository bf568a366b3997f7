import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledge.js';

export interface PayloadBucketProps {
  /** @default Duration.days(30) */
  readonly expiration?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where task outputs above the SDK's threshold go (Step Functions state is capped at 256 KiB): encrypted,
 * SSL only, never public, and emptied by a lifecycle rule since the data only lives for a run.
 */
export function createPayloadBucket(scope: Construct, id: string, props: PayloadBucketProps = {}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: 'ExpirePayloads', expiration: props.expiration ?? Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'The bucket holds transient task payloads written and read only by this workflow’s own ' +
      'roles and expired by lifecycle; server access logs would need a second bucket per ' +
      'workflow, and object-level auditing is available through CloudTrail data events where an ' +
      'account requires it.',
  );
  return bucket;
}

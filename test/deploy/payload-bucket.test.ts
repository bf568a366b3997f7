import { beforeAll, describe, expect, it } from 'vitest';
import { idOf, key, type Json, type Resource, type Statement } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';

/** The payload bucket of each workflow (lib/deploy/payload-bucket.ts) in the shared deploy app. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('template', () => {
  it('makes the payload bucket encrypted, private, SSL only and self-emptying', () => {
    for (const workflow of built.allWorkflows()) {
      const { stack, construct } = built.locate(workflow);
      const bucketId = idOf(construct.payloadBucket);
      const all = built.template(stack).Resources as Record<string, Resource>;
      const props = all[bucketId]?.Properties ?? {};
      expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const rules = (props.LifecycleConfiguration as { Rules: Json[] }).Rules;
      expect(rules).toEqual([expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })]);
      const policies = Object.values(all).filter((r) => r.Type === 'AWS::S3::BucketPolicy' && key(r.Properties?.Bucket) === key({ Ref: bucketId }));
      expect(policies).toHaveLength(1);
      const statements = (policies[0]?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

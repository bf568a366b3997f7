import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct (cdk-nag 3 uses CDK's Validations). Every call carries
 * the reason a reviewer would need; findings with a detail (IAM5 wildcards) are acknowledged one by one.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

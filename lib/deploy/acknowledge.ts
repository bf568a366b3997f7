import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges a cdk-nag finding on a construct (cdk-nag 3 uses CDK's Validations). Every call carries
 * the reason a reviewer would need; findings with a detail (IAM5 wildcards) are acknowledged one by one.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * An IAM resource as cdk-nag's IAM5 names it in a finding (`AwsSolutions-IAM5[Resource::<this>]`): the
 * resolved value with `Fn::Join` joined, `Fn::GetAtt` as `<Id.Attr>` and `Ref` as `<Id>` (cdk-nag's
 * flattenCfnReference, which it does not export). For ARNs built with `Stack.formatArn`, whose partition,
 * region and account are pseudo parameters or literals depending on the stack's environment.
 */
export function nagResourceName(scope: IConstruct, value: unknown): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const object = node as Record<string, unknown>;
    if (object['Fn::Join']) {
      const [delimiter, items] = object['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (object['Fn::Sub']) return visit(object['Fn::Sub']);
    if (object['Fn::GetAtt']) {
      const [resource, attribute] = object['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    if (object['Fn::ImportValue']) return visit(object['Fn::ImportValue']);
    if (object.Ref) return `<${visit(object.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { secretReference, type TaskManifestEntry } from '../../compiler/index.js';
import { Environment } from '../../lambdas/contract/contract.js';
import { acknowledge, nagResourceName } from './acknowledge.js';

/**
 * The hyphen and six random characters Secrets Manager appends to a secret's name in its ARN (`prod/db-AbCdEf`).
 * An ARN that ends so is taken as a full ARN, as Secrets Manager itself takes it (user guide, troubleshooting:
 * "Finding a secret from a partial ARN"); a name or a partial ARN matches the secret's ARN in IAM only with a
 * pattern for the suffix: `-??????`, six characters exactly, where `*` would also match `prod/db-old-AbCdEf`.
 */
const SECRET_SUFFIX = /-[A-Za-z0-9]{6}$/;
const ANY_SECRET_SUFFIX = '-??????';

/** `ORK_SECRETS`: the names the task may read (a JSON list), which its runtime checks a read against. Never a value. */
export function secretsEnvironment(task: TaskManifestEntry): Record<string, string> {
  const secrets = task.secrets ?? [];
  return secrets.length > 0 ? { [Environment.secrets]: JSON.stringify(secrets.map((s) => s.name)) } : {};
}

/**
 * What the role of a task that lists `secrets:` may do with them (docs/deploy.md, "Secrets"), and nothing for a
 * task without: secretsmanager:GetSecretValue on each secret (its ARN, any version), ssm:GetParameter on each
 * parameter, and kms:Decrypt of the keys that encrypt them only when the call comes through Secrets Manager or
 * SSM (`kms:ViaService`), since the keys are the account's or the secret owner's, not known here.
 */
export function grantTaskSecrets(role: iam.IRole, task: TaskManifestEntry): void {
  const secrets = task.secrets ?? [];
  if (secrets.length === 0) return;
  const stack = Stack.of(role);
  const secretArns: string[] = [];
  const parameterArns: string[] = [];
  const viaServices = new Set<string>();
  const keyArns = new Set<string>();
  for (const { name, service } of secrets) {
    const { arn } = secretReference(name);
    const region = arn ? arn.region : stack.region;
    if (service === 'secretsmanager') {
      secretArns.push(
        arn
          ? SECRET_SUFFIX.test(arn.resource)
            ? name
            : `${name}${ANY_SECRET_SUFFIX}`
          : stack.formatArn({
              service: 'secretsmanager',
              resource: 'secret',
              resourceName: `${name}${ANY_SECRET_SUFFIX}`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
      );
    } else {
      parameterArns.push(
        arn ? name : stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      );
    }
    // The service endpoint the SDK calls, in the secret's region (an ARN's, or the stack's).
    viaServices.add(`${service}.${region}.amazonaws.com`);
    keyArns.add(arn ? `arn:${arn.partition}:kms:${region}:${arn.account}:key/*` : stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' }));
  }
  if (secretArns.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
  if (parameterArns.length > 0) role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: parameterArns }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [...keyArns], conditions: { StringEquals: { 'kms:ViaService': [...viaServices] } } }),
  );
  for (const key of keyArns) {
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceName(role, key)}]`,
      `kms:Decrypt of the key that encrypts this task’s secrets, which may be any key of the account: only ` +
        `through ${[...new Set(secrets.map((s) => s.service))].join(' and ')} (condition kms:ViaService), on ` +
        `behalf of the GetSecretValue/GetParameter calls this role is allowed on its own secrets.`,
    );
  }
}

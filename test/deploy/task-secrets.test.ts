import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, idOf, key, list, type Json, type Resource, type Statement } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { SECRET_SENTINEL } from '../support/deploy-app/test-workflows.js';

/**
 * Secrets on AWS (docs/deploy.md, "Secrets"), read from the shared deploy app, whose cdk-nag and cfn-lint tests
 * cover these tasks too: deploy_settings' `extract` lists a Secrets Manager secret and an SSM parameter, `load`
 * none; deploy_containers' `train` (a container task) a secret; deploy_node's `fetch` the ARNs of a secret and a
 * parameter of another account.
 */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

const join = (...parts: unknown[]): Json => ({ 'Fn::Join': ['', parts] });
const arn = (service: string, tail: string): Json =>
  join('arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail);
const via = (service: string): Json => join(`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com');
const SECRET_ACTIONS = /^(secretsmanager|ssm|kms):/;

/** The statements of a role that grant an action of Secrets Manager, SSM or KMS, each reduced to what it grants. */
function secretGrants(stack: string, role: string): { actions: string[]; resources: unknown[]; condition?: unknown }[] {
  return built
    .statementsOf(stack, role)
    .filter((s: Statement) => actionsOf(s).some((a) => SECRET_ACTIONS.test(a)))
    .map((s) => ({ actions: actionsOf(s), resources: list(s.Resource), ...(s.Condition ? { condition: s.Condition } : {}) }));
}

function environmentOf(stack: string, logicalId: string): Json {
  const resource = (built.template(stack).Resources as Record<string, Resource>)[logicalId];
  return ((resource?.Properties?.Environment as { Variables?: Json } | undefined)?.Variables ?? {}) as Json;
}

describe("each task's role reads exactly its own secrets", () => {
  it('task A may read its secret and its parameter, and decrypt only through Secrets Manager and SSM', () => {
    const { stack, construct } = built.locate('deploy_settings');
    const extract = construct.functions.get('extract')!;
    expect(secretGrants(stack, idOf(extract.role!))).toEqual([
      { actions: ['secretsmanager:GetSecretValue'], resources: [arn('secretsmanager', ':secret:prod/warehouse-??????')] },
      { actions: ['ssm:GetParameter'], resources: [arn('ssm', ':parameter/ork/api-token')] },
      {
        actions: ['kms:Decrypt'],
        resources: [arn('kms', ':key/*')],
        condition: { StringEquals: { 'kms:ViaService': [via('secretsmanager'), via('ssm')] } },
      },
    ]);
    // The runtime learns the names it may read, and nothing else.
    expect(environmentOf(stack, idOf(extract)).ORK_SECRETS).toBe(JSON.stringify(['prod/warehouse', '/ork/api-token']));
  });

  it('task B, which lists no secrets, has none of those grants and no ORK_SECRETS', () => {
    const { stack, construct } = built.locate('deploy_settings');
    const load = construct.functions.get('load')!;
    expect(secretGrants(stack, idOf(load.role!))).toEqual([]);
    expect(environmentOf(stack, idOf(load))).not.toHaveProperty('ORK_SECRETS');
  });

  it("a container task's secrets are granted to its task role, which its code runs as, not to its execution role", () => {
    const { stack, construct } = built.locate('deploy_containers');
    const train = construct.taskDefinitions.get('train')!;
    expect(secretGrants(stack, idOf(train.taskRole))).toEqual([
      { actions: ['secretsmanager:GetSecretValue'], resources: [arn('secretsmanager', ':secret:prod/model-registry-??????')] },
      { actions: ['kms:Decrypt'], resources: [arn('kms', ':key/*')], condition: { StringEquals: { 'kms:ViaService': [via('secretsmanager')] } } },
    ]);
    expect(secretGrants(stack, idOf(train.executionRole!))).toEqual([]);
    const [container] = (built.template(stack).Resources as Record<string, Resource>)[idOf(train)]?.Properties?.ContainerDefinitions as Json[];
    const env = Object.fromEntries((container?.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    expect(env.ORK_SECRETS).toBe(JSON.stringify(['prod/model-registry']));
  });

  it("an ARN is granted as given (a partial one with the suffix pattern), with its account's keys through its region's services", () => {
    const { stack, construct } = built.locate('deploy_node');
    expect(secretGrants(stack, idOf(construct.functions.get('fetch')!.role!))).toEqual([
      { actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared/api-key-??????'] },
      { actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:eu-west-1:210987654321:parameter/shared/endpoint'] },
      {
        actions: ['kms:Decrypt'],
        resources: ['arn:aws:kms:eu-west-1:210987654321:key/*'],
        condition: { StringEquals: { 'kms:ViaService': ['secretsmanager.eu-west-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'] } },
      },
    ]);
  });

  it('no other role of the app may read a secret or a parameter', () => {
    const expected = new Set<string>();
    const found = new Set<string>();
    for (const [workflow, construct] of built.workflows) {
      for (const task of built.manifests.get(workflow)!.tasks) {
        if (!task.secrets) continue;
        const role = task.executor === 'container' ? construct.taskDefinitions.get(task.name)!.taskRole : construct.functions.get(task.name)!.role!;
        expected.add(`${construct.stack}/${idOf(role)}`);
      }
    }
    for (const stack of built.stacks.keys()) {
      for (const [id] of built.resources(stack, 'AWS::IAM::Role')) {
        const reads = built.statementsOf(stack, id).some((s) => actionsOf(s).some((a) => /^(secretsmanager|ssm):/.test(a)));
        if (reads) found.add(`${stack}/${id}`);
      }
    }
    expect([...found].sort()).toEqual([...expected].sort());
    expect(expected.size).toBe(3);
  });
});

describe('no secret value in what synth writes', () => {
  /** Every file of the cloud assembly: templates, the asset manifest, and each asset's staged code. */
  function assemblyFiles(directory: string): string[] {
    return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) return assemblyFiles(full);
      return entry.isFile() ? [full] : [];
    });
  }

  it("the value in the settings workflow's .ork/secrets.json is in no template, environment, asset or manifest", () => {
    // The control: the value is there for `ork run` to read, beside the workflow that is deployed.
    expect(readFileSync(path.join(built.testDirs.settings, '.ork', 'secrets.json'), 'utf8')).toContain(SECRET_SENTINEL);
    for (const stack of built.stacks.keys()) expect(key(built.template(stack)), stack).not.toContain(SECRET_SENTINEL);
    const files = assemblyFiles(built.outdir);
    expect(files.length).toBeGreaterThan(built.stacks.size);
    const sentinel = Buffer.from(SECRET_SENTINEL);
    const holding = files.filter((file) => readFileSync(file).includes(sentinel));
    expect(holding).toEqual([]);
  });
});

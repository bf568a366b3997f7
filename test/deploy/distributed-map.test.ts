import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Placeholders, resultsPrefix, type FanOutMap, type TaskManifestEntry } from '../../compiler/index.js';
import { DistributedMapPolicy } from '../../lib/deploy/distributed-map-policy.js';
import { checkResultWriters, distributedMapsOf } from '../../lib/deploy/distributed-maps.js';
import { createPayloadBucket } from '../../lib/deploy/payload-bucket.js';
import { functionTimeout } from '../../lib/deploy/task-timeout.js';
import { compileCleanly, FIXTURES_DIR } from '../support/workflows.js';

/**
 * The Distributed Map permissions on a hand-built definition of docs/scale.md's shape (a batched
 * Distributed Map, nested in a Parallel branch beside an inline Map), independent of the compiler. A small
 * app without assets (well under a second to synthesize): cdk-nag over it, cfn-lint over its templates
 * (E3601 checks the Distributed Map fields against the schema, E3004 would catch a dependency cycle).
 * The compiled workflow in distributed-map-policy.test.ts checks the same through OrkWorkflow.
 */

type Json = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const WORKFLOW = 'scale_unit';
const LAMBDA = 'arn:aws:lambda:eu-west-1:123456789012:function:process';

const distributedMap = (prefix = `ork-results/${WORKFLOW}/process`, bucket = `\${${Placeholders.payloadBucket}}`): Json => ({
  Type: 'Map',
  ItemReader: {
    Resource: 'arn:aws:states:::s3:getObject',
    ReaderConfig: { InputType: 'JSON' },
    Parameters: { 'Bucket.$': '$.results.discover.files.ork_items.bucket', 'Key.$': '$.results.discover.files.ork_items.key' },
  },
  ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index' },
  ItemBatcher: { MaxItemsPerBatch: 10, BatchInput: { 'params.$': '$.params' } },
  ItemProcessor: {
    ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
    StartAt: 'process-child',
    States: {
      'process-child': { Type: 'Task', Resource: '${OrkFunction_process}', Parameters: { 'batch.$': '$.Items', 'params.$': '$.BatchInput.params' }, End: true },
    },
  },
  MaxConcurrency: 500,
  ToleratedFailurePercentage: 5,
  ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: bucket, Prefix: prefix } },
  ResultSelector: { ork_results: { 'bucket.$': '$.ResultWriterDetails.Bucket', 'key.$': '$.ResultWriterDetails.Key', per_child: 'list' } },
  ResultPath: '$.results.process',
  End: true,
});

const inlineMap: Json = {
  Type: 'Map',
  ItemsPath: '$.items',
  ItemProcessor: { StartAt: 'one', States: { one: { Type: 'Task', Resource: '${OrkFunction_process}', End: true } } },
  End: true,
};

/** The Distributed Map one level down (a Parallel branch), beside an inline Map in the other branch. */
const DEFINITION: Json = {
  StartAt: 'fan-out',
  States: {
    'fan-out': {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'process-distributed', States: { 'process-distributed': distributedMap() } },
        { StartAt: 'process-inline', States: { 'process-inline': inlineMap } },
      ],
      End: true,
    },
  },
};

interface Fixture {
  readonly stack: Stack;
  readonly bucket: s3.IBucket;
  readonly key?: kms.Key;
  readonly machine: sfn.StateMachine;
  readonly role: iam.Role;
  readonly policy: DistributedMapPolicy;
}

let tmp: string;
let outdir: string;
const fixtures = new Map<string, Fixture>();

/** What OrkWorkflow builds around the policy, cut down to the pieces it refers to. */
function fixture(app: App, id: string, props: { env?: { account: string; region: string }; kmsKey?: boolean }): Fixture {
  const stack = new Stack(app, id, props.env ? { env: props.env } : {});
  let key: kms.Key | undefined;
  let bucket: s3.IBucket;
  if (props.kmsKey) {
    key = new kms.Key(stack, 'PayloadKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    bucket = new s3.Bucket(stack, 'PayloadBucket', { encryptionKey: key, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'A test bucket that is never deployed; server access logs are irrelevant to what the test checks.',
    });
  } else {
    bucket = createPayloadBucket(stack, 'PayloadBucket', { expiration: Duration.days(1) });
  }
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
  const machine = new sfn.StateMachine(stack, 'Machine', {
    stateMachineName: WORKFLOW,
    definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(DEFINITION)),
    definitionSubstitutions: { [Placeholders.payloadBucket]: bucket.bucketName, OrkFunction_process: LAMBDA },
    role,
    logs: { destination: new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_DAY }), level: sfn.LogLevel.ALL },
    tracingEnabled: true,
  });
  const policy = new DistributedMapPolicy(stack, 'DistributedMapPolicy', {
    stateMachine: machine,
    stateMachineName: WORKFLOW,
    role,
    payloadBucket: bucket,
    itemsPrefix: `${WORKFLOW}/`,
    resultsPrefix: resultsPrefix(WORKFLOW),
  });
  return { stack, bucket, machine, role, policy, ...(key ? { key } : {}) };
}

function idOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

function templateOf(fixture: Fixture): { Resources: Record<string, { Type: string; Properties?: Json; DependsOn?: string[] }> } {
  return JSON.parse(readFileSync(path.join(outdir, `${fixture.stack.artifactId}.template.json`), 'utf8')) as never;
}

function policyStatements(fixture: Fixture): Statement[] {
  const resource = templateOf(fixture).Resources[idOf(fixture.policy.policy)];
  expect(resource?.Type).toBe('AWS::IAM::Policy');
  expect(resource?.Properties?.Roles).toEqual([{ Ref: idOf(fixture.role) }]);
  return (resource?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const resourcesFor = (statements: Statement[], action: string): unknown[] =>
  statements.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ork-distributed-map-'));
  outdir = path.join(tmp, 'cdk.out');
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  fixtures.set('agnostic', fixture(app, 'DistributedMapAgnostic', {}));
  fixtures.set('kms', fixture(app, 'DistributedMapKms', { env: { account: '123456789012', region: 'eu-west-1' }, kmsKey: true }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  app.synth();
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the Distributed Maps a deploy grants for', () => {
  it('are those the manifest records, nested in Parallel branches too, and no inline Map', () => {
    const { manifest } = compileCleanly(path.join(FIXTURES_DIR, 'large-fan-outs'));
    expect(distributedMapsOf(manifest).map((m) => m.path)).toEqual([
      ['Ork-Parallel-1', 'each_file-distributed'],
      ['Ork-Parallel-1', 'batched-distributed'],
      ['Ork-Parallel-1', 'many-distributed-chunks'],
      ['Ork-Parallel-1', 'counted-distributed'],
      ['Ork-Parallel-1', 'counted-distributed-chunks'],
      ['Ork-Parallel-1', 'grid-distributed'],
      ['Ork-Parallel-1', 'in_containers-distributed'],
      ['Ork-Parallel-1', 'wide_grid-distributed'],
    ]);
    expect(distributedMapsOf(compileCleanly(path.join(FIXTURES_DIR, 'static-parallel')).manifest)).toEqual([]);
  });

  it('accept ResultWriters on the payload bucket under the results prefix and reject any other', () => {
    const map = (prefix = `ork-results/${WORKFLOW}/process`, bucket = `\${${Placeholders.payloadBucket}}`): FanOutMap[] => [
      {
        task: 'process',
        state: 'm',
        path: ['m'],
        mode: 'distributed',
        executionType: 'EXPRESS',
        grouping: 'single',
        instancesPerChild: 1,
        items: { from: 'state', path: '$.ork.indexes' },
        resultWriter: { bucket, prefix },
      },
    ];
    expect(() => checkResultWriters(map(), WORKFLOW, 'Stack/Wf')).not.toThrow();
    expect(() => checkResultWriters(map(`ork-results/${WORKFLOW}`), WORKFLOW, 'Stack/Wf')).not.toThrow();
    expect(() => checkResultWriters(map('ork-results/other/process'), WORKFLOW, 'Stack/Wf')).toThrow(
      /^Stack\/Wf: the Distributed Map m writes its results to .*ork-results\/other\/process.*Prefix ork-results\/scale_unit\//,
    );
    expect(() => checkResultWriters(map(`ork-results/${WORKFLOW}_2/process`), WORKFLOW, 'Stack/Wf')).toThrow();
    expect(() => checkResultWriters(map(undefined, 'someone-elses-bucket'), WORKFLOW, 'Stack/Wf')).toThrow(/someone-elses-bucket/);
  });
});

describe('DistributedMapPolicy', () => {
  it('lets the role start executions of its own state machine only, and follow, stop and redrive their children', () => {
    for (const [name, f] of fixtures) {
      const statements = policyStatements(f);
      for (const s of statements) expect(s.Effect).toBe('Allow');
      expect(resourcesFor(statements, 'states:StartExecution'), name).toEqual([{ Ref: idOf(f.machine) }]);
      // The partition stays a pseudo parameter; region and account are literals when the stack has them.
      const where = name === 'kms' ? [':states:eu-west-1:123456789012'] : [':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }];
      const arn = (kind: string, tail: string): unknown => {
        const parts: unknown[] = ['arn:', { Ref: 'AWS::Partition' }, ...where, `:${kind}:${WORKFLOW}${tail}`];
        // CDK merges adjacent literals.
        const merged = parts.reduce<unknown[]>(
          (all, p) => (typeof p === 'string' && typeof all.at(-1) === 'string' ? [...all.slice(0, -1), `${String(all.at(-1))}${p}`] : [...all, p]),
          [],
        );
        return { 'Fn::Join': ['', merged] };
      };
      const executions = [arn('execution', ':*'), arn('execution', '/*'), arn('express', '/*')].map((a) => JSON.stringify(a)).sort();
      const names = (action: string): string[] =>
        resourcesFor(statements, action)
          .map((r) => JSON.stringify(r))
          .sort();
      expect(names('states:DescribeExecution'), name).toEqual(executions);
      expect(names('states:StopExecution'), name).toEqual(executions);
      expect(names('states:RedriveExecution'), name).toEqual([JSON.stringify(arn('execution', '/*'))]);
      expect(
        statements
          .flatMap((s) => list(s.Action))
          .filter((a) => a.startsWith('states:'))
          .sort(),
      ).toEqual(['states:DescribeExecution', 'states:RedriveExecution', 'states:StartExecution', 'states:StopExecution']);
    }
  });

  it("scopes S3 to the payload bucket: reads of the workflow's prefix, result writes to the results prefix", () => {
    for (const [name, f] of fixtures) {
      const statements = policyStatements(f);
      const bucketArn = { 'Fn::GetAtt': [idOf(f.bucket), 'Arn'] };
      const objects = (prefix: string): string => JSON.stringify({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
      const s3Statements = statements.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
      const byResource = new Map<string, string[]>();
      for (const s of s3Statements)
        for (const r of list(s.Resource)) byResource.set(JSON.stringify(r), [...(byResource.get(JSON.stringify(r)) ?? []), ...list(s.Action)].sort());
      expect(Object.fromEntries(byResource), name).toEqual({
        [objects(`${WORKFLOW}/`)]: ['s3:GetObject'],
        [objects(`ork-results/${WORKFLOW}/`)]: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
      });
    }
  });

  it('grants the bucket’s KMS key for reading and writing objects when it has one, and nothing of KMS otherwise', () => {
    const kmsActions = (f: Fixture): string[] =>
      policyStatements(f)
        .flatMap((s) => list(s.Action))
        .filter((a) => a.startsWith('kms:'));
    expect(kmsActions(fixtures.get('agnostic')!)).toEqual([]);
    const f = fixtures.get('kms')!;
    expect(kmsActions(f).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesFor(policyStatements(f), 'kms:Decrypt')).toEqual([{ 'Fn::GetAtt': [idOf(f.key!), 'Arn'] }]);
  });

  it('creates no dependency of the state machine on the policy (the policy names the machine)', () => {
    for (const [name, f] of fixtures) {
      const resources = templateOf(f).Resources;
      const policyId = idOf(f.policy.policy);
      expect(JSON.stringify(resources[idOf(f.machine)]), name).not.toContain(policyId);
      expect(JSON.stringify(resources[idOf(f.role)]), name).not.toContain(policyId);
      expect(JSON.stringify(resources[policyId]?.Properties), name).toContain(idOf(f.machine));
    }
  });

  it('leaves cdk-nag nothing unacknowledged on the policy, each wildcard with its reason', () => {
    const file = path.join(outdir, 'validation-report.json');
    const report = existsSync(file)
      ? (
          JSON.parse(readFileSync(file, 'utf8')) as {
            pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
          }
        ).pluginReports
      : [];
    const onPolicy = report.flatMap((p) =>
      p.violations.flatMap((v) =>
        v.violatingConstructs.filter((c) => c.constructPath.includes('/DistributedMapPolicy/')).map((c) => `${v.ruleName} at ${c.constructPath}`),
      ),
    );
    expect(onPolicy).toEqual([]);
    for (const [name, f] of fixtures) {
      const metadata = JSON.parse(readFileSync(path.join(outdir, `${f.stack.artifactId}.template.json`), 'utf8')).Resources[idOf(f.policy.policy)].Metadata as {
        cdk_nag: { rules_to_suppress: { id: string; reason: string }[] };
      };
      const ids = metadata.cdk_nag.rules_to_suppress.map((r) => r.id);
      expect(ids.length, name).toBe(5);
      for (const id of ids) expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::/);
      const states = name === 'kms' ? 'arn:<AWS::Partition>:states:eu-west-1:123456789012' : 'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';
      expect(ids).toContain(`AwsSolutions-IAM5[Resource::${states}:execution:${WORKFLOW}:*]`);
      expect(ids).toContain(`AwsSolutions-IAM5[Resource::<${idOf(f.bucket)}.Arn>/ork-results/${WORKFLOW}/*]`);
    }
  });

  it('passes cfn-lint: the Distributed Map fields check against the schema, and no dependency cycle', () => {
    const templates = [...fixtures.values()].map((f) => path.join(outdir, `${f.stack.artifactId}.template.json`));
    const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...templates], { encoding: 'utf8' });
    if (result.error) throw result.error;
    expect((result.status ?? 1) & 1, result.stderr).toBe(0);
    const matches = JSON.parse(result.stdout || '[]') as { Level: string; Rule: { Id: string }; Message: string }[];
    expect(matches.filter((m) => m.Level === 'Error').map((m) => `${m.Rule.Id}: ${m.Message}`)).toEqual([]);
  }, 60_000);
});

describe('functionTimeout', () => {
  const task = (timeoutSeconds?: number, batchSize?: number): TaskManifestEntry => ({
    name: 't',
    executor: 'python',
    file: 't.py',
    memoryMb: 1024,
    env: {},
    dependsOn: [],
    stateName: 't',
    stateNames: ['t'],
    placeholders: [],
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(batchSize !== undefined ? { fanOut: { foreach: 'a.items', batchSize, kinds: { inline: false, distributed: true }, maps: [] } } : {}),
  });

  it("is the task's timeout, times batch_size for a batched task, at most Lambda's 15 minutes", () => {
    expect(functionTimeout(task(120)).toSeconds()).toBe(120);
    expect(functionTimeout(task()).toSeconds()).toBe(900);
    expect(functionTimeout(task(30, 10)).toSeconds()).toBe(300);
    expect(functionTimeout(task(120, 10)).toSeconds()).toBe(900);
    expect(functionTimeout(task(undefined, 10)).toSeconds()).toBe(900);
    expect(functionTimeout(task(30, 1)).toSeconds()).toBe(30);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, allStates, getAtt, idOf, key, list, type Json, type Resource, type Statement } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import type { TaskManifestEntry } from '../../compiler/index.js';

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

/**
 * Least privilege as an allow-list (docs/deploy.md, "Least privilege"): every IAM role of every Ork stack is
 * of a known kind, assumable by that kind's service only, and the statements of every policy attached to it
 * grant exactly that kind's (action, resource, condition) triples, built from the workflow's own resources.
 * A grant that widens (another action, a wider resource, a lost condition) fails as "not allowed"; one that
 * goes away, which a runtime or a service needs, fails as "missing". Each kind, and why:
 * - Lambda task: its own log group, X-Ray; s3:GetObject and s3:PutObject on `<workflow>/*`, all that
 *   payload_store.py and payload-store.ts call (no listing, no delete); s3:GetObject on
 *   `ork-results/<workflow>/*` with Distributed Maps (results.py, results.ts); kms:Decrypt and
 *   kms:GenerateDataKey on the bucket's key when it has one.
 * - container task: the same S3 (and KMS), and states:SendTaskSuccess/Failure/Heartbeat (container.py), on
 *   `*` since they have no resource-level permissions.
 * - either, when the task lists `secrets:` (docs/deploy.md, "Secrets"): secretsmanager:GetSecretValue on each
 *   secret's ARN (`-??????` for the suffix unless a full ARN is given), ssm:GetParameter on each parameter, and
 *   kms:Decrypt of the account's keys (an ARN's account's) only through those services (kms:ViaService).
 * - container execution: its log group; the image pull from the CDK asset repository when the image is built.
 * - state machine: logs delivery and X-Ray (on `*`), lambda:InvokeFunction on its functions, ecs:RunTask of its
 *   task definitions in its cluster, iam:PassRole of their roles to ECS only; with Distributed Maps, the
 *   DistributedMapPolicy (its own executions, the item lists, the results, the key).
 * - schedule: states:StartExecution of its state machine.
 * - trigger: one per entry of `triggers:`, assumed by EventBridge: states:StartExecution of its state machine.
 * - bucket notifications: aws-cdk-lib's handler that turns EventBridge notifications on for `triggerBuckets`
 *   (one per stack): s3:PutBucketNotification and s3:GetBucketNotification of exactly those buckets, and the
 *   managed AWSLambdaBasicExecutionRole that aws-cdk-lib attaches itself (the one managed policy allowed).
 * - VPC flow logs (the VPC created for container tasks): its log group.
 */
describe('IAM allow-list: every statement of every role in the Ork stacks', () => {
  type Kind = 'lambda task' | 'container task' | 'container execution' | 'state machine' | 'schedule' | 'trigger' | 'bucket notifications' | 'vpc flow logs';
  const SERVICE: Record<Kind, string> = {
    'lambda task': 'lambda.amazonaws.com',
    'container task': 'ecs-tasks.amazonaws.com',
    'container execution': 'ecs-tasks.amazonaws.com',
    'state machine': 'states.amazonaws.com',
    schedule: 'scheduler.amazonaws.com',
    trigger: 'events.amazonaws.com',
    'bucket notifications': 'lambda.amazonaws.com',
    'vpc flow logs': 'vpc-flow-logs.amazonaws.com',
  };
  interface Rule {
    readonly actions: readonly string[];
    readonly resources: readonly unknown[];
    /** Exactly the statement's Condition; none when absent. */
    readonly condition?: Json;
  }
  interface Allowed {
    readonly kind: Kind;
    /** workflow/task, for messages. */
    readonly owner: string;
    readonly rules: readonly Rule[];
  }

  const join = (...parts: unknown[]): Json => ({ 'Fn::Join': ['', parts] });
  const states = (tail: string): Json => join('arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail);
  const WRITE_LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const FUNCTION_XRAY: Rule = { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] };
  const MACHINE_LOGS: Rule = {
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    resources: ['*'],
  };
  const MACHINE_XRAY: Rule = {
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
    resources: ['*'],
  };
  const TASK_TOKEN: Rule = { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: ['*'] };
  /** A built image is in the bootstrap stack's asset repository (default synthesizer); the login token has no resource. */
  const IMAGE_PULL: Rule[] = [
    {
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: [
        join('arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':repository/', {
          'Fn::Sub': 'cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}',
        }),
      ],
    },
    { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
  ];
  /** A task's own secrets, from its manifest entry; none without `secrets:`. */
  const secretRules = (task: TaskManifestEntry): Rule[] => {
    const secrets = task.secrets ?? [];
    if (secrets.length === 0) return [];
    const arn = (service: string, tail: string): Json =>
      join('arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail);
    const given = (name: string): string[] | undefined => (name.startsWith('arn:') ? name.split(':') : undefined);
    const secretArns = secrets
      .filter((s) => s.service === 'secretsmanager')
      .map((s) => (given(s.name) ? (/-[A-Za-z0-9]{6}$/.test(s.name) ? s.name : `${s.name}-??????`) : arn('secretsmanager', `:secret:${s.name}-??????`)));
    const parameterArns = secrets.filter((s) => s.service === 'ssm').map((s) => (given(s.name) ? s.name : arn('ssm', `:parameter${s.name}`)));
    const via = (s: { name: string; service: string }): unknown => {
      const parts = given(s.name);
      return parts ? `${s.service}.${parts[3]}.amazonaws.com` : join(`${s.service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com');
    };
    const keyOf = (s: { name: string }): unknown => {
      const parts = given(s.name);
      return parts ? `arn:${parts[1]}:kms:${parts[3]}:${parts[4]}:key/*` : arn('kms', ':key/*');
    };
    const unique = (values: unknown[]): unknown[] => [...new Map(values.map((v) => [key(v), v])).values()];
    return [
      ...(secretArns.length > 0 ? [{ actions: ['secretsmanager:GetSecretValue'], resources: secretArns }] : []),
      ...(parameterArns.length > 0 ? [{ actions: ['ssm:GetParameter'], resources: parameterArns }] : []),
      { actions: ['kms:Decrypt'], resources: unique(secrets.map(keyOf)), condition: { StringEquals: { 'kms:ViaService': unique(secrets.map(via)) } } },
    ];
  };

  const refId = (value: unknown): string => {
    const object = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    const id = object?.Ref ?? object?.['Fn::GetAtt']?.[0];
    if (typeof id !== 'string') throw new Error(`not a reference to a resource: ${key(value)}`);
    return id;
  };

  /** The roles that the Ork stack `stack` may have, by logical id, each with what it may do. */
  function allowedRoles(stack: string): Map<string, Allowed> {
    const roles = new Map<string, Allowed>();
    const add = (id: string, allowed: Allowed): void => {
      const other = roles.get(id);
      if (other) throw new Error(`${stack}/${id} is both the ${other.kind} role of ${other.owner} and the ${allowed.kind} role of ${allowed.owner}`);
      roles.set(id, allowed);
    };
    const all = built.template(stack).Resources as Record<string, Resource>;
    for (const [workflow, construct] of built.workflows) {
      if (construct.stack !== stack) continue;
      const manifest = built.manifests.get(workflow)!;
      const bucketArn = getAtt(idOf(construct.payloadBucket));
      const objects = (prefix: string): Json => join(bucketArn, `/${prefix}*`);
      const distributed = allStates(built.definitionOf(workflow).definition).some(
        ([, s]) => s.Type === 'Map' && ((s.ItemProcessor as Json | undefined)?.ProcessorConfig as Json | undefined)?.Mode === 'DISTRIBUTED',
      );
      const encryptionKey = construct.payloadBucket.encryptionKey;
      const kms: Rule[] = encryptionKey ? [{ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [getAtt(idOf(encryptionKey))] }] : [];
      // What a task's runtime calls on the payload bucket, wherever it runs.
      const payloads: Rule[] = [
        { actions: ['s3:GetObject', 's3:PutObject'], resources: [objects(`${workflow}/`)] },
        ...(distributed ? [{ actions: ['s3:GetObject'], resources: [objects(`ork-results/${workflow}/`)] }] : []),
        ...kms,
      ];

      for (const task of manifest.tasks) {
        const owner = `${workflow}/${task.name}`;
        if (task.executor === 'container') {
          const definition = construct.taskDefinitions.get(task.name)!;
          const [container] = all[idOf(definition)]?.Properties?.ContainerDefinitions as Json[];
          const group = getAtt(refId(((container?.LogConfiguration as Json).Options as Json)['awslogs-group']));
          add(idOf(definition.taskRole), { kind: 'container task', owner, rules: [...payloads, TASK_TOKEN, ...secretRules(task)] });
          add(idOf(definition.executionRole!), {
            kind: 'container execution',
            owner,
            rules: [{ actions: WRITE_LOGS, resources: [group] }, ...(task.image ? [] : IMAGE_PULL)],
          });
        } else {
          const fn = construct.functions.get(task.name)!;
          const group = getAtt(idOf(fn.logGroup));
          add(idOf(fn.role!), {
            kind: 'lambda task',
            owner,
            rules: [{ actions: WRITE_LOGS, resources: [group, join(group, ':log-stream:*')] }, FUNCTION_XRAY, ...payloads, ...secretRules(task)],
          });
        }
      }

      const functions = [...construct.functions.values()].map((fn) => getAtt(idOf(fn)));
      const definitions = [...construct.taskDefinitions.values()];
      const machine: Rule[] = [MACHINE_LOGS, MACHINE_XRAY];
      if (functions.length > 0) machine.push({ actions: ['lambda:InvokeFunction'], resources: functions.flatMap((f) => [f, join(f, ':*')]) });
      if (definitions.length > 0) {
        machine.push(
          {
            actions: ['ecs:RunTask'],
            resources: definitions.map((d) => ({ Ref: idOf(d) })),
            condition: { ArnEquals: { 'ecs:cluster': getAtt(idOf(construct.cluster!)) } },
          },
          {
            actions: ['iam:PassRole'],
            resources: definitions.flatMap((d) => [getAtt(idOf(d.taskRole)), getAtt(idOf(d.executionRole!))]),
            condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          },
        );
      }
      if (distributed) {
        const name = String(all[idOf(construct.stateMachine)]?.Properties?.StateMachineName);
        machine.push(
          { actions: ['states:StartExecution'], resources: [{ Ref: idOf(construct.stateMachine) }] },
          {
            actions: ['states:DescribeExecution', 'states:StopExecution'],
            resources: [states(`:execution:${name}:*`), states(`:execution:${name}/*`), states(`:express:${name}/*`)],
          },
          { actions: ['states:RedriveExecution'], resources: [states(`:execution:${name}/*`)] },
          // ItemReader, ResultWriter.
          { actions: ['s3:GetObject'], resources: [objects(`${workflow}/`)] },
          {
            actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
            resources: [objects(`ork-results/${workflow}/`)],
          },
          ...kms,
        );
      }
      add(idOf(construct.stateMachineRole), { kind: 'state machine', owner: workflow, rules: machine });

      // Roles that CDK creates for a workflow's resources: the schedule's (one per target, at stack level) and
      // the flow logs' of a VPC created for container tasks.
      for (const [, schedule] of built.resourcesUnder(construct, 'AWS::Scheduler::Schedule')) {
        const target = schedule.Properties?.Target as Json;
        add(refId(target.RoleArn), {
          kind: 'schedule',
          owner: workflow,
          rules: [{ actions: ['states:StartExecution'], resources: [{ Ref: idOf(construct.stateMachine) }] }],
        });
      }
      for (const trigger of construct.triggers) {
        add(idOf(trigger.role), {
          kind: 'trigger',
          owner: workflow,
          rules: [{ actions: ['states:StartExecution'], resources: [{ Ref: idOf(construct.stateMachine) }] }],
        });
      }
      for (const [, flowLog] of built.resourcesUnder(construct, 'AWS::EC2::FlowLog')) {
        const group = getAtt(refId(flowLog.Properties?.LogGroupName));
        add(refId(flowLog.Properties?.DeliverLogsPermissionArn), {
          kind: 'vpc flow logs',
          owner: workflow,
          rules: [{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [group] }],
        });
      }
    }
    // aws-cdk-lib's bucket-notifications handler: the buckets of the stack's Custom::S3BucketNotifications.
    const notified = built
      .resources(stack, 'Custom::S3BucketNotifications')
      .map(([, r]) => join('arn:', { Ref: 'AWS::Partition' }, `:s3:::${String(r.Properties?.BucketName)}`));
    for (const [, fn] of built.resources(stack, 'AWS::Lambda::Function')) {
      if (!String(fn.Properties?.Description).includes('Custom::S3BucketNotifications')) continue;
      add(refId(fn.Properties?.Role), {
        kind: 'bucket notifications',
        owner: stack,
        rules: [{ actions: ['s3:PutBucketNotification', 's3:GetBucketNotification'], resources: notified }],
      });
    }
    return roles;
  }

  /** The one managed policy of the shared app: aws-cdk-lib attaches it to its bucket-notifications handler. */
  const HANDLER_MANAGED_POLICY = key([join('arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')]);

  let cache: Map<string, Map<string, Allowed>> | undefined;
  const allowed = (): Map<string, Map<string, Allowed>> => (cache ??= new Map([...built.stacks.keys()].map((stack) => [stack, allowedRoles(stack)])));

  it('finds only roles of a known kind, each assumable by its own service only', () => {
    const problems: string[] = [];
    const kinds = new Map<Kind, number>();
    for (const [stack, roles] of allowed()) {
      const found = built.resources(stack, 'AWS::IAM::Role');
      for (const [id, role] of found) {
        const trust = (role.Properties?.AssumeRolePolicyDocument as { Statement: (Statement & { Principal?: Json })[] }).Statement;
        const expected = roles.get(id);
        if (!expected) {
          problems.push(`${stack}/${id}: a role of no known kind (assumed by ${key(trust.map((s) => s.Principal))})`);
          continue;
        }
        kinds.set(expected.kind, (kinds.get(expected.kind) ?? 0) + 1);
        const [statement, ...more] = trust;
        if (
          more.length > 0 ||
          statement?.Effect !== 'Allow' ||
          key(statement.Action) !== key('sts:AssumeRole') ||
          key(statement.Principal) !== key({ Service: SERVICE[expected.kind] })
        ) {
          problems.push(`${stack}/${id} (${expected.kind} of ${expected.owner}): trust policy ${key(trust)}`);
        }
        // The scheduler's role is assumed for this account's schedules only (confused deputy).
        const condition = (statement?.Condition ?? {}) as { StringEquals?: Json };
        if (
          expected.kind === 'schedule'
            ? !('aws:SourceAccount' in (condition.StringEquals ?? {}) && 'aws:SourceArn' in (condition.StringEquals ?? {}))
            : statement?.Condition !== undefined
        ) {
          problems.push(`${stack}/${id} (${expected.kind} of ${expected.owner}): trust condition ${key(statement?.Condition)}`);
        }
      }
      const present = new Set(found.map(([id]) => id));
      for (const [id, expected] of roles)
        if (!present.has(id)) problems.push(`${stack}/${id}: the ${expected.kind} role of ${expected.owner} is not in the template`);
    }
    expect(problems).toEqual([]);
    // Every kind occurs in the shared app, so none of the rules below goes untested.
    expect([...kinds.keys()].sort()).toEqual(Object.keys(SERVICE).sort());
  });

  it('grants each role exactly its allow-list: nothing wider, nothing missing', () => {
    const problems: string[] = [];
    const triple = (action: string, resource: unknown, condition: unknown): string =>
      `${action} on ${key(resource)}${condition === undefined ? '' : ` if ${key(condition)}`}`;
    for (const [stack, roles] of allowed()) {
      for (const [id, expected] of roles) {
        const where = `${stack}/${id} (${expected.kind} of ${expected.owner})`;
        const allowedTriples = new Set(expected.rules.flatMap((r) => r.actions.flatMap((a) => r.resources.map((res) => triple(a, res, r.condition)))));
        const granted = new Set<string>();
        for (const s of built.statementsOf(stack, id)) {
          const shape = Object.keys(s).filter((k) => !['Effect', 'Action', 'Resource', 'Condition', 'Sid'].includes(k));
          if (s.Effect !== 'Allow' || shape.length > 0 || s.Resource === undefined) problems.push(`${where}: a statement of unexpected shape ${key(s)}`);
          for (const action of actionsOf(s)) for (const resource of list(s.Resource)) granted.add(triple(action, resource, s.Condition));
        }
        for (const t of granted) if (!allowedTriples.has(t)) problems.push(`${where}: not allowed: ${t}`);
        for (const t of allowedTriples) if (!granted.has(t)) problems.push(`${where}: missing: ${t}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("attaches policies to those roles only: no managed policy (but aws-cdk-lib's handler's own), user or group", () => {
    const problems: string[] = [];
    for (const [stack, roles] of allowed()) {
      for (const [id, resource] of built.resources(stack)) {
        if (!resource.Type.startsWith('AWS::IAM::')) continue;
        if (resource.Type === 'AWS::IAM::Role') {
          const handler = roles.get(id)?.kind === 'bucket notifications' && key(resource.Properties?.ManagedPolicyArns) === HANDLER_MANAGED_POLICY;
          if (resource.Properties?.ManagedPolicyArns !== undefined && !handler)
            problems.push(`${stack}/${id}: managed policies ${key(resource.Properties.ManagedPolicyArns)}`);
        } else if (resource.Type === 'AWS::IAM::Policy') {
          if (resource.Properties?.Users !== undefined || resource.Properties?.Groups !== undefined)
            problems.push(`${stack}/${id}: attached to users or groups`);
          const attached = list(resource.Properties?.Roles as unknown[]);
          if (attached.length === 0) problems.push(`${stack}/${id}: attached to no role`);
          for (const role of attached) if (!roles.has(refId(role))) problems.push(`${stack}/${id}: attached to ${key(role)}, not a role of a known kind`);
        } else {
          problems.push(`${stack}/${id}: unexpected ${resource.Type}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

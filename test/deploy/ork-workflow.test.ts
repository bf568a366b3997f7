import { beforeAll, describe, expect, it } from 'vitest';
import { nodeHandlers } from '../../lib/deploy/node-bundle.js';
import {
  actionsOf,
  allStates,
  getAtt,
  idOf,
  key,
  list,
  placeholdersOf,
  substitutedBeyondPayloadBucket,
  type Json,
  type Resource,
  type Statement,
} from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { CONTROL_STACK, SYNTH_CONTEXT } from '../support/deploy-app/test-workflows.js';

/**
 * What OrkWorkflow (lib/deploy/ork-workflow.ts) deploys for each workflow of the shared deploy app:
 * functions, task definitions, the state machine and their grants.
 */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('template', () => {
  it('has one Lambda function per python and node task with memory, timeout and env from workflow.yaml', () => {
    let nodeFunctions = 0;
    for (const [workflow, manifest] of built.manifests) {
      const { stack, construct } = built.locate(workflow);
      const bucket = { Ref: idOf(construct.payloadBucket) };
      const functions = built.resourcesUnder(construct, 'AWS::Lambda::Function');
      const lambdaTasks = manifest.tasks.filter((t) => t.executor === 'python' || t.executor === 'node');
      expect(functions.length, workflow).toBe(lambdaTasks.length);
      const handlers = nodeHandlers(manifest.tasks.filter((t) => t.executor === 'node'));
      for (const task of lambdaTasks) {
        const fn = construct.functions.get(task.name);
        if (!fn) throw new Error(`${workflow}: no function for ${task.name}`);
        const props = (built.template(stack).Resources as Record<string, Resource>)[idOf(fn)]?.Properties ?? {};
        if (task.executor === 'node') {
          nodeFunctions += 1;
          expect(fn.nodejsFunction, `${workflow}/${task.name} is a NodejsFunction`).toBe(true);
          expect(props.Runtime, `${workflow}/${task.name}`).toBe('nodejs24.x');
          expect(props.Handler, `${workflow}/${task.name}`).toBe(handlers.get(task.name));
          expect(props.Handler).toMatch(/^([\w-]+\/)*__ork_lambda_\w+\.handler$/);
        } else {
          expect(props.Runtime, `${workflow}/${task.name}`).toBe(SYNTH_CONTEXT.pythonRuntime);
          expect(props.Handler).toBe('ork.lambda_handler.handler');
        }
        expect(props.Architectures).toEqual([SYNTH_CONTEXT.architecture]);
        // Its own log group and its own role.
        expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: idOf(fn.logGroup) } });
        expect(props.Role).toEqual(getAtt(idOf(fn.role!)));
        expect(props.MemorySize, `${workflow}/${task.name}`).toBe(task.memoryMb);
        // A batched task's invocation runs batch_size instances one after another (at most Lambda's 15 minutes).
        expect(props.Timeout, `${workflow}/${task.name}`).toBe(Math.min(900, (task.timeoutSeconds ?? 900) * (task.fanOut?.batchSize ?? 1)));
        expect(props.TracingConfig).toEqual({ Mode: 'Active' });
        expect((props.Environment as { Variables: Json }).Variables).toEqual({
          ...task.env,
          ORK_WORKFLOW: workflow,
          ORK_TASK_FILE: task.file,
          ORK_PAYLOAD_BUCKET: bucket,
          ORK_PAYLOAD_PREFIX: `${workflow}/`,
          // Names only (docs/deploy.md, "Secrets").
          ...(task.secrets ? { ORK_SECRETS: JSON.stringify(task.secrets.map((s) => s.name)) } : {}),
        });
      }
    }
    // At least the test workflows' (4 + 1), besides the examples'.
    expect(nodeFunctions).toBeGreaterThanOrEqual(5);
  });

  it('turns the YAML values of node tasks into those numbers (literal check of the node workflow)', () => {
    const { stack, construct } = built.locate('deploy_node');
    const props = (task: string): Json => (built.template(stack).Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties ?? {};
    expect(props('fetch')).toMatchObject({
      MemorySize: 2048,
      Timeout: 300,
      Handler: 'tasks/__ork_lambda_fetch.handler',
      Runtime: 'nodejs24.x',
      TracingConfig: { Mode: 'Active' },
    });
    expect((props('fetch').Environment as { Variables: Json }).Variables).toMatchObject({
      SOURCE: 'api',
      LIMIT: '10',
      ORK_TASK_FILE: 'tasks/fetch.ts',
      ORK_WORKFLOW: 'deploy_node',
    });
    expect(props('shape')).toMatchObject({ MemorySize: 256, Timeout: 900, Handler: 'lib/__ork_lambda_shape.handler' });
    // Two tasks of one file: one handler module, two functions with their own settings.
    expect(props('reshape')).toMatchObject({ MemorySize: 256, Timeout: 30, Handler: 'lib/__ork_lambda_shape.handler' });
    expect(idOf(construct.functions.get('reshape')!)).not.toBe(idOf(construct.functions.get('shape')!));
    // Nothing but the task's env and Ork's (NodejsFunction adds no AWS_NODEJS_CONNECTION_REUSE_ENABLED for SDK v3).
    expect(Object.keys((props('shape').Environment as { Variables: Json }).Variables).sort()).toEqual([
      'ORK_PAYLOAD_BUCKET',
      'ORK_PAYLOAD_PREFIX',
      'ORK_TASK_FILE',
      'ORK_WORKFLOW',
    ]);
    // The mixed workflow: python and node functions, each language with one asset for all of its tasks.
    const mixed = built.locate('deploy_mixed');
    const code = (task: string): unknown =>
      (built.template(mixed.stack).Resources as Record<string, Resource>)[idOf(mixed.construct.functions.get(task)!)]?.Properties?.Code;
    expect(code('make')).toEqual(code('total'));
    expect(code('double')).not.toEqual(code('make'));
    expect((built.template(mixed.stack).Resources as Record<string, Resource>)[idOf(mixed.construct.functions.get('double')!)]?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      MemorySize: 512,
    });
    const nodeCode = (task: string): unknown => props(task).Code;
    expect(new Set(['fetch', 'shape', 'reshape', 'explode'].map((t) => key(nodeCode(t)))).size).toBe(1);
  });

  it('substitutes each Lambda task placeholder with its own function, node tasks included', () => {
    for (const workflow of ['deploy_node', 'deploy_mixed', 'mixed-languages']) {
      if (!built.manifests.has(workflow)) continue;
      const { construct } = built.locate(workflow);
      const { definition, substitutions } = built.definitionOf(workflow);
      for (const task of built.manifests.get(workflow)!.tasks) {
        expect(substitutions[`OrkFunction_${task.name}`], `${workflow}/${task.name}`).toEqual(getAtt(idOf(construct.functions.get(task.name)!)));
      }
      expect([...placeholdersOf(definition)].sort(), workflow).toEqual(substitutedBeyondPayloadBucket(definition, substitutions));
    }
  });

  it("lets each node function's role write only its own log group", () => {
    const { stack, construct } = built.locate('deploy_node');
    for (const [task, fn] of construct.functions) {
      const logs = built.statementsOf(stack, idOf(fn.role!)).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs.flatMap(actionsOf).sort(), task).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const group = getAtt(idOf(fn.logGroup));
      expect(
        logs
          .flatMap((s) => list(s.Resource))
          .map(key)
          .sort(),
        task,
      ).toEqual([key(group), key({ 'Fn::Join': ['', [group, ':log-stream:*']] })].sort());
    }
  });

  it('turns the YAML values into those numbers (literal check of the settings workflow)', () => {
    const { stack, construct } = built.locate('deploy_settings');
    const props = (task: string): Json => (built.template(stack).Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties ?? {};
    expect(props('extract')).toMatchObject({ MemorySize: 2048, Timeout: 600 });
    expect((props('extract').Environment as { Variables: Json }).Variables).toMatchObject({
      STAGE: 'test',
      SHARED: 'overridden',
      BATCH: '500',
      VERBOSE: 'true',
      ORK_TASK_FILE: 'tasks/extract.py',
    });
    expect(props('load')).toMatchObject({ MemorySize: 512, Timeout: 120 });
    expect((props('load').Environment as { Variables: Json }).Variables).toMatchObject({
      STAGE: 'test',
      SHARED: 'from-defaults',
      ORK_TASK_FILE: 'tasks/load.py',
    });
    const defaults = built.locate('deploy_defaults');
    for (const task of ['only', 'fan']) {
      const p = (built.template(defaults.stack).Resources as Record<string, Resource>)[idOf(defaults.construct.functions.get(task)!)]?.Properties ?? {};
      expect(p).toMatchObject({ MemorySize: 1024, Timeout: 900 });
      expect(Object.keys((p.Environment as { Variables: Json }).Variables).sort()).toEqual([
        'ORK_PAYLOAD_BUCKET',
        'ORK_PAYLOAD_PREFIX',
        'ORK_TASK_FILE',
        'ORK_WORKFLOW',
      ]);
    }
  });

  it("lets the state machine role invoke exactly this workflow's functions and nothing else", () => {
    for (const workflow of built.allWorkflows()) {
      const { stack, construct } = built.locate(workflow);
      const statements = built.statementsOf(stack, idOf(construct.stateMachineRole));
      const own = [...construct.functions.values()].map((fn) => idOf(fn));
      const expected = own.flatMap((id) => [key(getAtt(id)), key({ 'Fn::Join': ['', [getAtt(id), ':*']] })]).sort();
      const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      for (const s of invoke) {
        expect(s.Effect).toBe('Allow');
        expect(actionsOf(s), workflow).toEqual(['lambda:InvokeFunction']);
      }
      expect(
        invoke
          .flatMap((s) => list(s.Resource))
          .map(key)
          .sort(),
        workflow,
      ).toEqual(expected);
      // No statement reaches everything with an action that runs code.
      for (const s of statements) {
        if (list(s.Resource).includes('*')) for (const a of actionsOf(s)) expect(a, `${workflow}: ${a} on *`).toMatch(/^(logs|xray):/);
        for (const a of actionsOf(s)) expect(a, workflow).not.toMatch(/^(lambda|ecs|iam|states):\*$|^\*$/);
      }
    }
    // The sibling in the same stack is not reachable.
    const settings = built.locate('deploy_settings');
    const defaults = built.locate('deploy_defaults');
    const settingsResources = key(built.statementsOf(settings.stack, idOf(settings.construct.stateMachineRole)));
    for (const fn of defaults.construct.functions.values()) expect(settingsResources).not.toContain(idOf(fn));
  });

  it('gives the on_failure handler a function of its own, with its own settings, which its Task state runs and the state machine role may invoke', () => {
    for (const workflow of ['on-failure', 'ts-on-failure']) {
      const { stack, construct } = built.locate(workflow);
      expect([...construct.functions.keys()].sort(), workflow).toEqual(['extract', 'load', 'on_failure']);
      const handler = construct.functions.get('on_failure')!;
      const others = ['extract', 'load'].map((task) => idOf(construct.functions.get(task)!));
      expect(others, workflow).not.toContain(idOf(handler));
      // on_failure: { timeout: 1m } in workflow.yaml
      expect((built.template(stack).Resources as Record<string, Resource>)[idOf(handler)]?.Properties, workflow).toMatchObject({ Timeout: 60 });
      const { definition, substitutions } = built.definitionOf(workflow);
      expect((definition.States as Record<string, Json>).on_failure, workflow).toMatchObject({ Type: 'Task', Resource: '${OrkFunction_on_failure}' });
      expect(substitutions.OrkFunction_on_failure, workflow).toEqual(getAtt(idOf(handler)));
      const invocable = built
        .statementsOf(stack, idOf(construct.stateMachineRole))
        .filter((s) => actionsOf(s).includes('lambda:InvokeFunction'))
        .flatMap((s) => list(s.Resource))
        .map(key);
      expect(invocable, workflow).toContain(key(getAtt(idOf(handler))));
    }
  });

  it('gives container tasks a Fargate task definition and runs them with waitForTaskToken and a heartbeat', () => {
    const workflow = 'deploy_containers';
    const { stack, construct } = built.locate(workflow);
    const manifest = built.manifests.get(workflow)!;
    const containerTasks = manifest.tasks.filter((t) => t.executor === 'container');
    expect(containerTasks.map((t) => t.name)).toEqual(['train', 'score', 'report']);
    expect(built.resources(stack, 'AWS::ECS::TaskDefinition')).toHaveLength(3);
    const all = built.template(stack).Resources as Record<string, Resource>;
    const bucket = { Ref: idOf(construct.payloadBucket) };
    const expectedSize: Record<string, [string, string]> = { train: ['2048', '4096'], score: ['1024', '2048'], report: ['512', '1024'] };
    for (const task of containerTasks) {
      const definition = construct.taskDefinitions.get(task.name)!;
      const props = all[idOf(definition)]?.Properties ?? {};
      expect(props.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(props.NetworkMode).toBe('awsvpc');
      expect([props.Cpu, props.Memory], task.name).toEqual(expectedSize[task.name]);
      const [container] = props.ContainerDefinitions as Json[];
      const env = Object.fromEntries((container?.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
      expect(env).toMatchObject({
        ORK_TASK_FILE: task.file,
        ORK_PAYLOAD_BUCKET: bucket,
        ORK_PAYLOAD_PREFIX: `${workflow}/`,
        ORK_HEARTBEAT_SECONDS: String(task.heartbeatSeconds),
      });
      if (task.name === 'train') {
        expect(container?.Image).toBe('public.ecr.aws/example/ork-train:1.0');
        expect(env.MODEL).toBe('big');
      } else {
        // Built from an image asset: an ECR repository image of the bootstrap stack.
        expect(JSON.stringify(container?.Image)).toContain('container-assets');
      }
      expect(key(container?.LogConfiguration)).toContain('awslogs');
    }

    const { definition, substitutions } = built.definitionOf(workflow);
    const states = allStates(definition);
    for (const task of containerTasks) {
      const run = states.find(([name]) => name === task.name)?.[1];
      expect(run?.Resource, task.name).toBe('arn:aws:states:::ecs:runTask.waitForTaskToken');
      expect(run?.HeartbeatSeconds, task.name).toBe(task.name === 'train' ? 600 : 300);
      expect(key(run?.Parameters)).toContain('$$.Task.Token');
      const parameters = run?.Parameters as Json;
      expect(parameters.LaunchType).toBe('FARGATE');
      expect(parameters.TaskDefinition).toBe(`\${OrkTaskDefinition_${task.name}}`);
      expect(substitutions[`OrkTaskDefinition_${task.name}`]).toEqual({ Ref: idOf(construct.taskDefinitions.get(task.name)!) });
    }
    expect(states.find(([name]) => name === 'train')?.[1].TimeoutSeconds).toBe(7200);
    // Every placeholder of the definition has a substitution, and nothing else is substituted.
    expect([...placeholdersOf(definition)].sort()).toEqual(substitutedBeyondPayloadBucket(definition, substitutions));
  });

  it('lets the state machine role run only its task definitions and pass only their roles', () => {
    const { stack, construct } = built.locate('deploy_containers');
    const statements = built.statementsOf(stack, idOf(construct.stateMachineRole));
    const definitions = [...construct.taskDefinitions.values()];
    const runTask = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ecs:')));
    for (const s of runTask) expect(actionsOf(s)).toEqual(['ecs:RunTask']);
    expect(
      runTask
        .flatMap((s) => list(s.Resource))
        .map(key)
        .sort(),
    ).toEqual(definitions.map((d) => key({ Ref: idOf(d) })).sort());
    for (const s of runTask) expect(key(s.Condition)).toContain(idOf(construct.cluster!));

    const roles = definitions
      .flatMap((d) => [d.taskRole, d.executionRole])
      .filter((r) => r !== undefined)
      .map((r) => key(getAtt(idOf(r))));
    const passRole = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
    for (const s of passRole) {
      expect(actionsOf(s)).toEqual(['iam:PassRole']);
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    }
    expect(
      passRole
        .flatMap((s) => list(s.Resource))
        .map(key)
        .sort(),
    ).toEqual([...new Set(roles)].sort());
  });

  it('logs every execution (level ALL) to a log group with retention, with X-Ray tracing', () => {
    for (const workflow of built.allWorkflows()) {
      const { stack } = built.locate(workflow);
      const { properties } = built.definitionOf(workflow);
      expect(properties.TracingConfiguration, workflow).toEqual({ Enabled: true });
      const logging = properties.LoggingConfiguration as {
        Level: string;
        IncludeExecutionData: boolean;
        Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
      };
      expect(logging.Level).toBe('ALL');
      expect(logging.IncludeExecutionData).toBe(true);
      const groupId = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] ?? '';
      const group = (built.template(stack).Resources as Record<string, Resource>)[groupId];
      expect(group?.Type).toBe('AWS::Logs::LogGroup');
      expect(group?.Properties?.RetentionInDays, workflow).toBe(30);
    }
    // Task log groups too.
    for (const name of built.stacks.keys()) {
      if (name === CONTROL_STACK) continue;
      for (const [id, group] of built.resources(name, 'AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays, `${name}/${id}`).toBeGreaterThan(0);
    }
  });

  it('outputs the state machine ARN, its console URL and the dashboard URL', () => {
    for (const workflow of built.allWorkflows()) {
      const { stack, construct } = built.locate(workflow);
      const outputs = built.template(stack).Outputs as Record<string, { Value: unknown }>;
      const find = (name: string): unknown => {
        const output = construct.outputs[name];
        if (!output) throw new Error(`${construct.path}: no child ${name}`);
        expect(output.cfnOutput, `${construct.path}/${name} is a CfnOutput`).toBe(true);
        return outputs[idOf(output)]?.Value;
      };
      expect(find('StateMachineArn'), workflow).toEqual({ Ref: idOf(construct.stateMachine) });
      const console = key(find('StateMachineConsoleUrl'));
      expect(console).toContain('console.aws.amazon.com/states/home');
      expect(console).toContain(idOf(construct.stateMachine));
      const dashboard = key(find('DashboardUrl'));
      expect(dashboard).toContain('#dashboards/dashboard/');
      expect(dashboard).toContain(idOf(construct.monitoring.dashboard));
    }
  });

  it("attaches no AWS managed policy to any role (but aws-cdk-lib's bucket-notifications handler's)", () => {
    for (const name of built.stacks.keys()) {
      for (const [id, role] of built.resources(name, 'AWS::IAM::Role')) {
        // aws-cdk-lib's own handler for triggerBuckets (least-privilege.test.ts checks what it has).
        if (id.startsWith('BucketNotificationsHandler050a0587b7544547bf325f094a3db834Role')) continue;
        expect(role.Properties?.ManagedPolicyArns, `${name}/${id}`).toBeUndefined();
      }
      expect(built.resources(name, 'AWS::IAM::ManagedPolicy'), name).toEqual([]);
    }
  });

  it('grants `*` resources only for APIs that have no resource-level permissions', () => {
    // Logs delivery and X-Ray (state machine, functions), task tokens (containers), the ECR login token.
    const allowed =
      /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|states:SendTask(Success|Failure|Heartbeat)|ecr:GetAuthorizationToken)$/;
    const found: string[] = [];
    for (const name of built.stacks.keys()) {
      if (name === CONTROL_STACK) continue;
      for (const [id, policy] of built.resources(name, 'AWS::IAM::Policy')) {
        for (const s of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (!list(s.Resource).includes('*')) continue;
          for (const action of actionsOf(s)) if (!allowed.test(action)) found.push(`${name}/${id}: ${action} on *`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it("restricts each task role's S3 access to its workflow's prefix of its own payload bucket", () => {
    for (const workflow of built.allWorkflows()) {
      const { stack, construct } = built.locate(workflow);
      const bucketArn = getAtt(idOf(construct.payloadBucket));
      const objects = key({ 'Fn::Join': ['', [bucketArn, `/${workflow}/*`]] });
      const roles = [...[...construct.functions.values()].map((fn) => fn.role!), ...[...construct.taskDefinitions.values()].map((d) => d.taskRole)];
      expect(roles.length).toBe(built.manifests.get(workflow)!.tasks.length);
      for (const role of roles) {
        const statements = built.statementsOf(stack, idOf(role)).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
        expect(statements.length, `${workflow} ${role.path}`).toBeGreaterThan(0);
        // Objects under `<workflow>/` only: nothing on the bucket itself (the runtimes never list).
        const reached = new Set(statements.flatMap((s) => list(s.Resource)).map(key));
        // With Distributed Maps, also the results they wrote (ResultWriter), read-only.
        const results = key({ 'Fn::Join': ['', [bucketArn, `/ork-results/${workflow}/*`]] });
        const distributed = construct.distributedMapPolicy !== undefined;
        expect([...reached].sort(), `${workflow} ${role.path}`).toEqual([objects, ...(distributed ? [results] : [])].sort());
        for (const s of statements.filter((s) => list(s.Resource).map(key).includes(results))) expect(actionsOf(s)).toEqual(['s3:GetObject']);
        for (const s of statements) expect(s.Condition, 'unconditional, so the resources alone bound it').toBeUndefined();
        // What the runtimes call on the prefix (payload_store.py, payload-store.ts), and nothing else.
        expect(
          statements
            .filter((s) => list(s.Resource).map(key).includes(objects))
            .flatMap(actionsOf)
            .sort(),
          `${workflow} ${role.path}`,
        ).toEqual(['s3:GetObject', 's3:PutObject']);
      }
    }
  });
});

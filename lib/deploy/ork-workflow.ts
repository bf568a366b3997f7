import { CfnOutput, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Environment } from '../../lambdas/contract/contract.js';
import {
  DEFAULT_HEARTBEAT_SECONDS,
  definitionText,
  Placeholders,
  resultsPrefix,
  taskConstructIds,
  taskDescription,
  type TaskManifest,
  type TaskManifestEntry,
} from '../../compiler/index.js';
import { acknowledge, nagResourceName } from './acknowledge.js';
import { compileForDeploy } from './compile-for-deploy.js';
import { containerImage } from './container-image.js';
import { DistributedMapPolicy } from './distributed-map-policy.js';
import { checkResultWriters, distributedMapsOf } from './distributed-maps.js';
import { workflowPropsFromContext } from './deploy-context.js';
import { createPayloadBucket } from './payload-bucket.js';
import { nodeHandlers } from './node-bundle.js';
import { nodeTaskCode, pythonTaskCode } from './task-code.js';
import { grantTaskSecrets, secretsEnvironment } from './task-secrets.js';
import { functionTimeout } from './task-timeout.js';
import { enableTriggerBuckets } from './trigger-buckets.js';
import { WorkflowMonitoring } from './workflow-monitoring.js';
import { WorkflowSchedule } from './workflow-schedule.js';
import { WorkflowTrigger } from './workflow-trigger.js';

export interface OrkWorkflowProps {
  /** The workflow directory (holding workflow.yaml), or the workflow.yaml file. */
  readonly workflow: string;
  /** @default the workflow's name */
  readonly stateMachineName?: string;
  /**
   * Runtime of python tasks; their code is built for it (docs/deploy.md).
   * @default the `pythonRuntime` context value (`-c pythonRuntime=python3.11`), else lambda.Runtime.PYTHON_3_14 (see DEFAULT_PYTHON_RUNTIME)
   */
  readonly pythonRuntime?: lambda.Runtime;
  /** Runtime of node tasks. @default the `nodeRuntime` context value, else lambda.Runtime.NODEJS_24_X (see DEFAULT_NODE_RUNTIME) */
  readonly nodeRuntime?: lambda.Runtime;
  /** @default the `architecture` context value (`arm64`, `x86_64`), else lambda.Architecture.ARM_64 (cheaper per GB-second) */
  readonly architecture?: lambda.Architecture;
  /** Retention of the state machine's and the tasks' logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Of the payload bucket, the log groups and the triggers' dead-letter queues. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Where large outputs go. @default a new encrypted bucket */
  readonly payloadBucket?: s3.IBucket;
  /** How long large outputs are kept. @default Duration.days(30) */
  readonly payloadExpiration?: Duration;
  /** Cluster of container tasks. @default a new Fargate cluster in `vpc` */
  readonly cluster?: ecs.ICluster;
  /** VPC of a new cluster. @default a new VPC with public subnets only (no NAT gateway cost) */
  readonly vpc?: ec2.IVpc;
  /** Notified when executions fail or time out. @default no notification */
  readonly alarmTopic?: sns.ITopic;
  /** Run the workflow.yaml `schedule:`; set false to deploy it disabled. @default the schedule's `enabled` */
  readonly scheduleEnabled?: boolean;
  /**
   * Buckets to turn EventBridge notifications on for: S3 sends the "Object Created" events that `s3:` triggers
   * listen to only from a bucket that has them on. Each must be a bucket an `s3:` trigger names (synth stops
   * otherwise), with a name known at synth (`s3.Bucket.fromBucketName`, or a Bucket given `bucketName`). A
   * bucket a trigger names that is not given here is left as it is: turning its notifications on is yours.
   * @default no bucket is changed
   */
  readonly triggerBuckets?: readonly s3.IBucket[];
}

/**
 * Deploys one Ork workflow: its compiled state machine, a Lambda function per python or node task, a Fargate
 * task definition per container task, the payload bucket, the schedule, an EventBridge rule per trigger, a
 * dashboard and alarms.
 *
 * `DefinitionBody.fromString` grants nothing, so every permission the definition needs is granted here
 * explicitly, to exactly this workflow's functions and task definitions.
 */
export class OrkWorkflow extends Construct {
  readonly manifest: TaskManifest;
  readonly stateMachine: sfn.StateMachine;
  readonly stateMachineRole: iam.Role;
  readonly payloadBucket: s3.IBucket;
  /** Lambda function of each python and node task, by task name (a node task's is a NodejsFunction). */
  readonly functions: ReadonlyMap<string, lambda.Function>;
  /** Fargate task definition of each container task, by task name. */
  readonly taskDefinitions: ReadonlyMap<string, ecs.FargateTaskDefinition>;
  readonly cluster?: ecs.ICluster;
  readonly monitoring: WorkflowMonitoring;
  readonly schedule?: WorkflowSchedule;
  /** The EventBridge rule, role and dead-letter queue of each entry of `triggers:`, in file order. */
  readonly triggers: readonly WorkflowTrigger[];
  /** The EventBridge rule of each trigger, in file order. */
  readonly triggerRules: readonly events.Rule[];
  /** The dead-letter queue of each trigger's target, in file order: events EventBridge could not deliver. */
  readonly triggerDeadLetterQueues: readonly sqs.Queue[];
  /** What the state machine role has for the definition's Distributed Map states, when it has any. */
  readonly distributedMapPolicy?: DistributedMapPolicy;

  constructor(scope: Construct, id: string, props: OrkWorkflowProps) {
    super(scope, id);
    const compiled = compileForDeploy(props.workflow, this.node.path);
    this.manifest = compiled.manifest;
    const workflow = compiled.manifest.workflow;
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const prefix = `${workflow}/`;
    const distributedMaps = distributedMapsOf(compiled.manifest);
    checkResultWriters(distributedMaps, workflow, this.node.path);
    // Tasks downstream of a Distributed Map read its results (ResultWriter's files) through their runtime.
    const results = distributedMaps.length > 0 ? resultsPrefix(workflow) : undefined;

    this.payloadBucket =
      props.payloadBucket ??
      createPayloadBucket(this, 'PayloadBucket', { removalPolicy, ...(props.payloadExpiration ? { expiration: props.payloadExpiration } : {}) });
    const runtimeEnvironment = {
      [Environment.workflow]: workflow,
      [Environment.payloadBucket]: this.payloadBucket.bucketName,
      [Environment.payloadPrefix]: prefix,
    };

    // Always given (ResultWriter's Bucket): CloudFormation substitutes the placeholders a definition has and
    // ignores the others.
    const substitutions: Record<string, string> = { [Placeholders.payloadBucket]: this.payloadBucket.bucketName };
    const functions = new Map<string, lambda.Function>();
    const fromContext = workflowPropsFromContext(this.node);
    const architecture = props.architecture ?? fromContext.architecture ?? lambda.Architecture.ARM_64;
    // What python and node functions share; each kind adds its code and runtime.
    const functionSettings = { architecture, retention, removalPolicy, env: runtimeEnvironment, prefix, ...(results ? { results } : {}) };
    const pythonTasks = compiled.manifest.tasks.filter((t) => t.executor === 'python');
    if (pythonTasks.length > 0) {
      const runtime = props.pythonRuntime ?? fromContext.pythonRuntime ?? DEFAULT_PYTHON_RUNTIME;
      const code = pythonTaskCode(workflow, compiled.directory, runtime, architecture);
      for (const task of pythonTasks) {
        const fn = this.pythonFunction(task, { code, runtime, ...functionSettings });
        functions.set(task.name, fn);
        substitutions[Placeholders.function(task.name)] = fn.functionArn;
      }
    }
    const nodeTasks = compiled.manifest.tasks.filter((t) => t.executor === 'node');
    if (nodeTasks.length > 0) {
      const runtime = props.nodeRuntime ?? fromContext.nodeRuntime ?? DEFAULT_NODE_RUNTIME;
      // One bundling for all of the workflow's node tasks: one asset, each function naming its own bundle.
      const code = nodeTaskCode(compiled.directory, nodeTasks, runtime);
      const handlers = nodeHandlers(nodeTasks);
      for (const task of nodeTasks) {
        const fn = this.nodeFunction(task, handlers.get(task.name)!, { code, runtime, ...functionSettings });
        functions.set(task.name, fn);
        substitutions[Placeholders.function(task.name)] = fn.functionArn;
      }
    }
    this.functions = functions;

    const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
    const containerTasks = compiled.manifest.tasks.filter((t) => t.executor === 'container');
    if (containerTasks.length > 0) {
      const cluster = props.cluster ?? this.createCluster(props.vpc);
      this.cluster = cluster;
      const vpc = cluster.vpc;
      const privateSubnets = vpc.privateSubnets.length > 0;
      const subnets = privateSubnets ? vpc.privateSubnets : vpc.publicSubnets;
      const securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
        vpc,
        description: `Ork ${workflow} container tasks (egress only)`,
        allowAllOutbound: true,
      });
      substitutions[Placeholders.cluster] = cluster.clusterArn;
      substitutions[Placeholders.subnets] = Fn.join(
        ',',
        subnets.map((s) => s.subnetId),
      );
      substitutions[Placeholders.securityGroups] = securityGroup.securityGroupId;
      // Without a NAT gateway, tasks in public subnets need a public IP to pull their image.
      substitutions[Placeholders.assignPublicIp] = privateSubnets ? 'DISABLED' : 'ENABLED';
      for (const task of containerTasks) {
        const definition = this.containerTask(task, compiled.directory, {
          retention,
          removalPolicy,
          env: runtimeEnvironment,
          prefix,
          ...(results ? { results } : {}),
        });
        taskDefinitions.set(task.name, definition);
        substitutions[Placeholders.taskDefinition(task.name)] = definition.taskDefinitionArn;
        substitutions[Placeholders.containerName(task.name)] = definition.defaultContainer?.containerName ?? 'task';
      }
    }
    this.taskDefinitions = taskDefinitions;

    this.stateMachineRole = new iam.Role(this, 'StateMachineRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description:
        `Runs the Ork workflow ${workflow}: invokes its functions and runs its container ` +
        `tasks${results ? ', and the child executions of its Distributed Maps' : ''}, nothing else`,
    });
    const stateMachineLogs = new logs.LogGroup(this, 'StateMachineLogs', { retention, removalPolicy });
    const stateMachineName = props.stateMachineName || workflow;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definitionText(compiled.definition)),
      definitionSubstitutions: substitutions,
      role: this.stateMachineRole,
      logs: { destination: stateMachineLogs, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    for (const fn of functions.values()) fn.grantInvoke(this.stateMachineRole);
    for (const definition of taskDefinitions.values()) {
      this.stateMachineRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ecs:RunTask'],
          resources: [definition.taskDefinitionArn],
          ...(this.cluster ? { conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } } } : {}),
        }),
      );
      const roles = [definition.taskRole, definition.executionRole].filter((r): r is iam.IRole => r !== undefined);
      this.stateMachineRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: roles.map((r) => r.roleArn),
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
      );
    }
    this.acknowledgeStateMachineRole(functions);
    if (results) {
      this.distributedMapPolicy = new DistributedMapPolicy(this, 'DistributedMapPolicy', {
        stateMachine: this.stateMachine,
        stateMachineName,
        role: this.stateMachineRole,
        payloadBucket: this.payloadBucket,
        itemsPrefix: prefix,
        resultsPrefix: results,
      });
    }

    const triggerRules = compiled.manifest.triggers ?? [];
    enableTriggerBuckets(props.triggerBuckets ?? [], triggerRules, this.node.path);
    this.triggers = triggerRules.map(
      (trigger) =>
        new WorkflowTrigger(this, `Trigger${trigger.index}`, {
          workflow,
          trigger,
          stateMachine: this.stateMachine,
          removalPolicy,
          ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
        }),
    );
    this.triggerRules = this.triggers.map((t) => t.rule);
    this.triggerDeadLetterQueues = this.triggers.map((t) => t.deadLetterQueue.queue);

    this.monitoring = new WorkflowMonitoring(this, 'Monitoring', {
      workflow,
      stateMachine: this.stateMachine,
      functions,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      deadLetterQueues: new Map(this.triggers.map((t, i) => [`trigger ${triggerRules[i]!.index}`, t.deadLetterQueue])),
    });
    if (compiled.manifest.schedule) {
      this.schedule = new WorkflowSchedule(this, 'Schedule', {
        stateMachine: this.stateMachine,
        schedule: compiled.manifest.schedule,
        params: compiled.manifest.params,
        ...(props.scheduleEnabled !== undefined ? { enabled: props.scheduleEnabled } : {}),
      });
    }
    // A scheduled execution may start as soon as the schedule exists: not before its Map Runs may run.
    if (this.schedule && this.distributedMapPolicy) this.schedule.node.addDependency(this.distributedMapPolicy);

    const region = Stack.of(this).region;
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn, description: `State machine of Ork workflow ${workflow}` });
    new CfnOutput(this, 'StateMachineConsoleUrl', {
      value: consoleUrl(region, 'states', '#/statemachines/view/', this.stateMachine.stateMachineArn),
      description: 'The state machine in the Step Functions console',
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: consoleUrl(region, 'cloudwatch', '#dashboards/dashboard/', this.monitoring.dashboard.dashboardName),
      description: 'The workflow dashboard in the CloudWatch console',
    });
  }

  /** Lets `grantee` start executions of this workflow. */
  grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` follow executions: describe them, list them, read their history and Map runs. */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = this.stateMachine.grantRead(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:DescribeMapRun', 'states:ListMapRuns'],
      resourceArns: [
        this.stateMachine.stateMachineArn,
        Fn.join('', [Fn.select(0, Fn.split(':stateMachine:', this.stateMachine.stateMachineArn)), ':mapRun:', this.stateMachine.stateMachineName, '/*']),
      ],
    });
    return grant;
  }

  /** Lets `grantee` redrive failed executions of this workflow. */
  grantRedrive(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantExecution(grantee, 'states:RedriveExecution', 'states:StopExecution');
  }

  /** Lets `grantee` read large outputs of this workflow's runs, and the results of its Distributed Maps. */
  grantReadPayloads(grantee: iam.IGrantable): iam.Grant {
    const outputs = this.payloadBucket.grantRead(grantee, `${this.manifest.workflow}/*`);
    return this.distributedMapPolicy ? outputs.combine(this.payloadBucket.grantRead(grantee, `${resultsPrefix(this.manifest.workflow)}*`)) : outputs;
  }

  private pythonFunction(task: TaskManifestEntry, options: FunctionOptions): lambda.Function {
    const { id, props, role, logGroup } = this.functionProps(task, options);
    const fn = new lambda.Function(this, id, { ...props, handler: 'ork.lambda_handler.handler' });
    this.grantFunctionPayloads(role, logGroup, options);
    if (options.runtime.name !== newestKnownPythonRuntime()) {
      const why =
        options.runtime.name === DEFAULT_PYTHON_RUNTIME.name
          ? `${options.runtime.name} is the newest Python runtime in the CloudFormation resource ` +
            `schema (cfn-lint E3030 rejects ${newestKnownPythonRuntime()}, which aws-cdk-lib already ` +
            `lists)`
          : `${options.runtime.name} was chosen for this workflow (pythonRuntime), typically because ` +
            `the package index its code is built from has wheels for it`;
      acknowledge(fn, 'AwsSolutions-L1', `${why}; the Ork SDK supports Python 3.11 and later.`);
    }
    return fn;
  }

  /**
   * A node task's function: a NodejsFunction given the workflow's node code (bundled once for all of its
   * node tasks by nodeTaskCode, rather than by NodejsFunction per function) and the handler module of its
   * task file; role, log group, tracing and payload access exactly as a python task's.
   */
  private nodeFunction(task: TaskManifestEntry, handler: string, options: FunctionOptions): lambda.Function {
    const { id, props, role, logGroup } = this.functionProps(task, options);
    const fn = new nodejs.NodejsFunction(this, id, { ...props, handler });
    this.grantFunctionPayloads(role, logGroup, options);
    // Only for the default: a runtime the caller chose older than that is theirs to acknowledge.
    if (options.runtime.name === DEFAULT_NODE_RUNTIME.name && options.runtime.name !== newestKnownNodeRuntime()) {
      acknowledge(
        fn,
        'AwsSolutions-L1',
        `${options.runtime.name} is the Node.js runtime of this workflow's node tasks, the newest ` +
          `that the CloudFormation resource schema lists (cfn-lint E3030 checks it); aws-cdk-lib ` +
          `already lists ${newestKnownNodeRuntime()}, which L1 expects.`,
      );
    }
    return fn;
  }

  /**
   * What every task function has, whatever its language: its log group, and its role — an explicit one
   * with an inline log policy instead of AWSLambdaBasicExecutionRole, so it may write only to its own log
   * group — memory, timeout, environment and tracing from the manifest.
   */
  private functionProps(task: TaskManifestEntry, options: FunctionOptions) {
    const ids = taskConstructIds(task.name);
    const id = ids.task;
    const logGroup = new logs.LogGroup(this, ids.logs, { retention: options.retention, removalPolicy: options.removalPolicy });
    const role = new iam.Role(this, ids.role, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: taskDescription(this.manifest.workflow, task.name),
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    grantTaskSecrets(role, task);
    const props = {
      description: taskDescription(this.manifest.workflow, task.name),
      runtime: options.runtime,
      architecture: options.architecture,
      code: options.code,
      memorySize: task.memoryMb,
      timeout: functionTimeout(task),
      environment: { ...task.env, ...options.env, ...secretsEnvironment(task), [Environment.taskFile]: task.file },
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
    };
    return { id, props, role, logGroup };
  }

  /** Read and write of this workflow's prefix of the payload bucket, with its cdk-nag acknowledgements. */
  private grantFunctionPayloads(role: iam.Role, logGroup: logs.LogGroup, options: FunctionOptions): void {
    this.grantPayloadObjects(role, options.prefix);
    acknowledgePolicy(role, this.payloadBucket.arnForObjects(`${options.prefix}*`), options.prefix, logGroup);
    if (options.results) this.grantReadResults(role, options.results);
  }

  /**
   * Exactly what a task's runtime does with the payload bucket (lambdas/python/ork/payload_store.py,
   * lambdas/node/ork/payload-store.ts, in Lambda and in the container entry point alike): s3:PutObject of
   * outputs above the threshold and of fan-out item lists, one request each, under the workflow's prefix;
   * s3:GetObject of the references that its tasks wrote there. The runtimes never list, head, delete, tag or
   * upload in parts: no bucket-level action (s3:ListBucket), no other object action. A bucket with a KMS key
   * (a `payloadBucket` of the caller's): kms:GenerateDataKey to write an object, kms:Decrypt to read one.
   * Granted where grantReadWrite granted: the role's policy, and the bucket's too if it is another account's.
   */
  private grantPayloadObjects(role: iam.IRole, prefix: string): void {
    iam.Grant.addToPrincipalOrResource({
      grantee: role,
      actions: ['s3:GetObject', 's3:PutObject'],
      resourceArns: [this.payloadBucket.arnForObjects(`${prefix}*`)],
      resource: this.payloadBucket,
    });
    this.payloadBucket.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /**
   * Read of the Distributed Maps' results (docs/scale.md: `ork_results` references, resolved by the
   * runtime of the task downstream): s3:GetObject only, on the workflow's results prefix, where ResultWriter
   * puts the manifest and result files; the keys come in the manifest, so no listing is needed. A bucket
   * with a KMS key already lets the role decrypt (grantPayloadObjects grants kms:Decrypt on the key).
   */
  private grantReadResults(role: iam.IRole, results: string): void {
    const objects = this.payloadBucket.arnForObjects(`${results}*`);
    iam.Grant.addToPrincipalOrResource({ grantee: role, actions: ['s3:GetObject'], resourceArns: [objects], resource: this.payloadBucket });
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagResourceName(role, objects)}]`,
      `Read of this workflow’s Distributed Map results (${results}) in the payload bucket, at ` +
        `keys that Step Functions chooses and hands on in the ResultWriter manifest.`,
    );
  }

  private containerTask(
    task: TaskManifestEntry,
    workflowDir: string,
    options: { retention: logs.RetentionDays; removalPolicy: RemovalPolicy; env: Record<string, string>; prefix: string; results?: string },
  ): ecs.FargateTaskDefinition {
    const ids = taskConstructIds(task.name);
    const definition = new ecs.FargateTaskDefinition(this, ids.task, {
      cpu: Math.round((task.cpu ?? 1) * 1024),
      memoryLimitMiB: task.memoryMb,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, ids.logs, { retention: options.retention, removalPolicy: options.removalPolicy });
    definition.addContainer('task', {
      containerName: 'task',
      image: containerImage(task, workflowDir),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: task.name, logGroup }),
      environment: {
        ...task.env,
        ...options.env,
        ...secretsEnvironment(task),
        [Environment.taskFile]: task.file,
        [Environment.heartbeatSeconds]: String(task.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS),
      },
    });
    if (!task.image && definition.executionRole) {
      acknowledge(
        definition.executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken supports no resource-level permissions; the image pull itself is limited to ' +
          'the asset repository holding this task’s image.',
      );
    }
    this.grantPayloadObjects(definition.taskRole, options.prefix);
    // The task role, which the task's code runs as; the execution role only pulls the image and writes logs.
    grantTaskSecrets(definition.taskRole, task);
    // What the container entry point (lambdas/python/ork/container.py) reports with. Task token APIs take no
    // resource: the token itself scopes the call to one waiting state.
    definition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: ['*'] }),
    );
    acknowledgePolicy(definition.taskRole, this.payloadBucket.arnForObjects(`${options.prefix}*`), options.prefix);
    if (options.results) this.grantReadResults(definition.taskRole, options.results);
    acknowledge(
      definition.taskRole,
      'AwsSolutions-IAM5[Resource::*]',
      'states:SendTaskSuccess/Failure/Heartbeat support no resource-level permissions; the task ' +
        'token passed to the container is what limits the call to one waiting state.',
    );
    acknowledge(
      definition,
      'AwsSolutions-ECS2',
      'The environment holds only non-secret configuration (task file, bucket name, prefix, ' +
        'heartbeat, the names of its secrets); the task reads secret values from Secrets Manager or SSM at run time.',
    );
    return definition;
  }

  private createCluster(vpc?: ec2.IVpc): ecs.Cluster {
    const network =
      vpc ??
      new ec2.Vpc(this, 'Vpc', {
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
        flowLogs: { FlowLogs: { destination: ec2.FlowLogDestination.toCloudWatchLogs(), trafficType: ec2.FlowLogTrafficType.REJECT } },
      });
    return new ecs.Cluster(this, 'Cluster', { vpc: network, containerInsightsV2: ecs.ContainerInsights.ENHANCED });
  }

  private acknowledgeStateMachineRole(functions: ReadonlyMap<string, lambda.Function>): void {
    const role = this.stateMachineRole;
    for (const fn of functions.values()) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        'grantInvoke allows the function’s versions and aliases (ARN:*) of this workflow’s own function only.',
      );
    }
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) ' +
        'support no resource-level permissions; Step Functions needs them for logging level ALL ' +
        'and tracing.',
    );
  }
}

interface FunctionOptions {
  readonly code: lambda.Code;
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly retention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly env: Record<string, string>;
  readonly prefix: string;
  /** The workflow's Distributed Map results prefix, when it has Distributed Maps. @default no results to read */
  readonly results?: string;
}

/**
 * A page of an AWS console in the stack's region, as a CloudFormation value: the region and `id` may be tokens,
 * which lib/cloud/console-urls.ts (that builds the same addresses from known strings) cannot take.
 */
function consoleUrl(region: string, service: string, page: string, id: string): string {
  return Fn.join('', ['https://', region, `.console.aws.amazon.com/${service}/home?region=`, region, page, id]);
}

/**
 * IAM5 findings of a role that may read and write this workflow's prefix of the payload bucket (`objects`, the
 * ARN of its objects there): the key wildcard only, since its actions (s3:GetObject, s3:PutObject, and
 * kms:Decrypt, kms:GenerateDataKey on a bucket's key) have none.
 */
function acknowledgePolicy(role: iam.IRole, objects: string, prefix: string, logGroup?: logs.ILogGroup): void {
  const reason =
    `s3:GetObject and s3:PutObject of this workflow’s own prefix (${prefix}) of the payload ` +
    `bucket, where outputs too large for Step Functions state are passed between its tasks, at ` +
    `keys chosen at run time.`;
  acknowledge(role, `AwsSolutions-IAM5[Resource::${nagResourceName(role, objects)}]`, reason);
  if (logGroup) {
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${Stack.of(role).getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup)}.Arn>:log-stream:*]`,
      'The function writes log streams of its own log group only; stream names are created by Lambda at run time.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) supports no resource-level permissions.',
    );
  }
}

/**
 * The newest Python runtime in the CloudFormation resource schema (cfn-lint E3030 checks against it).
 * aws-cdk-lib already lists a newer one, which cdk-nag's L1 then expects; the functions acknowledge that.
 */
export const DEFAULT_PYTHON_RUNTIME = lambda.Runtime.PYTHON_3_14;

function newestKnownPythonRuntime(): string {
  const minors = lambda.Runtime.ALL.filter((r) => /^python3\.\d+$/.test(r.name)).map((r) => Number(r.name.split('.')[1]));
  return `python3.${Math.max(...minors)}`;
}

/**
 * The Node.js runtime of node tasks: nodejs24.x, the newest Node.js runtime that both the CloudFormation
 * resource schema (cfn-lint E3030) and aws-cdk-lib list, so cdk-nag's L1 (newest runtime of the family, by
 * aws-cdk-lib's list) holds without an acknowledgement. Once aws-cdk-lib lists a newer one before the schema
 * does, functions on this default acknowledge L1 with that reason, as python functions do; a runtime the
 * caller chooses (`nodeRuntime`) is the caller's to acknowledge.
 */
export const DEFAULT_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The newest `nodejsNN.x` that aws-cdk-lib lists (what cdk-nag's L1 compares with). */
function newestKnownNodeRuntime(): string {
  const majors = lambda.Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name)).map((r) => Number(/\d+/.exec(r.name)![0]));
  return `nodejs${Math.max(...majors)}.x`;
}

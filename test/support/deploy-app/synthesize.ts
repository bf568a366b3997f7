import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, CfnOutput, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { TaskManifest } from '../../../compiler/index.js';
import { OrkWorkflow, OrkWorkflowStack, stackNameFor } from '../../../lib/deploy/index.js';
import { compileCleanly, EXAMPLES_DIR, workflowDirectories } from '../workflows.js';
import { OUTPUT_IDS, type ConstructRef, type DeployAppSnapshot, type WorkflowFactsJson } from './snapshot.js';
import { CONTROL_STACK, SNS_TOPIC_ARN, SYNTH_CONTEXT, writeTestWorkflows } from './test-workflows.js';

/**
 * What `cdk deploy` would deploy, checked without an AWS account. ONE App holds a stack per example plus
 * stacks for the test workflows (test-workflows.ts), with cdk-nag's AwsSolutions pack registered exactly as
 * bin/cdk-app.ts registers it, and is synthesized ONCE per test run (3–15 s on these two-core machines,
 * depending on load, plus the bundling of its assets): shared-app.ts hands the result to every test file.
 *
 * How cdk-nag 3 reports: it is a CDK policy-validation plugin (`Validations.of(app).addPlugins`). At synth
 * CDK runs it over the whole app and writes `validation-report.json` into the assembly; a plugin is listed
 * there only if it failed or left violations (cdk-nag itself drops findings acknowledged with
 * `Validations.of(x).acknowledge`, looking up the construct's ancestors). A failed plugin makes an
 * in-memory synth (vitest, NODE_ENV=test) throw `ValidationFailed`, while under the CLI `cdk synth` prints
 * the report and exits 1.
 * This App sets `@aws-cdk/core:failSynthOnValidationErrors: false` so that synth always writes the report
 * and the tests can read it: a control stack holds one bare bucket, which cdk-nag must flag, proving the
 * checks really ran; no Ork stack may have any violation.
 */
export function synthesizeDeployApp(workdir: string): DeployAppSnapshot {
  // The construct stages generated Dockerfile contexts in os.tmpdir() and leaves them there: keep them in workdir.
  const savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = path.join(workdir, 'os-tmp');
  mkdirSync(process.env.TMPDIR, { recursive: true });
  try {
    return build(workdir);
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
}

function build(workdir: string): DeployAppSnapshot {
  const outdir = path.join(workdir, 'cdk.out');
  const started = performance.now();
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false, ...SYNTH_CONTEXT } });
  const stacks = new Map<string, Stack>();
  const workflows = new Map<string, OrkWorkflow>();
  const remember = (workflow: OrkWorkflow): void => {
    workflows.set(workflow.manifest.workflow, workflow);
  };

  // Exactly what bin/cdk-app.ts builds for each example.
  for (const { directory } of workflowDirectories(EXAMPLES_DIR)) {
    const name = compileCleanly(directory).manifest.workflow;
    const stack = new OrkWorkflowStack(app, stackNameFor(name), { workflow: directory, description: `Ork workflow ${name}` });
    stacks.set(stack.stackName, stack);
    remember(stack.workflow);
  }

  const dirs = writeTestWorkflows(path.join(workdir, 'workflows'));
  // Two workflows in one stack: each state machine role must name its own functions, not its neighbour's.
  const python = new Stack(app, 'OrkTestPython');
  const alarmTopic = sns.Topic.fromTopicArn(python, 'AlarmTopic', SNS_TOPIC_ARN);
  remember(new OrkWorkflow(python, 'Settings', { workflow: dirs.settings, alarmTopic }));
  remember(new OrkWorkflow(python, 'Defaults', { workflow: path.join(dirs.defaults, 'workflow.yaml') }));
  stacks.set(python.stackName, python);

  const containers = new OrkWorkflowStack(app, 'OrkTestContainers', { workflow: dirs.containers });
  stacks.set(containers.stackName, containers);
  remember(containers.workflow);

  // Node tasks: a node workflow and a mixed one in one stack (again, each role names only its own functions).
  const node = new Stack(app, 'OrkTestNode');
  remember(new OrkWorkflow(node, 'Node', { workflow: dirs.node }));
  remember(new OrkWorkflow(node, 'Mixed', { workflow: dirs.mixed }));
  stacks.set(node.stackName, node);

  // A Distributed Map: the permissions it needs, on a stack of its own as bin/cdk-app.ts would deploy it.
  const scale = new OrkWorkflowStack(app, 'OrkTestScale', { workflow: dirs.scale });
  stacks.set(scale.stackName, scale);
  remember(scale.workflow);

  // Triggers: their rules, roles and dead-letter queues, and EventBridge notifications turned on for an
  // imported bucket (aws-cdk-lib's notifications handler joins the stack).
  const triggers = new Stack(app, 'OrkTestTriggers');
  const landing = s3.Bucket.fromBucketName(triggers, 'LandingBucket', 'landing-bucket');
  const triggerTopic = sns.Topic.fromTopicArn(triggers, 'AlarmTopic', SNS_TOPIC_ARN);
  remember(new OrkWorkflow(triggers, 'Triggers', { workflow: dirs.triggers, triggerBuckets: [landing], alarmTopic: triggerTopic }));
  stacks.set(triggers.stackName, triggers);

  // Control: a bucket with none of the settings cdk-nag asks for.
  const control = new Stack(app, CONTROL_STACK);
  new s3.Bucket(control, 'BareBucket');

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
  const constructed = performance.now();
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  const done = performance.now();
  const templates: Record<string, Record<string, unknown>> = {};
  if (synthError === undefined) for (const [name, stack] of stacks) templates[name] = Template.fromStack(stack).toJSON();
  return {
    outdir,
    workdir,
    testDirs: dirs,
    stackNames: [...stacks.keys()],
    templates,
    manifests: [...workflows.values()].map((w): TaskManifest => w.manifest),
    workflows: [...workflows.values()].map(factsOf),
    constructSeconds: (constructed - started) / 1000,
    synthSeconds: (done - constructed) / 1000,
    ...(synthError !== undefined ? { synthError: String(synthError) } : {}),
  };
}

/** The logical id of a construct's CloudFormation resource (its default child) or of a CfnElement itself. */
function idOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

function ref(construct: IConstruct): ConstructRef {
  return { logicalId: idOf(construct), path: construct.node.path };
}

function factsOf(construct: OrkWorkflow): WorkflowFactsJson {
  const key = construct.payloadBucket.encryptionKey;
  return {
    workflow: construct.manifest.workflow,
    path: construct.node.path,
    stack: Stack.of(construct).stackName,
    stateMachine: ref(construct.stateMachine),
    stateMachineRole: ref(construct.stateMachineRole),
    payloadBucket: { ...ref(construct.payloadBucket), ...(key ? { encryptionKey: ref(key) } : {}) },
    ...(construct.cluster ? { cluster: ref(construct.cluster) } : {}),
    ...(construct.distributedMapPolicy ? { distributedMapPolicy: { policy: ref(construct.distributedMapPolicy.policy) } } : {}),
    ...(construct.schedule ? { schedule: { schedule: ref(construct.schedule.schedule) } } : {}),
    triggers: construct.triggers.map((t) => ({
      rule: ref(t.rule),
      role: ref(t.role),
      deadLetterQueue: ref(t.deadLetterQueue.queue),
      alarm: ref(t.deadLetterQueue.alarm),
    })),
    monitoring: { dashboard: ref(construct.monitoring.dashboard) },
    outputs: Object.fromEntries(
      OUTPUT_IDS.map((id) => {
        const child = construct.node.findChild(id);
        return [id, { ...ref(child), cfnOutput: child instanceof CfnOutput }];
      }),
    ),
    functions: [...construct.functions].map(([task, fn]) => [
      task,
      { ...ref(fn), logGroup: ref(fn.logGroup), ...(fn.role ? { role: ref(fn.role) } : {}), nodejsFunction: fn instanceof NodejsFunction },
    ]),
    taskDefinitions: [...construct.taskDefinitions].map(([task, definition]) => [
      task,
      { ...ref(definition), taskRole: ref(definition.taskRole), ...(definition.executionRole ? { executionRole: ref(definition.executionRole) } : {}) },
    ]),
    resources: construct.node
      .findAll()
      .filter((c) => CfnResource.isCfnResource(c))
      .map((c) => idOf(c)),
  };
}

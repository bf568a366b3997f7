import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, CfnOutput, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskManifest } from '../../compiler/index.js';
import { bundleNodeTasks, nodeHandlers, nodeTarget } from '../../lib/deploy/node-bundle.js';
import { DEFAULT_NODE_RUNTIME, OrkWorkflow, OrkWorkflowStack, stackNameFor } from '../../lib/deploy/index.js';
import { NODE_RUNTIME } from '../support/aws-parity/aws-parity.js';
import { compileCleanly, EXAMPLES_DIR, ROOT, workflowDirectories } from '../support/workflows.js';

/**
 * What `cdk deploy` would deploy, checked without an AWS account. ONE App holds a stack per example plus
 * stacks for test workflows written below, with cdk-nag's AwsSolutions pack registered exactly as
 * bin/cdk-app.ts registers it, and is synthesized ONCE (3–15 s on these two-core machines, depending on load). Every test
 * reads that one cloud assembly: cdk-nag's report, cfn-lint over every template, template assertions.
 *
 * How cdk-nag 3 reports: it is a CDK policy-validation plugin (`Validations.of(app).addPlugins`). At synth
 * CDK runs it over the whole app and writes `validation-report.json` into the assembly; a plugin is listed
 * there only if it failed or left violations (cdk-nag itself drops findings acknowledged with
 * `Validations.of(x).acknowledge`, looking up the construct's ancestors). A failed plugin makes an
 * in-memory synth (vitest, NODE_ENV=test) throw `ValidationFailed`, while under the CLI `cdk synth` prints
 * the report and exits 1.
 * This App sets `@aws-cdk/core:failSynthOnValidationErrors: false` so that synth always writes the report
 * and the test can read it: a control stack holds one bare bucket, which cdk-nag must flag, proving the
 * checks really ran; no Ork stack may have any violation.
 */

const CONTROL_STACK = 'NagControl';
const SYNTH_CONTEXT = { pythonRuntime: 'python3.11', architecture: 'x86_64' } as const;
const SNS_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ork-alarms';

interface Built {
  readonly app: App;
  readonly outdir: string;
  readonly stacks: Map<string, Stack>;
  /** Manifest of each Ork workflow in the app, by workflow name. */
  readonly manifests: Map<string, TaskManifest>;
  /** The OrkWorkflow construct of each workflow, by workflow name. */
  readonly workflows: Map<string, OrkWorkflow>;
  readonly templates: Map<string, Template>;
  readonly synthSeconds: number;
  readonly constructSeconds: number;
  readonly synthError?: unknown;
}

let tmp: string;
let built: Built;
let testDirs: ReturnType<typeof writeTestWorkflows>;

// ---------------------------------------------------------------------------------------------------
// Test workflows

const PY_TASK = `from ork import task


@task
def main(input, ctx):
    return {"ok": True}
`;

function writeTree(root: string, files: Record<string, string>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** Settings in workflow.yaml: task memory/timeout/env over defaults, a cron schedule with everything. */
const SETTINGS_YAML = `name: deploy_settings
description: Test workflow for memory, timeout, env and schedule settings.
params:
  date: "2024-01-15"
  limit: 10
  region: eu
defaults:
  memory: 512MB
  timeout: 2m
  retries: 1
  env:
    STAGE: test
    SHARED: from-defaults
schedule:
  expression: cron(0 6 * * ? *)
  timezone: Europe/Paris
  flexible_window: 15m
  input:
    limit: 99
    mode: scheduled
tasks:
  extract:
    file: tasks/extract.py
    memory: 2GB
    timeout: 10m
    env:
      SHARED: overridden
      BATCH: 500
      VERBOSE: true
  load:
    file: tasks/load.py
    depends_on: [extract]
`;

/** No settings at all: Ork's defaults (1024 MB, 15 min, no user env); a rate schedule in the short form. */
const DEFAULTS_YAML = `name: deploy_defaults
schedule: rate(1 hour)
tasks:
  only:
    file: tasks/only.py
  fan:
    file: tasks/fan.py
    depends_on: [only]
    parallel: 3
`;

/** The three ways a container task gets its image, beside a python task. */
const CONTAINERS_YAML = `name: deploy_containers
tasks:
  prepare:
    file: tasks/prepare.py
  train:
    executor: container
    file: tasks/train.py
    image: public.ecr.aws/example/ork-train:1.0
    depends_on: [prepare]
    timeout: 2h
    heartbeat: 10m
    cpu: 2
    memory: 4GB
    env:
      MODEL: big
  score:
    executor: container
    file: tasks/score.py
    dockerfile: Dockerfile
    depends_on: [train]
    parallel: 2
  report:
    executor: container
    file: tasks/report.py
    depends_on: [score]
    cpu: 0.5
    memory: 1GB
`;

const TINY_DOCKERFILE = `FROM public.ecr.aws/docker/library/python:3.13-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir "pydantic>=2,<3" "boto3>=1.28"
ENV ORK_WORKFLOW_DIR=/app PYTHONUNBUFFERED=1
CMD ["python", "-m", "ork.container"]
`;

/**
 * Node tasks: settings from the YAML, a data file read through import.meta.url from a nested folder, two tasks
 * of one file, and a task that throws a class of its own. Written outside the repository (os.tmpdir), where
 * `ork/task` does not resolve through node_modules: the bundler falls back to the deploying Ork's SDK.
 */
const NODE_YAML = `name: deploy_node
defaults:
  memory: 256MB
tasks:
  fetch:
    executor: node
    file: tasks/fetch.ts
    memory: 2GB
    timeout: 5m
    env:
      SOURCE: api
      LIMIT: 10
  shape:
    executor: node
    file: lib/shape.ts
    depends_on: [fetch]
  reshape:
    executor: node
    file: lib/shape.ts
    depends_on: [fetch]
    timeout: 30s
  explode:
    executor: node
    file: tasks/explode.ts
    depends_on: [shape, reshape]
`;

const NODE_FILES: Record<string, string> = {
  'workflow.yaml': NODE_YAML,
  'data/rows.json': '[{"id": 1}, {"id": 2}, {"id": 3}]\n',
  'tasks/fetch.ts': `import { readFileSync } from 'node:fs';
import { defineTask, z } from 'ork/task';

const rows = JSON.parse(readFileSync(new URL('../data/rows.json', import.meta.url), 'utf8')) as { id: number }[];

export default defineTask({
  input: z.object({ params: z.object({ scale: z.number().default(1) }) }),
  output: z.object({ ids: z.array(z.number()), source: z.string() }),
  handler: (input) => ({ ids: rows.map((r) => r.id * input.params.scale), source: process.env.SOURCE ?? 'none' }),
});
`,
  'lib/shape.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ fetch: z.object({ ids: z.array(z.number()) }) }),
  handler: (input, ctx) => ({ task: ctx.task, count: input.fetch.ids.length }),
});
`,
  'tasks/explode.ts': `import { defineTask } from 'ork/task';

class QuotaExceeded extends Error {}

export default defineTask({
  handler: () => {
    throw new QuotaExceeded('over quota');
  },
});
`,
  // Local leftovers that must never reach the code.
  '.ork/runs/old.json': '{}',
  'node_modules/left-over/index.js': 'junk',
};

/** Python and node in one workflow: one asset per language, one function per task. */
const MIXED_YAML = `name: deploy_mixed
tasks:
  make:
    executor: python
    file: tasks/make.py
  double:
    executor: node
    file: tasks/double.ts
    foreach: make.numbers
    memory: 512MB
  total:
    executor: python
    file: tasks/total.py
    depends_on: [double]
`;

/**
 * A large fan-out (docs/scale.md): a Distributed Map in batches of 10, 5 % of failures tolerated, 500 child
 * executions at once. The schedule checks that it waits for the Distributed Map permissions.
 */
const SCALE_YAML = `name: deploy_scale
schedule: rate(1 day)
tasks:
  discover:
    file: tasks/discover.py
  process:
    file: tasks/process.py
    foreach: discover.files
    mode: distributed
    batch_size: 10
    tolerate_failures: 5%
    concurrency: 500
    timeout: 20s
  summarize:
    file: tasks/summarize.py
    depends_on: [process]
`;

const DOUBLE_TS = `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ item: z.number() }),
  handler: (input) => ({ doubled: input.item * 2 }),
});
`;

function writeTestWorkflows(root: string): { settings: string; defaults: string; containers: string; node: string; mixed: string; scale: string } {
  const settings = writeTree(path.join(root, 'settings'), { 'workflow.yaml': SETTINGS_YAML, 'tasks/extract.py': PY_TASK, 'tasks/load.py': PY_TASK });
  const defaults = writeTree(path.join(root, 'defaults'), { 'workflow.yaml': DEFAULTS_YAML, 'tasks/only.py': PY_TASK, 'tasks/fan.py': PY_TASK });
  const containers = writeTree(path.join(root, 'containers'), {
    'workflow.yaml': CONTAINERS_YAML,
    Dockerfile: TINY_DOCKERFILE,
    'tasks/prepare.py': PY_TASK,
    'tasks/train.py': PY_TASK,
    'tasks/score.py': PY_TASK,
    'tasks/report.py': PY_TASK,
    // Local leftovers that must never reach an image or a Lambda bundle.
    '.ork/runs/old.json': '{}',
    'tasks/__pycache__/train.cpython-313.pyc': 'junk',
  });
  const node = writeTree(path.join(root, 'node'), NODE_FILES);
  const mixed = writeTree(path.join(root, 'mixed'), { 'workflow.yaml': MIXED_YAML, 'tasks/make.py': PY_TASK, 'tasks/double.ts': DOUBLE_TS, 'tasks/total.py': PY_TASK });
  const scale = writeTree(path.join(root, 'scale'), { 'workflow.yaml': SCALE_YAML, 'tasks/discover.py': PY_TASK, 'tasks/process.py': PY_TASK, 'tasks/summarize.py': PY_TASK });
  return { settings, defaults, containers, node, mixed, scale };
}

// ---------------------------------------------------------------------------------------------------
// The one synth

function build(): Built {
  const outdir = path.join(tmp, 'cdk.out');
  const started = performance.now();
  // python3.11 on x86_64, as `-c pythonRuntime=python3.11 -c architecture=x86_64`: the python code assets are
  // built for real, from the wheels this machine's pip reaches (cp311 manylinux x86_64); the default
  // (python3.14 on arm64) needs an index that has its wheels, and its error is tested in python-code.test.ts.
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false, ...SYNTH_CONTEXT } });
  const stacks = new Map<string, Stack>();
  const manifests = new Map<string, TaskManifest>();
  const workflows = new Map<string, OrkWorkflow>();
  const remember = (workflow: OrkWorkflow): void => {
    manifests.set(workflow.manifest.workflow, workflow.manifest);
    workflows.set(workflow.manifest.workflow, workflow);
  };

  // Exactly what bin/cdk-app.ts builds for each example.
  for (const { directory } of workflowDirectories(EXAMPLES_DIR)) {
    const name = compileCleanly(directory).manifest.workflow;
    const stack = new OrkWorkflowStack(app, stackNameFor(name), { workflow: directory, description: `Ork workflow ${name}` });
    stacks.set(stack.stackName, stack);
    remember(stack.workflow);
  }

  const dirs = writeTestWorkflows(path.join(tmp, 'workflows'));
  testDirs = dirs;
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
  const templates = new Map<string, Template>();
  if (synthError === undefined) for (const [name, stack] of stacks) templates.set(name, Template.fromStack(stack));
  return {
    app,
    outdir,
    stacks,
    manifests,
    workflows,
    templates,
    constructSeconds: (constructed - started) / 1000,
    synthSeconds: (done - constructed) / 1000,
    ...(synthError !== undefined ? { synthError } : {}),
  };
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ork-deploy-synth-'));
  // The construct stages generated Dockerfile contexts in os.tmpdir() and leaves them there: keep them in tmp.
  const savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = path.join(tmp, 'os-tmp');
  mkdirSync(process.env.TMPDIR);
  try {
    built = build();
  } finally {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  }
  console.log(
    `[synth] ${built.stacks.size} stacks (+ control): construct + bundling ${built.constructSeconds.toFixed(1)} s, app.synth() ${built.synthSeconds.toFixed(1)} s, total ${(built.constructSeconds + built.synthSeconds).toFixed(1)} s`,
  );
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Helpers over CloudFormation JSON

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
  Metadata?: Json;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Json;
}

function template(stack: string): Template {
  if (built.synthError !== undefined) throw new Error(`synth failed: ${String(built.synthError)}`);
  const found = built.templates.get(stack);
  if (!found) throw new Error(`no stack ${stack}`);
  return found;
}

function resources(stack: string, type?: string): [string, Resource][] {
  const all = template(stack).toJSON().Resources as Record<string, Resource>;
  return Object.entries(all).filter(([, r]) => type === undefined || r.Type === type);
}

/** Resources of `type` that the construct created (an in-process synth has no aws:cdk:path metadata). */
function resourcesUnder(construct: IConstruct, type: string): [string, Resource][] {
  const ids = new Set(construct.node.findAll().filter((c) => CfnResource.isCfnResource(c)).map((c) => idOf(c)));
  return resources(Stack.of(construct).stackName, type).filter(([id]) => ids.has(id));
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The stack and the construct of a workflow. */
function locate(workflow: string): { stack: string; construct: OrkWorkflow } {
  const construct = built.workflows.get(workflow);
  if (!construct) throw new Error(`no workflow ${workflow}`);
  return { stack: Stack.of(construct).stackName, construct };
}

/** The logical id of a construct's CloudFormation resource (its default child) or of a CfnElement itself. */
function idOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

/** Every statement of the policies attached to a role (inline on the role and AWS::IAM::Policy). */
function statementsOf(stack: string, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, resource] of resources(stack, 'AWS::IAM::Policy')) {
    const roles = list(resource.Properties?.Roles as unknown[]);
    if (roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) {
      statements.push(...((resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? []));
    }
  }
  const role = (template(stack).toJSON().Resources as Record<string, Resource>)[roleLogicalId];
  for (const policy of list(role?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[])) statements.push(...policy.PolicyDocument.Statement);
  return statements;
}

function actionsOf(statement: Statement): string[] {
  return list(statement.Action);
}

function key(value: unknown): string {
  return JSON.stringify(value);
}

function getAtt(id: string, attribute = 'Arn'): Json {
  return { 'Fn::GetAtt': [id, attribute] };
}

/** The DefinitionString of the workflow's state machine, parsed (it is a plain string with placeholders). */
function definitionOf(workflow: string): { definition: Json; substitutions: Json; properties: Json } {
  const { stack, construct } = locate(workflow);
  const id = idOf(construct.stateMachine);
  const resource = (template(stack).toJSON().Resources as Record<string, Resource>)[id];
  const properties = resource?.Properties ?? {};
  expect(typeof properties.DefinitionString, 'DefinitionString must stay a plain string so cfn-lint E3601 can read it').toBe('string');
  return { definition: JSON.parse(properties.DefinitionString as string) as Json, substitutions: (properties.DefinitionSubstitutions ?? {}) as Json, properties };
}

/** Every state of a definition, nested ones (Map, Parallel) included. */
function allStates(definition: Json): [string, Json][] {
  const found: [string, Json][] = [];
  const walk = (machine: Json | undefined): void => {
    for (const [name, state] of Object.entries((machine?.States ?? {}) as Record<string, Json>)) {
      found.push([name, state]);
      walk(state.ItemProcessor as Json | undefined);
      walk(state.Iterator as Json | undefined);
      for (const branch of list(state.Branches as Json[])) walk(branch);
    }
  };
  walk(definition);
  return found;
}

const ALL_ORK_WORKFLOWS = (): string[] => [...built.manifests.keys()];

/** The `${…}` placeholders of a definition. */
function placeholdersOf(definition: Json): Set<string> {
  return new Set([...(JSON.stringify(definition).match(/\$\{(\w+)\}/g) ?? [])].map((p) => p.slice(2, -1)));
}

/**
 * The substitution keys, sorted, but OrkPayloadBucket when the definition does not use it: every machine is
 * given that one (CloudFormation ignores a substitution without its placeholder); all others exactly when used.
 */
function substitutedBeyondPayloadBucket(definition: Json, substitutions: Json): string[] {
  expect(Object.keys(substitutions)).toContain('OrkPayloadBucket');
  const used = placeholdersOf(definition);
  return Object.keys(substitutions).filter((k) => k !== 'OrkPayloadBucket' || used.has(k)).sort();
}

// ---------------------------------------------------------------------------------------------------

describe('the shared synth', () => {
  it('synthesizes every example and test workflow in one app', () => {
    expect(built.synthError).toBeUndefined();
    const examples = workflowDirectories(EXAMPLES_DIR).map((w) => compileCleanly(w.directory).manifest.workflow);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(ALL_ORK_WORKFLOWS()).toEqual(expect.arrayContaining([...examples, 'deploy_settings', 'deploy_defaults', 'deploy_containers', 'deploy_node', 'deploy_mixed', 'deploy_scale']));
    for (const name of built.stacks.keys()) expect(existsSync(path.join(built.outdir, `${name}.template.json`))).toBe(true);
  });
});

describe('cdk-nag AwsSolutions', () => {
  interface ReportViolation {
    ruleName: string;
    severity: string;
    violatingConstructs: { constructPath: string }[];
  }
  interface PluginReport {
    pluginName: string;
    conclusion: string;
    metadata?: { error?: string };
    violations: ReportViolation[];
  }
  const report = (): PluginReport[] => {
    const file = path.join(built.outdir, 'validation-report.json');
    expect(existsSync(file), 'CDK writes validation-report.json when validation plugins are registered').toBe(true);
    return (JSON.parse(readFileSync(file, 'utf8')) as { pluginReports: PluginReport[] }).pluginReports;
  };

  it('ran at synth and flags the bare control bucket (so an empty result means something)', () => {
    const nag = report().find((r) => r.pluginName === 'AwsSolutions');
    expect(nag, 'the AwsSolutions plugin report').toBeDefined();
    expect(nag?.conclusion).toBe('failure');
    const controlRules = (nag?.violations ?? []).filter((v) => v.violatingConstructs.some((c) => c.constructPath.startsWith(`${CONTROL_STACK}/`))).map((v) => v.ruleName);
    // S10: no SSL-only policy; S1: no access logs. Both errors of the pack.
    expect(controlRules).toEqual(expect.arrayContaining(['AwsSolutions-S10', 'AwsSolutions-S1']));
  });

  it('reports no unacknowledged finding (error or warning) on any Ork stack', () => {
    const offending: string[] = [];
    for (const plugin of report()) {
      // A plugin that crashed reports failure with no violations, only this message.
      if (plugin.metadata?.error) offending.push(`${plugin.pluginName} crashed: ${plugin.metadata.error}`);
      for (const violation of plugin.violations) {
        for (const c of violation.violatingConstructs) {
          if (!c.constructPath.startsWith(`${CONTROL_STACK}/`)) offending.push(`${plugin.pluginName} ${violation.severity} ${violation.ruleName} at ${c.constructPath}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('gives every acknowledgement a reason a reviewer can judge', () => {
    const weak: string[] = [];
    let count = 0;
    const acknowledgedRules = new Set<string>();
    for (const name of built.stacks.keys()) {
      for (const [id, resource] of resources(name)) {
        const rules = ((resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? []);
        for (const rule of rules) {
          count += 1;
          acknowledgedRules.add(rule.id.replace(/\[.*$/, ''));
          const reason = String(rule.reason ?? '').trim();
          // A real reason: a sentence of its own, not the rule id or a placeholder.
          if (reason.length < 50 || reason.split(/\s+/).length < 8 || reason.includes(rule.id) || /^(todo|n\/a|ok|suppress)/i.test(reason)) {
            weak.push(`${name}/${id} ${rule.id}: "${reason}"`);
          }
        }
      }
    }
    expect(weak).toEqual([]);
    expect(count).toBeGreaterThan(0);
    // What is acknowledged at all; a new kind of finding deserves a look in review.
    expect([...acknowledgedRules].sort()).toEqual(expect.arrayContaining(['AwsSolutions-IAM5', 'AwsSolutions-S1']));
    // CDK acknowledges its own CloudFormation-Validate findings (W3010, literal AZs of a Stack) the same way.
    for (const rule of [...acknowledgedRules].filter((r) => !r.startsWith('CloudFormation-Validate::'))) {
      expect(['AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-L1', 'AwsSolutions-ECS2']).toContain(rule);
    }
  });

  it('acknowledges no IAM4 (AWS managed policy) and no wildcard beyond the documented ones', () => {
    for (const name of built.stacks.keys()) {
      for (const [id, resource] of resources(name)) {
        for (const rule of (resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? []) {
          expect(rule.id, `${name}/${id}`).not.toMatch(/IAM4/);
          const resourceWildcard = /^AwsSolutions-IAM5\[Resource::(.*)\]$/.exec(rule.id)?.[1];
          // `*` only for APIs without resource-level permissions; otherwise a workflow-owned ARN pattern: a
          // function's versions, a log group's streams, the workflow's prefix or Distributed Map results prefix of
          // its bucket, executions of its state machine (Distributed Map's children).
          if (resourceWildcard !== undefined && resourceWildcard !== '*') {
            expect(resourceWildcard, `${name}/${id}`).toMatch(/^<[A-Za-z0-9]+\.Arn>(:\*|:log-stream:\*|\/[\w-]+\/\*|\/ork-results\/[\w-]+\/\*)$|^arn:<AWS::Partition>:states:(<AWS::Region>|[\w-]+):(<AWS::AccountId>|\d{12}):(execution|express):[\w-]+(:|\/)\*$/);
          }
        }
      }
    }
  });
});

describe('cfn-lint', () => {
  interface LintMatch {
    Filename: string;
    Level: string;
    Message: string;
    Rule: { Id: string };
  }
  let matches: LintMatch[] = [];
  let templateFiles: string[] = [];
  let controls = '';
  let lambdaTaskResource = '';

  /**
   * Negative controls for E3601, from the containers template: copies whose definition string is broken,
   * checked in the same cfn-lint run (one start-up of cfn-lint costs seconds).
   */
  function writeControls(): string[] {
    controls = path.join(tmp, 'lint-controls');
    mkdirSync(controls, { recursive: true });
    const source = JSON.parse(readFileSync(path.join(built.outdir, 'OrkTestContainers.template.json'), 'utf8')) as { Resources: Record<string, Resource> };
    const [machineId, machine] = Object.entries(source.Resources).find(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine') ?? [];
    if (!machineId || !machine?.Properties) throw new Error('no state machine in the containers template');
    const definition = JSON.parse(machine.Properties.DefinitionString as string) as Json;
    const lambdaTask = allStates(definition).find(([, s]) => s.Type === 'Task' && String(s.Resource).startsWith('${OrkFunction_'));
    if (!lambdaTask) throw new Error('no Lambda task state');
    lambdaTaskResource = String(lambdaTask[1].Resource);
    const stateOf = (d: Json): Json => allStates(d).find(([name]) => name === lambdaTask[0])?.[1] as Json;
    const writeVariant = (file: string, change: (definition: Json, properties: Json) => void): string => {
      const copy = structuredClone(source);
      const properties = copy.Resources[machineId]?.Properties as Json;
      const changed = structuredClone(definition);
      change(changed, properties);
      properties.DefinitionString = JSON.stringify(changed);
      writeFileSync(path.join(controls, file), JSON.stringify(copy, null, 1));
      return path.join(controls, file);
    };
    return [
      writeVariant('unchanged.template.json', () => {}),
      // A Task state without Resource.
      writeVariant('no-resource.template.json', (d) => delete stateOf(d).Resource),
      // The placeholder with no DefinitionSubstitutions entry: E3601 resolves placeholders, it does not skip them.
      writeVariant('unsubstituted.template.json', (_d, p) => {
        const substitutions = { ...(p.DefinitionSubstitutions as Json) };
        delete substitutions[lambdaTaskResource.slice(2, -1)];
        p.DefinitionSubstitutions = substitutions;
      }),
      // A Task field of the wrong type, elsewhere in the same state.
      writeVariant('bad-timeout.template.json', (d) => (stateOf(d).TimeoutSeconds = 'ten minutes')),
    ];
  }

  beforeAll(() => {
    templateFiles = [...built.stacks.keys()].map((name) => path.join(built.outdir, `${name}.template.json`));
    const result = spawnSync('cfn-lint', ['--format', 'json', '--', ...templateFiles, ...writeControls()], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    // Exit codes are bit flags (2 errors, 4 warnings, 8 informational); 1 is a crash.
    if ((result.status ?? 1) & 1) throw new Error(`cfn-lint crashed (${result.status}): ${result.stderr}`);
    matches = JSON.parse(result.stdout || '[]') as LintMatch[];
  }, 120_000);

  it('finds no error in any template', () => {
    const ours = matches.filter((m) => m.Level === 'Error' && path.dirname(path.resolve(m.Filename)) === built.outdir);
    // E2533 (deprecated runtime) for the python3.11 this test synthesizes with (SYNTH_CONTEXT: the only
    // Python this machine's wheels are built for); Lambda no longer creates python3.11 functions, which is
    // why it is not Ork's default. Only that finding is accepted, and it shows cfn-lint checks runtimes.
    const deprecated = (m: LintMatch) => m.Rule.Id === 'E2533' && m.Message.startsWith(`Runtime '${SYNTH_CONTEXT.pythonRuntime}' was deprecated`);
    expect(ours.some(deprecated)).toBe(true);
    const errors = ours.filter((m) => !deprecated(m)).map((m) => `${m.Filename} ${m.Rule.Id}: ${m.Message}`);
    expect(errors).toEqual([]);
    expect(templateFiles.length).toBe(built.stacks.size);
  });

  it('E3601 checks our definition strings (negative control: broken copies are rejected)', () => {
    const e3601 = (file: string): string[] => matches.filter((m) => path.resolve(m.Filename) === path.join(controls, file) && m.Rule.Id === 'E3601').map((m) => m.Message);
    expect(e3601('unchanged.template.json')).toEqual([]);
    expect(e3601('no-resource.template.json').join('\n')).toMatch(/'Resource' is a required property/);
    expect(e3601('unsubstituted.template.json').join('\n')).toContain(lambdaTaskResource);
    expect(e3601('bad-timeout.template.json').join('\n')).toMatch(/not of type 'number'/);
  });
});

describe('template', () => {
  it('has one Lambda function per python and node task with memory, timeout and env from workflow.yaml', () => {
    let nodeFunctions = 0;
    for (const [workflow, manifest] of built.manifests) {
      const { stack, construct } = locate(workflow);
      const bucket = { Ref: idOf(construct.payloadBucket) };
      const functions = resourcesUnder(construct, 'AWS::Lambda::Function');
      const lambdaTasks = manifest.tasks.filter((t) => t.executor === 'python' || t.executor === 'node');
      expect(functions.length, workflow).toBe(lambdaTasks.length);
      const handlers = nodeHandlers(manifest.tasks.filter((t) => t.executor === 'node'));
      for (const task of lambdaTasks) {
        const fn = construct.functions.get(task.name);
        if (!fn) throw new Error(`${workflow}: no function for ${task.name}`);
        const props = (template(stack).toJSON().Resources as Record<string, Resource>)[idOf(fn)]?.Properties ?? {};
        if (task.executor === 'node') {
          nodeFunctions += 1;
          expect(fn, `${workflow}/${task.name}`).toBeInstanceOf(NodejsFunction);
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
        });
      }
    }
    // At least the test workflows' (4 + 1), besides the examples'.
    expect(nodeFunctions).toBeGreaterThanOrEqual(5);
  });

  it('turns the YAML values of node tasks into those numbers (literal check of the node workflow)', () => {
    const { stack, construct } = locate('deploy_node');
    const props = (task: string): Json => (template(stack).toJSON().Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties ?? {};
    expect(props('fetch')).toMatchObject({ MemorySize: 2048, Timeout: 300, Handler: 'tasks/__ork_lambda_fetch.handler', Runtime: 'nodejs24.x', TracingConfig: { Mode: 'Active' } });
    expect((props('fetch').Environment as { Variables: Json }).Variables).toMatchObject({ SOURCE: 'api', LIMIT: '10', ORK_TASK_FILE: 'tasks/fetch.ts', ORK_WORKFLOW: 'deploy_node' });
    expect(props('shape')).toMatchObject({ MemorySize: 256, Timeout: 900, Handler: 'lib/__ork_lambda_shape.handler' });
    // Two tasks of one file: one handler module, two functions with their own settings.
    expect(props('reshape')).toMatchObject({ MemorySize: 256, Timeout: 30, Handler: 'lib/__ork_lambda_shape.handler' });
    expect(idOf(construct.functions.get('reshape')!)).not.toBe(idOf(construct.functions.get('shape')!));
    // Nothing but the task's env and Ork's (NodejsFunction adds no AWS_NODEJS_CONNECTION_REUSE_ENABLED for SDK v3).
    expect(Object.keys((props('shape').Environment as { Variables: Json }).Variables).sort()).toEqual(['ORK_PAYLOAD_BUCKET', 'ORK_PAYLOAD_PREFIX', 'ORK_TASK_FILE', 'ORK_WORKFLOW']);
    // The mixed workflow: python and node functions, each language with one asset for all of its tasks.
    const mixed = locate('deploy_mixed');
    const code = (task: string): unknown => (template(mixed.stack).toJSON().Resources as Record<string, Resource>)[idOf(mixed.construct.functions.get(task)!)]?.Properties?.Code;
    expect(code('make')).toEqual(code('total'));
    expect(code('double')).not.toEqual(code('make'));
    expect((template(mixed.stack).toJSON().Resources as Record<string, Resource>)[idOf(mixed.construct.functions.get('double')!)]?.Properties).toMatchObject({ Runtime: 'nodejs24.x', MemorySize: 512 });
    const nodeCode = (task: string): unknown => props(task).Code;
    expect(new Set(['fetch', 'shape', 'reshape', 'explode'].map((t) => key(nodeCode(t)))).size).toBe(1);
  });

  it('substitutes each Lambda task placeholder with its own function, node tasks included', () => {
    for (const workflow of ['deploy_node', 'deploy_mixed', 'mixed-languages']) {
      if (!built.manifests.has(workflow)) continue;
      const { construct } = locate(workflow);
      const { definition, substitutions } = definitionOf(workflow);
      for (const task of built.manifests.get(workflow)!.tasks) {
        expect(substitutions[`OrkFunction_${task.name}`], `${workflow}/${task.name}`).toEqual(getAtt(idOf(construct.functions.get(task.name)!)));
      }
      expect([...placeholdersOf(definition)].sort(), workflow).toEqual(substitutedBeyondPayloadBucket(definition, substitutions));
    }
  });

  it("lets each node function's role write only its own log group", () => {
    const { stack, construct } = locate('deploy_node');
    for (const [task, fn] of construct.functions) {
      const logs = statementsOf(stack, idOf(fn.role!)).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs.flatMap(actionsOf).sort(), task).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const group = getAtt(idOf(fn.logGroup));
      expect(logs.flatMap((s) => list(s.Resource)).map(key).sort(), task).toEqual([key(group), key({ 'Fn::Join': ['', [group, ':log-stream:*']] })].sort());
    }
  });

  it('turns the YAML values into those numbers (literal check of the settings workflow)', () => {
    const { stack, construct } = locate('deploy_settings');
    const props = (task: string): Json => (template(stack).toJSON().Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties ?? {};
    expect(props('extract')).toMatchObject({ MemorySize: 2048, Timeout: 600 });
    expect((props('extract').Environment as { Variables: Json }).Variables).toMatchObject({ STAGE: 'test', SHARED: 'overridden', BATCH: '500', VERBOSE: 'true', ORK_TASK_FILE: 'tasks/extract.py' });
    expect(props('load')).toMatchObject({ MemorySize: 512, Timeout: 120 });
    expect((props('load').Environment as { Variables: Json }).Variables).toMatchObject({ STAGE: 'test', SHARED: 'from-defaults', ORK_TASK_FILE: 'tasks/load.py' });
    const defaults = locate('deploy_defaults');
    for (const task of ['only', 'fan']) {
      const p = (template(defaults.stack).toJSON().Resources as Record<string, Resource>)[idOf(defaults.construct.functions.get(task)!)]?.Properties ?? {};
      expect(p).toMatchObject({ MemorySize: 1024, Timeout: 900 });
      expect(Object.keys((p.Environment as { Variables: Json }).Variables).sort()).toEqual(['ORK_PAYLOAD_BUCKET', 'ORK_PAYLOAD_PREFIX', 'ORK_TASK_FILE', 'ORK_WORKFLOW']);
    }
  });

  it("lets the state machine role invoke exactly this workflow's functions and nothing else", () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { stack, construct } = locate(workflow);
      const statements = statementsOf(stack, idOf(construct.stateMachineRole));
      const own = [...construct.functions.values()].map((fn) => idOf(fn));
      const expected = own.flatMap((id) => [key(getAtt(id)), key({ 'Fn::Join': ['', [getAtt(id), ':*']] })]).sort();
      const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      for (const s of invoke) {
        expect(s.Effect).toBe('Allow');
        expect(actionsOf(s), workflow).toEqual(['lambda:InvokeFunction']);
      }
      expect(invoke.flatMap((s) => list(s.Resource)).map(key).sort(), workflow).toEqual(expected);
      // No statement reaches everything with an action that runs code.
      for (const s of statements) {
        if (list(s.Resource).includes('*')) for (const a of actionsOf(s)) expect(a, `${workflow}: ${a} on *`).toMatch(/^(logs|xray):/);
        for (const a of actionsOf(s)) expect(a, workflow).not.toMatch(/^(lambda|ecs|iam|states):\*$|^\*$/);
      }
    }
    // The sibling in the same stack is not reachable.
    const settings = locate('deploy_settings');
    const defaults = locate('deploy_defaults');
    const settingsResources = key(statementsOf(settings.stack, idOf(settings.construct.stateMachineRole)));
    for (const fn of defaults.construct.functions.values()) expect(settingsResources).not.toContain(idOf(fn));
  });

  it('gives container tasks a Fargate task definition and runs them with waitForTaskToken and a heartbeat', () => {
    const workflow = 'deploy_containers';
    const { stack, construct } = locate(workflow);
    const manifest = built.manifests.get(workflow)!;
    const containerTasks = manifest.tasks.filter((t) => t.executor === 'container');
    expect(containerTasks.map((t) => t.name)).toEqual(['train', 'score', 'report']);
    expect(resources(stack, 'AWS::ECS::TaskDefinition')).toHaveLength(3);
    const all = template(stack).toJSON().Resources as Record<string, Resource>;
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
      expect(env).toMatchObject({ ORK_TASK_FILE: task.file, ORK_PAYLOAD_BUCKET: bucket, ORK_PAYLOAD_PREFIX: `${workflow}/`, ORK_HEARTBEAT_SECONDS: String(task.heartbeatSeconds) });
      if (task.name === 'train') {
        expect(container?.Image).toBe('public.ecr.aws/example/ork-train:1.0');
        expect(env.MODEL).toBe('big');
      } else {
        // Built from an image asset: an ECR repository image of the bootstrap stack.
        expect(JSON.stringify(container?.Image)).toContain('container-assets');
      }
      expect(key(container?.LogConfiguration)).toContain('awslogs');
    }

    const { definition, substitutions } = definitionOf(workflow);
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
    const { stack, construct } = locate('deploy_containers');
    const statements = statementsOf(stack, idOf(construct.stateMachineRole));
    const definitions = [...construct.taskDefinitions.values()];
    const runTask = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ecs:')));
    for (const s of runTask) expect(actionsOf(s)).toEqual(['ecs:RunTask']);
    expect(runTask.flatMap((s) => list(s.Resource)).map(key).sort()).toEqual(definitions.map((d) => key({ Ref: idOf(d) })).sort());
    for (const s of runTask) expect(key(s.Condition)).toContain(idOf(construct.cluster!));

    const roles = definitions.flatMap((d) => [d.taskRole, d.executionRole]).filter((r) => r !== undefined).map((r) => key(getAtt(idOf(r))));
    const passRole = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
    for (const s of passRole) {
      expect(actionsOf(s)).toEqual(['iam:PassRole']);
      expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    }
    expect(passRole.flatMap((s) => list(s.Resource)).map(key).sort()).toEqual([...new Set(roles)].sort());
  });

  it('stages the dockerfile: image with the workflow directory and the generated one with the Ork SDK', () => {
    const assets = JSON.parse(readFileSync(path.join(built.outdir, 'OrkTestContainers.assets.json'), 'utf8')) as { dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }> };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(2);
    const byFile = new Map(images.map((i) => [i.source.dockerFile ?? 'Dockerfile', path.join(built.outdir, i.source.directory)]));
    const own = byFile.get('Dockerfile');
    const generated = byFile.get('Dockerfile.ork');
    if (!own || !generated) throw new Error(`unexpected image assets: ${[...byFile.keys()].join(', ')}`);
    expect(readFileSync(path.join(own, 'Dockerfile'), 'utf8')).toBe(TINY_DOCKERFILE);
    expect(existsSync(path.join(own, 'tasks', 'score.py'))).toBe(true);
    const dockerfile = readFileSync(path.join(generated, 'Dockerfile.ork'), 'utf8');
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\//);
    expect(dockerfile).toContain('CMD ["python", "-m", "ork.container"]');
    expect(existsSync(path.join(generated, 'ork', 'container.py'))).toBe(true);
    expect(existsSync(path.join(generated, 'tasks', 'report.py'))).toBe(true);
    for (const dir of [own, generated]) {
      expect(existsSync(path.join(dir, '.ork')), dir).toBe(false);
      expect(existsSync(path.join(dir, 'tasks', '__pycache__')), dir).toBe(false);
    }
  });

  it('schedules the state machine with the params (under the schedule input) as execution input', () => {
    const { stack, construct } = locate('deploy_settings');
    const schedules = resourcesUnder(construct, 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    const props = schedules[0]![1].Properties as Json;
    const target = props.Target as Json;
    expect(target.Arn).toEqual({ Ref: idOf(construct.stateMachine) });
    expect(JSON.parse(target.Input as string)).toEqual({ date: '2024-01-15', limit: 99, region: 'eu', mode: 'scheduled' });
    expect(props.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(props.ScheduleExpressionTimezone).toBe('Europe/Paris');
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 });
    expect(props.State).toBe('ENABLED');
    // The scheduler's role may start this state machine only.
    const roleId = (target.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = statementsOf(stack, roleId);
    expect(statements.flatMap(actionsOf)).toEqual(['states:StartExecution']);
    expect(statements.flatMap((s) => list(s.Resource))).toEqual([{ Ref: idOf(construct.stateMachine) }]);

    const other = locate('deploy_defaults');
    const [rate] = resourcesUnder(other.construct, 'AWS::Scheduler::Schedule');
    const rateProps = rate?.[1].Properties as Json;
    expect(rateProps.ScheduleExpression).toBe('rate(1 hour)');
    // No timezone in workflow.yaml: UTC (CDK writes it out explicitly).
    expect([undefined, 'Etc/UTC', 'UTC']).toContain(rateProps.ScheduleExpressionTimezone);
    expect(rateProps.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(JSON.parse((rateProps.Target as Json).Input as string)).toEqual({});
    // Workflows without `schedule:` get none.
    for (const workflow of ALL_ORK_WORKFLOWS().filter((w) => !built.manifests.get(w)?.schedule)) {
      expect(resourcesUnder(locate(workflow).construct, 'AWS::Scheduler::Schedule'), workflow).toEqual([]);
    }
  });

  it('has a dashboard and alarms on failed and timed-out executions, notifying the topic when given', () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { construct } = locate(workflow);
      const mine = (type: string): Resource[] => resourcesUnder(construct, type).map(([, r]) => r);
      const dashboards = mine('AWS::CloudWatch::Dashboard');
      expect(dashboards, workflow).toHaveLength(1);
      expect(dashboards[0]?.Properties?.DashboardName).toBe(`Ork-${workflow}`);
      const alarms = mine('AWS::CloudWatch::Alarm');
      expect(alarms.map((a) => a.Properties?.MetricName).sort(), workflow).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
      for (const alarm of alarms) {
        expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/States', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
        expect(alarm.Properties?.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: idOf(construct.stateMachine) } }]);
        if (workflow === 'deploy_settings') expect(alarm.Properties?.AlarmActions).toEqual([SNS_TOPIC_ARN]);
        else expect(alarm.Properties?.AlarmActions).toBeUndefined();
      }
    }
  });

  it('logs every execution (level ALL) to a log group with retention, with X-Ray tracing', () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { stack } = locate(workflow);
      const { properties } = definitionOf(workflow);
      expect(properties.TracingConfiguration, workflow).toEqual({ Enabled: true });
      const logging = properties.LoggingConfiguration as { Level: string; IncludeExecutionData: boolean; Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[] };
      expect(logging.Level).toBe('ALL');
      expect(logging.IncludeExecutionData).toBe(true);
      const groupId = logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] ?? '';
      const group = (template(stack).toJSON().Resources as Record<string, Resource>)[groupId];
      expect(group?.Type).toBe('AWS::Logs::LogGroup');
      expect(group?.Properties?.RetentionInDays, workflow).toBe(30);
    }
    // Task log groups too.
    for (const name of built.stacks.keys()) {
      if (name === CONTROL_STACK) continue;
      for (const [id, group] of resources(name, 'AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays, `${name}/${id}`).toBeGreaterThan(0);
    }
  });

  it('outputs the state machine ARN, its console URL and the dashboard URL', () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { stack, construct } = locate(workflow);
      const outputs = template(stack).toJSON().Outputs as Record<string, { Value: unknown }>;
      const find = (name: string): unknown => {
        const output = construct.node.findChild(name);
        expect(output).toBeInstanceOf(CfnOutput);
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

  it('makes the payload bucket encrypted, private, SSL only and self-emptying', () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { stack, construct } = locate(workflow);
      const bucketId = idOf(construct.payloadBucket);
      const all = template(stack).toJSON().Resources as Record<string, Resource>;
      const props = all[bucketId]?.Properties ?? {};
      expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(props.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
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

  it('attaches no AWS managed policy to any role', () => {
    for (const name of built.stacks.keys()) {
      for (const [id, role] of resources(name, 'AWS::IAM::Role')) {
        expect(role.Properties?.ManagedPolicyArns, `${name}/${id}`).toBeUndefined();
      }
      expect(resources(name, 'AWS::IAM::ManagedPolicy'), name).toEqual([]);
    }
  });

  it('grants `*` resources only for APIs that have no resource-level permissions', () => {
    // Logs delivery and X-Ray (state machine, functions), task tokens (containers), the ECR login token.
    const allowed = /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|states:SendTask(Success|Failure|Heartbeat)|ecr:GetAuthorizationToken)$/;
    const found: string[] = [];
    for (const name of built.stacks.keys()) {
      if (name === CONTROL_STACK) continue;
      for (const [id, policy] of resources(name, 'AWS::IAM::Policy')) {
        for (const s of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (!list(s.Resource).includes('*')) continue;
          for (const action of actionsOf(s)) if (!allowed.test(action)) found.push(`${name}/${id}: ${action} on *`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it("restricts each task role's S3 access to its workflow's prefix of its own payload bucket", () => {
    for (const workflow of ALL_ORK_WORKFLOWS()) {
      const { stack, construct } = locate(workflow);
      const bucketArn = getAtt(idOf(construct.payloadBucket));
      const objects = key({ 'Fn::Join': ['', [bucketArn, `/${workflow}/*`]] });
      const roles = [...[...construct.functions.values()].map((fn) => fn.role!), ...[...construct.taskDefinitions.values()].map((d) => d.taskRole)];
      expect(roles.length).toBe(built.manifests.get(workflow)!.tasks.length);
      for (const role of roles) {
        const statements = statementsOf(stack, idOf(role)).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
        expect(statements.length, `${workflow} ${role.node.path}`).toBeGreaterThan(0);
        // Objects under `<workflow>/` only: nothing on the bucket itself (the runtimes never list).
        const reached = new Set(statements.flatMap((s) => list(s.Resource)).map(key));
        // With Distributed Maps, also the results they wrote (ResultWriter), read-only.
        const results = key({ 'Fn::Join': ['', [bucketArn, `/ork-results/${workflow}/*`]] });
        const distributed = construct.distributedMapPolicy !== undefined;
        expect([...reached].sort(), `${workflow} ${role.node.path}`).toEqual([objects, ...(distributed ? [results] : [])].sort());
        for (const s of statements.filter((s) => list(s.Resource).map(key).includes(results))) expect(actionsOf(s)).toEqual(['s3:GetObject']);
        for (const s of statements) expect(s.Condition, 'unconditional, so the resources alone bound it').toBeUndefined();
        // What the runtimes call on the prefix (payload_store.py, payload-store.ts), and nothing else.
        expect(statements.filter((s) => list(s.Resource).map(key).includes(objects)).flatMap(actionsOf).sort(), `${workflow} ${role.node.path}`).toEqual(['s3:GetObject', 's3:PutObject']);
      }
    }
  });
});

describe('Distributed Map (the large fan-out workflow)', () => {
  const workflow = 'deploy_scale';
  const distributedMaps = (definition: Json): [string, Json][] =>
    allStates(definition).filter(([, s]) => s.Type === 'Map' && ((s.ItemProcessor as Json | undefined)?.ProcessorConfig as Json | undefined)?.Mode === 'DISTRIBUTED');
  const policyOf = (construct: OrkWorkflow): Statement[] => {
    const policy = construct.distributedMapPolicy?.policy;
    if (!policy) throw new Error(`${construct.node.path}: no Distributed Map policy`);
    const resource = (template(locate(workflow).stack).toJSON().Resources as Record<string, Resource>)[idOf(policy)];
    expect(resource?.Properties?.Roles).toEqual([{ Ref: idOf(construct.stateMachineRole) }]);
    return (resource?.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
  };
  const on = (statements: Statement[], action: string): string[] => statements.filter((s) => actionsOf(s).includes(action)).flatMap((s) => list(s.Resource)).map(key).sort();

  it('compiles to a Distributed Map that writes its results to the substituted payload bucket', () => {
    const { construct } = locate(workflow);
    const { definition, substitutions } = definitionOf(workflow);
    const maps = distributedMaps(definition);
    expect(maps.map(([name]) => name)).toEqual(['process-distributed']);
    const map = maps[0]![1];
    expect(map).toMatchObject({ MaxConcurrency: 500, ToleratedFailurePercentage: 5, ItemBatcher: { MaxItemsPerBatch: 10 } });
    // Deployed as the decimal strict ASL parsers read (compiler/emit/definition-text.ts).
    expect(definitionOf(workflow).properties.DefinitionString as string).toContain('"ToleratedFailurePercentage":5.0,');
    expect(map.ResultWriter).toMatchObject({ Parameters: { Bucket: '${OrkPayloadBucket}', Prefix: `ork-results/${workflow}/process` } });
    expect(substitutions.OrkPayloadBucket).toEqual({ Ref: idOf(construct.payloadBucket) });
    // Every workflow is given the bucket, used or not (CloudFormation ignores unused substitutions).
    for (const other of ALL_ORK_WORKFLOWS()) expect(definitionOf(other).substitutions.OrkPayloadBucket, other).toEqual({ Ref: idOf(locate(other).construct.payloadBucket) });
  });

  it("lets the role start its own state machine's executions and follow, stop and redrive its children", () => {
    const { construct } = locate(workflow);
    const statements = policyOf(construct);
    for (const s of statements) expect(s.Effect).toBe('Allow');
    expect(on(statements, 'states:StartExecution')).toEqual([key({ Ref: idOf(construct.stateMachine) })]);
    const arn = (tail: string): string => key({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail]] });
    const executions = [arn(`:execution:${workflow}:*`), arn(`:execution:${workflow}/*`), arn(`:express:${workflow}/*`)].sort();
    expect(on(statements, 'states:DescribeExecution')).toEqual(executions);
    expect(on(statements, 'states:StopExecution')).toEqual(executions);
    expect(on(statements, 'states:RedriveExecution')).toEqual([arn(`:execution:${workflow}/*`)]);
    // The Lambda grants the children need are the tasks' (children run with the same role).
    const invoke = statementsOf(locate(workflow).stack, idOf(construct.stateMachineRole)).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => list(s.Resource)).map(key)).toContain(key(getAtt(idOf(construct.functions.get('process')!))));
    // Workflows without Distributed Maps get none of it.
    for (const other of ALL_ORK_WORKFLOWS().filter((w) => w !== workflow)) {
      const { stack, construct: c } = locate(other);
      if (distributedMaps(definitionOf(other).definition).length > 0) continue;
      expect(c.distributedMapPolicy, other).toBeUndefined();
      expect(statementsOf(stack, idOf(c.stateMachineRole)).flatMap(actionsOf).filter((a) => a.startsWith('states:') || a.startsWith('s3:')), other).toEqual([]);
    }
  });

  it("scopes the S3 actions to the payload bucket: items under the workflow's prefix, results under its results prefix", () => {
    const { construct } = locate(workflow);
    const statements = policyOf(construct);
    const bucketArn = getAtt(idOf(construct.payloadBucket));
    const objects = (prefix: string): string => key({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });
    const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actionsOf).filter((a) => !a.startsWith('s3:'))).toEqual([]);
    const actionsOn = new Map<string, string[]>();
    for (const s of s3) for (const r of list(s.Resource).map(key)) actionsOn.set(r, [...(actionsOn.get(r) ?? []), ...actionsOf(s)].sort());
    expect(Object.fromEntries(actionsOn)).toEqual({
      [objects(`${workflow}/`)]: ['s3:GetObject'],
      [objects(`ork-results/${workflow}/`)]: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'],
    });
    // S3-managed encryption: no key to grant.
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });

  it('creates the policy after the state machine (no cycle) and the schedule after the policy', () => {
    const { stack, construct } = locate(workflow);
    const all = template(stack).toJSON().Resources as Record<string, Resource & { DependsOn?: string[] }>;
    const policyId = idOf(construct.distributedMapPolicy!.policy);
    expect(key(all[idOf(construct.stateMachine)])).not.toContain(policyId);
    expect(key(all[idOf(construct.stateMachineRole)])).not.toContain(policyId);
    expect(all[idOf(construct.schedule!.schedule)]?.DependsOn).toContain(policyId);
  });

  it("gives the batched task's function the task's timeout times batch_size", () => {
    const { stack, construct } = locate(workflow);
    const manifest = built.manifests.get(workflow)!;
    expect(manifest.tasks.find((t) => t.name === 'process')?.fanOut).toMatchObject({ batchSize: 10 });
    const timeout = (task: string): unknown => (template(stack).toJSON().Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties?.Timeout;
    // 20 s × 10 instances per invocation.
    expect(timeout('process')).toBe(200);
    expect(timeout('discover')).toBe(900);
  });
});

describe('the code of node tasks (the asset their NodejsFunctions deploy)', () => {
  const assetOf = (workflow: string, task: string): string => {
    const { stack, construct } = locate(workflow);
    const code = (template(stack).toJSON().Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties?.Code as { S3Key: string };
    return path.join(built.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  };
  /** What the compiled state machine sends a task's function (docs/payload.md). */
  const event = (task: string, extra: Json = {}): Json => ({
    ork: 1,
    workflow: 'deploy_node',
    task,
    execution_id: 'arn:aws:states:eu-west-1:123456789012:execution:deploy_node:synth-test',
    attempt: 0,
    params: {},
    inputs: {},
    parallel_index: 0,
    parallel_count: 1,
    ...extra,
  });
  type Handler = (event: unknown, context?: unknown) => Promise<unknown>;
  const load = async (workflow: string, task: string): Promise<Handler> => {
    const handler = String((template(locate(workflow).stack).toJSON().Resources as Record<string, Resource>)[idOf(locate(workflow).construct.functions.get(task)!)]?.Properties?.Handler);
    const module = (await import(pathToFileURL(path.join(assetOf(workflow, task), `${handler.replace(/\.handler$/, '')}.mjs`)).href)) as { handler: Handler };
    return module.handler;
  };
  /** Runs `body` with what it writes to stdout (the SDK's JSON log lines) kept out of the test output. */
  const quietly = async <T>(body: () => Promise<T>): Promise<{ result?: T; error?: unknown; stdout: string }> => {
    const write = process.stdout.write.bind(process.stdout);
    let stdout = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      return { result: await body(), stdout };
    } catch (error) {
      return { error, stdout };
    } finally {
      process.stdout.write = write;
    }
  };

  it('holds the workflow folder and one ES module per task file beside it, with shared chunks, and nothing local', () => {
    const asset = assetOf('deploy_node', 'fetch');
    for (const task of ['shape', 'reshape', 'explode']) expect(assetOf('deploy_node', task)).toBe(asset);
    for (const file of ['workflow.yaml', 'data/rows.json', 'tasks/fetch.ts', 'tasks/__ork_lambda_fetch.mjs', 'lib/__ork_lambda_shape.mjs', 'tasks/__ork_lambda_explode.mjs']) {
      expect(existsSync(path.join(asset, file)), file).toBe(true);
    }
    expect(existsSync(path.join(asset, 'lib', '__ork_lambda_reshape.mjs'))).toBe(false);
    expect(readdirSync(path.join(asset, '__ork_lambda')).every((f) => f.endsWith('.mjs'))).toBe(true);
    for (const local of ['.ork', 'node_modules', 'ork']) expect(existsSync(path.join(asset, local)), local).toBe(false);
    // The task's code is in its module (not in a shared chunk, whose import.meta.url would be another folder).
    expect(readFileSync(path.join(asset, 'tasks', '__ork_lambda_fetch.mjs'), 'utf8')).toContain('../data/rows.json');
  });

  it('answers a Step Functions event with the task output, as the Lambda runtime calls it', async () => {
    const fetch = await load('deploy_node', 'fetch');
    // Read through import.meta.url from the asset: the data file is where the task expects it.
    expect(await fetch(event('fetch', { params: { scale: 10 } }), {})).toEqual({ ids: [10, 20, 30], source: process.env.SOURCE ?? 'none' });
    const shape = await load('deploy_node', 'shape');
    const reshape = await load('deploy_node', 'reshape');
    expect(reshape).toBe(shape);
    expect(await shape(event('shape', { inputs: { fetch: { ids: [1, 2] } } }), {})).toEqual({ task: 'shape', count: 2 });
    expect(await reshape(event('reshape', { inputs: { fetch: { ids: [1, 2, 3] } } }), {})).toEqual({ task: 'reshape', count: 3 });
    // The mixed workflow's node module too.
    const double = await load('deploy_mixed', 'double');
    expect(await double({ ...event('double', { item: 21, item_index: 0 }), workflow: 'deploy_mixed' }, {})).toEqual({ doubled: 42 });
  });

  it('throws a failure with the thrown class’s name, which Step Functions matches', async () => {
    const explode = await load('deploy_node', 'explode');
    const { error, stdout } = await quietly(() => explode(event('explode'), {}));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'QuotaExceeded', message: 'over quota' });
    // One structured line for CloudWatch, with the error's name.
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ level: 'error', error: { type: 'QuotaExceeded' }, task: 'explode' });
    // The SDK's own failures keep their dotted names.
    const fetch = await load('deploy_node', 'fetch');
    expect((await quietly(() => fetch({ ork: 99 }, {}))).error).toMatchObject({ name: 'Ork.InvalidPayload' });
    expect((await quietly(() => fetch(event('fetch', { params: { scale: 'big' } }), {}))).error).toMatchObject({ name: 'Ork.InputValidationError' });
  });

  it('is the same bundle wherever it is built: no path in it, so the asset hash follows the code only', () => {
    const asset = assetOf('deploy_node', 'fetch');
    const elsewhere = path.join(tmp, 'rebundled', 'deeper');
    const tasks = built.manifests.get('deploy_node')!.tasks;
    bundleNodeTasks(testDirs.node, tasks, elsewhere, { target: nodeTarget(DEFAULT_NODE_RUNTIME.name) });
    const files = (root: string): string[] => readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name))).sort();
    expect(files(elsewhere)).toEqual(files(asset));
    for (const file of files(asset).filter((f) => f.endsWith('.mjs'))) {
      const text = readFileSync(path.join(asset, file), 'utf8');
      expect(text, file).toBe(readFileSync(path.join(elsewhere, file), 'utf8'));
      for (const local of [tmp, ROOT, testDirs.node]) expect(text.includes(local), `${file} names ${local}`).toBe(false);
    }
  });

  it('runs on nodejs24.x, the newest Node.js runtime of both aws-cdk-lib and the CloudFormation schema', () => {
    expect(DEFAULT_NODE_RUNTIME.name).toBe('nodejs24.x');
    // What the parity harness bundles for.
    expect(NODE_RUNTIME).toBe(DEFAULT_NODE_RUNTIME.name);
    // cdk-nag's L1 compares with aws-cdk-lib's list: no acknowledgement needed (and none made) today.
    const newest = Math.max(...Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name)).map((r) => Number(/\d+/.exec(r.name)![0])));
    expect(`nodejs${newest}.x`).toBe(DEFAULT_NODE_RUNTIME.name);
    const { stack } = locate('deploy_node');
    for (const [id, resource] of resources(stack, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties?.Runtime).startsWith('nodejs'))) {
      const rules = ((resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? []).map((r) => r.id);
      expect(rules, id).not.toContain('AwsSolutions-L1');
    }
  });
});

describe('an invalid workflow', () => {
  it('makes the construct throw an error that names the construct path', () => {
    const broken = writeTree(path.join(tmp, 'broken'), {
      'workflow.yaml': 'tasks:\n  a:\n    file: tasks/a.py\n    depends_on: [nowhere]\n',
      'tasks/a.py': PY_TASK,
    });
    const stack = new Stack(new App(), 'Holder');
    expect(() => new OrkWorkflow(stack, 'Broken', { workflow: broken })).toThrow(/^Holder\/Broken: workflow .*is invalid:\n.*nowhere/s);
    expect(() => new OrkWorkflow(stack, 'Missing', { workflow: path.join(tmp, 'no-such-dir') })).toThrow(/^Holder\/Missing: no workflow\.yaml/);
  });
});

// ---------------------------------------------------------------------------------------------------

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
 * - container execution: its log group; the image pull from the CDK asset repository when the image is built.
 * - state machine: logs delivery and X-Ray (on `*`), lambda:InvokeFunction on its functions, ecs:RunTask of its
 *   task definitions in its cluster, iam:PassRole of their roles to ECS only; with Distributed Maps, the
 *   DistributedMapPolicy (its own executions, the item lists, the results, the key).
 * - schedule: states:StartExecution of its state machine.
 * - VPC flow logs (the VPC created for container tasks): its log group.
 */
describe('IAM allow-list: every statement of every role in the Ork stacks', () => {
  type Kind = 'lambda task' | 'container task' | 'container execution' | 'state machine' | 'schedule' | 'vpc flow logs';
  const SERVICE: Record<Kind, string> = {
    'lambda task': 'lambda.amazonaws.com',
    'container task': 'ecs-tasks.amazonaws.com',
    'container execution': 'ecs-tasks.amazonaws.com',
    'state machine': 'states.amazonaws.com',
    schedule: 'scheduler.amazonaws.com',
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
    actions: ['logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
    resources: ['*'],
  };
  const MACHINE_XRAY: Rule = { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], resources: ['*'] };
  const TASK_TOKEN: Rule = { actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: ['*'] };
  /** A built image is in the bootstrap stack's asset repository (default synthesizer); the login token has no resource. */
  const IMAGE_PULL: Rule[] = [
    { actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], resources: [join('arn:', { Ref: 'AWS::Partition' }, ':ecr:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':repository/', { 'Fn::Sub': 'cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}' })] },
    { actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
  ];

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
    const all = template(stack).toJSON().Resources as Record<string, Resource>;
    for (const [workflow, construct] of built.workflows) {
      if (Stack.of(construct).stackName !== stack) continue;
      const manifest = built.manifests.get(workflow)!;
      const bucketArn = getAtt(idOf(construct.payloadBucket));
      const objects = (prefix: string): Json => join(bucketArn, `/${prefix}*`);
      const distributed = allStates(definitionOf(workflow).definition).some(([, s]) => s.Type === 'Map' && ((s.ItemProcessor as Json | undefined)?.ProcessorConfig as Json | undefined)?.Mode === 'DISTRIBUTED');
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
          add(idOf(definition.taskRole), { kind: 'container task', owner, rules: [...payloads, TASK_TOKEN] });
          add(idOf(definition.executionRole!), { kind: 'container execution', owner, rules: [{ actions: WRITE_LOGS, resources: [group] }, ...(task.image ? [] : IMAGE_PULL)] });
        } else {
          const fn = construct.functions.get(task.name)!;
          const group = getAtt(idOf(fn.logGroup));
          add(idOf(fn.role!), { kind: 'lambda task', owner, rules: [{ actions: WRITE_LOGS, resources: [group, join(group, ':log-stream:*')] }, FUNCTION_XRAY, ...payloads] });
        }
      }

      const functions = [...construct.functions.values()].map((fn) => getAtt(idOf(fn)));
      const definitions = [...construct.taskDefinitions.values()];
      const machine: Rule[] = [MACHINE_LOGS, MACHINE_XRAY];
      if (functions.length > 0) machine.push({ actions: ['lambda:InvokeFunction'], resources: functions.flatMap((f) => [f, join(f, ':*')]) });
      if (definitions.length > 0) {
        machine.push(
          { actions: ['ecs:RunTask'], resources: definitions.map((d) => ({ Ref: idOf(d) })), condition: { ArnEquals: { 'ecs:cluster': getAtt(idOf(construct.cluster!)) } } },
          { actions: ['iam:PassRole'], resources: definitions.flatMap((d) => [getAtt(idOf(d.taskRole)), getAtt(idOf(d.executionRole!))]), condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
        );
      }
      if (distributed) {
        const name = String(all[idOf(construct.stateMachine)]?.Properties?.StateMachineName);
        machine.push(
          { actions: ['states:StartExecution'], resources: [{ Ref: idOf(construct.stateMachine) }] },
          { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [states(`:execution:${name}:*`), states(`:execution:${name}/*`), states(`:express:${name}/*`)] },
          { actions: ['states:RedriveExecution'], resources: [states(`:execution:${name}/*`)] },
          // ItemReader, ResultWriter.
          { actions: ['s3:GetObject'], resources: [objects(`${workflow}/`)] },
          { actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], resources: [objects(`ork-results/${workflow}/`)] },
          ...kms,
        );
      }
      add(idOf(construct.stateMachineRole), { kind: 'state machine', owner: workflow, rules: machine });

      // Roles that CDK creates for a workflow's resources: the schedule's (one per target, at stack level) and
      // the flow logs' of a VPC created for container tasks.
      for (const [, schedule] of resourcesUnder(construct, 'AWS::Scheduler::Schedule')) {
        const target = schedule.Properties?.Target as Json;
        add(refId(target.RoleArn), { kind: 'schedule', owner: workflow, rules: [{ actions: ['states:StartExecution'], resources: [{ Ref: idOf(construct.stateMachine) }] }] });
      }
      for (const [, flowLog] of resourcesUnder(construct, 'AWS::EC2::FlowLog')) {
        const group = getAtt(refId(flowLog.Properties?.LogGroupName));
        add(refId(flowLog.Properties?.DeliverLogsPermissionArn), { kind: 'vpc flow logs', owner: workflow, rules: [{ actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [group] }] });
      }
    }
    return roles;
  }

  let cache: Map<string, Map<string, Allowed>> | undefined;
  const allowed = (): Map<string, Map<string, Allowed>> => (cache ??= new Map([...built.stacks.keys()].map((stack) => [stack, allowedRoles(stack)])));

  it('finds only roles of a known kind, each assumable by its own service only', () => {
    const problems: string[] = [];
    const kinds = new Map<Kind, number>();
    for (const [stack, roles] of allowed()) {
      const found = resources(stack, 'AWS::IAM::Role');
      for (const [id, role] of found) {
        const trust = (role.Properties?.AssumeRolePolicyDocument as { Statement: (Statement & { Principal?: Json })[] }).Statement;
        const expected = roles.get(id);
        if (!expected) {
          problems.push(`${stack}/${id}: a role of no known kind (assumed by ${key(trust.map((s) => s.Principal))})`);
          continue;
        }
        kinds.set(expected.kind, (kinds.get(expected.kind) ?? 0) + 1);
        const [statement, ...more] = trust;
        if (more.length > 0 || statement?.Effect !== 'Allow' || key(statement.Action) !== key('sts:AssumeRole') || key(statement.Principal) !== key({ Service: SERVICE[expected.kind] })) {
          problems.push(`${stack}/${id} (${expected.kind} of ${expected.owner}): trust policy ${key(trust)}`);
        }
        // The scheduler's role is assumed for this account's schedules only (confused deputy).
        const condition = (statement?.Condition ?? {}) as { StringEquals?: Json };
        if (expected.kind === 'schedule' ? !('aws:SourceAccount' in (condition.StringEquals ?? {}) && 'aws:SourceArn' in (condition.StringEquals ?? {})) : statement?.Condition !== undefined) {
          problems.push(`${stack}/${id} (${expected.kind} of ${expected.owner}): trust condition ${key(statement?.Condition)}`);
        }
      }
      const present = new Set(found.map(([id]) => id));
      for (const [id, expected] of roles) if (!present.has(id)) problems.push(`${stack}/${id}: the ${expected.kind} role of ${expected.owner} is not in the template`);
    }
    expect(problems).toEqual([]);
    // Every kind occurs in the shared app, so none of the rules below goes untested.
    expect([...kinds.keys()].sort()).toEqual(Object.keys(SERVICE).sort());
  });

  it('grants each role exactly its allow-list: nothing wider, nothing missing', () => {
    const problems: string[] = [];
    const triple = (action: string, resource: unknown, condition: unknown): string => `${action} on ${key(resource)}${condition === undefined ? '' : ` if ${key(condition)}`}`;
    for (const [stack, roles] of allowed()) {
      for (const [id, expected] of roles) {
        const where = `${stack}/${id} (${expected.kind} of ${expected.owner})`;
        const allowedTriples = new Set(expected.rules.flatMap((r) => r.actions.flatMap((a) => r.resources.map((res) => triple(a, res, r.condition)))));
        const granted = new Set<string>();
        for (const s of statementsOf(stack, id)) {
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

  it('attaches policies to those roles only: no managed policy, user or group', () => {
    const problems: string[] = [];
    for (const [stack, roles] of allowed()) {
      for (const [id, resource] of resources(stack)) {
        if (!resource.Type.startsWith('AWS::IAM::')) continue;
        if (resource.Type === 'AWS::IAM::Role') {
          if (resource.Properties?.ManagedPolicyArns !== undefined) problems.push(`${stack}/${id}: managed policies ${key(resource.Properties.ManagedPolicyArns)}`);
        } else if (resource.Type === 'AWS::IAM::Policy') {
          if (resource.Properties?.Users !== undefined || resource.Properties?.Groups !== undefined) problems.push(`${stack}/${id}: attached to users or groups`);
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

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TaskManifest } from '../../../compiler/index.js';
import { sharedBuild } from '../shared-synth.js';
import { list, type Json, type Resource, type Statement } from './cloudformation.js';
import type { DeployAppSnapshot, WorkflowFacts } from './snapshot.js';
import type { TestWorkflowDirs } from './test-workflows.js';

/** How long a test file may wait for the shared app: its synth, under load, and the file's own start. */
export const SHARED_APP_TIMEOUT_MS = 600_000;

/** The modules that decide what the app holds: their text keys the shared build. */
const DEFINITION = ['./synthesize.ts', './test-workflows.ts'].map((file) => fileURLToPath(new URL(file, import.meta.url)));

/**
 * The shared deploy app (synthesize.ts), synthesized once per test run whichever test file asks first, read by
 * the others. Call it in beforeAll with SHARED_APP_TIMEOUT_MS.
 */
export async function sharedDeployApp(): Promise<DeployApp> {
  const shared = await sharedBuild<DeployAppSnapshot>(
    'deploy-app',
    DEFINITION.map((file) => readFileSync(file, 'utf8')),
    // Imported only by the process that synthesizes: the others need neither aws-cdk-lib nor cdk-nag.
    async (workdir) => (await import('./synthesize.js')).synthesizeDeployApp(workdir),
    SHARED_APP_TIMEOUT_MS,
  );
  const app = new DeployApp(shared.value);
  if (shared.built) {
    console.log(
      `[synth] ${app.stacks.size} stacks (+ control): construct + bundling ` +
        `${app.constructSeconds.toFixed(1)} s, app.synth() ${app.synthSeconds.toFixed(1)} s, total ` +
        `${(app.constructSeconds + app.synthSeconds).toFixed(1)} s`,
    );
  }
  return app;
}

/** The shared app as the tests read it: its assembly, its construct facts and lookups over its templates. */
export class DeployApp {
  readonly outdir: string;
  readonly workdir: string;
  readonly testDirs: TestWorkflowDirs;
  /** Every stack but the control stack, by name, in the order the app adds them. */
  readonly stacks: ReadonlyMap<string, string>;
  /** Manifest of each Ork workflow in the app, by workflow name. */
  readonly manifests: ReadonlyMap<string, TaskManifest>;
  /** The OrkWorkflow construct of each workflow, by workflow name. */
  readonly workflows: ReadonlyMap<string, WorkflowFacts>;
  readonly constructSeconds: number;
  readonly synthSeconds: number;
  readonly synthError?: string;
  readonly #templates: Readonly<Record<string, Json>>;

  constructor(snapshot: DeployAppSnapshot) {
    this.outdir = snapshot.outdir;
    this.workdir = snapshot.workdir;
    this.testDirs = snapshot.testDirs;
    this.stacks = new Map(snapshot.stackNames.map((name) => [name, name]));
    this.manifests = new Map(snapshot.manifests.map((manifest) => [manifest.workflow, manifest]));
    this.workflows = new Map(
      snapshot.workflows.map((facts) => [facts.workflow, { ...facts, functions: new Map(facts.functions), taskDefinitions: new Map(facts.taskDefinitions) }]),
    );
    this.constructSeconds = snapshot.constructSeconds;
    this.synthSeconds = snapshot.synthSeconds;
    if (snapshot.synthError !== undefined) this.synthError = snapshot.synthError;
    this.#templates = snapshot.templates;
  }

  /** The names of every Ork workflow in the app. */
  allWorkflows(): string[] {
    return [...this.manifests.keys()];
  }

  /** A stack's template, as Template.fromStack(stack).toJSON() gave it. */
  template(stack: string): Json {
    if (this.synthError !== undefined) throw new Error(`synth failed: ${this.synthError}`);
    const found = this.#templates[stack];
    if (!found) throw new Error(`no stack ${stack}`);
    return found;
  }

  resources(stack: string, type?: string): [string, Resource][] {
    const all = this.template(stack).Resources as Record<string, Resource>;
    return Object.entries(all).filter(([, r]) => type === undefined || r.Type === type);
  }

  /** Resources of `type` that the construct created (an in-process synth has no aws:cdk:path metadata). */
  resourcesUnder(construct: WorkflowFacts, type: string): [string, Resource][] {
    const ids = new Set(construct.resources);
    return this.resources(construct.stack, type).filter(([id]) => ids.has(id));
  }

  /** The stack and the construct of a workflow. */
  locate(workflow: string): { stack: string; construct: WorkflowFacts } {
    const construct = this.workflows.get(workflow);
    if (!construct) throw new Error(`no workflow ${workflow}`);
    return { stack: construct.stack, construct };
  }

  /** Every statement of the policies attached to a role (inline on the role and AWS::IAM::Policy). */
  statementsOf(stack: string, roleLogicalId: string): Statement[] {
    const statements: Statement[] = [];
    for (const [, resource] of this.resources(stack, 'AWS::IAM::Policy')) {
      const roles = list(resource.Properties?.Roles as unknown[]);
      if (roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) {
        statements.push(...((resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? []));
      }
    }
    const role = (this.template(stack).Resources as Record<string, Resource>)[roleLogicalId];
    for (const policy of list(role?.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]))
      statements.push(...policy.PolicyDocument.Statement);
    return statements;
  }

  /** The DefinitionString of the workflow's state machine, parsed (it is a plain string with placeholders). */
  definitionOf(workflow: string): { definition: Json; substitutions: Json; properties: Json } {
    const { stack, construct } = this.locate(workflow);
    const resource = (this.template(stack).Resources as Record<string, Resource>)[construct.stateMachine.logicalId];
    const properties = resource?.Properties ?? {};
    expect(typeof properties.DefinitionString, 'DefinitionString must stay a plain string so cfn-lint E3601 can read it').toBe('string');
    return {
      definition: JSON.parse(properties.DefinitionString as string) as Json,
      substitutions: (properties.DefinitionSubstitutions ?? {}) as Json,
      properties,
    };
  }
}

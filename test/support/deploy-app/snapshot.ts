import type { TaskManifest } from '../../../compiler/index.js';
import type { TestWorkflowDirs } from './test-workflows.js';

/**
 * What the deploy tests read of the shared app, in JSON: the cloud assembly stays on disk, and of the
 * construct tree only the facts the tests check (logical ids, paths, classes). The app is synthesized by one
 * test process and read by the others (shared-synth.ts), so no construct object crosses a process.
 */

/** A construct by its CloudFormation logical id (of its default child) and its construct path. */
export interface ConstructRef {
  readonly logicalId: string;
  readonly path: string;
}

export interface FunctionFacts extends ConstructRef {
  readonly logGroup: ConstructRef;
  readonly role?: ConstructRef;
  /** Built as a NodejsFunction (aws-cdk-lib/aws-lambda-nodejs). */
  readonly nodejsFunction: boolean;
}

export interface TaskDefinitionFacts extends ConstructRef {
  readonly taskRole: ConstructRef;
  readonly executionRole?: ConstructRef;
}

export interface OutputFacts extends ConstructRef {
  /** The child of that id is a CfnOutput. */
  readonly cfnOutput: boolean;
}

/** An OrkWorkflow construct, property by property as the tests read it. */
export interface WorkflowFacts {
  /** The workflow's name (its manifest's). */
  readonly workflow: string;
  readonly path: string;
  /** Stack.of(construct).stackName. */
  readonly stack: string;
  readonly stateMachine: ConstructRef;
  readonly stateMachineRole: ConstructRef;
  readonly payloadBucket: ConstructRef & { readonly encryptionKey?: ConstructRef };
  readonly cluster?: ConstructRef;
  readonly distributedMapPolicy?: { readonly policy: ConstructRef };
  readonly schedule?: { readonly schedule: ConstructRef };
  /** Each trigger's rule, role, dead-letter queue and its alarm (OrkWorkflow.triggers), in file order. */
  readonly triggers: readonly {
    readonly rule: ConstructRef;
    readonly role: ConstructRef;
    readonly deadLetterQueue: ConstructRef;
    readonly alarm: ConstructRef;
  }[];
  readonly monitoring: { readonly dashboard: ConstructRef };
  /** The children the tests look up by id (node.findChild): the stack outputs. */
  readonly outputs: Readonly<Record<string, OutputFacts>>;
  readonly functions: ReadonlyMap<string, FunctionFacts>;
  readonly taskDefinitions: ReadonlyMap<string, TaskDefinitionFacts>;
  /** Logical ids of every CfnResource under the construct (an in-process synth has no aws:cdk:path metadata). */
  readonly resources: readonly string[];
}

/** WorkflowFacts as JSON holds it: the maps as lists of entries, in their order. */
export type WorkflowFactsJson = Omit<WorkflowFacts, 'functions' | 'taskDefinitions'> & {
  readonly functions: readonly (readonly [string, FunctionFacts])[];
  readonly taskDefinitions: readonly (readonly [string, TaskDefinitionFacts])[];
};

/** The ids findChild looks up under each OrkWorkflow. */
export const OUTPUT_IDS = ['StateMachineArn', 'StateMachineConsoleUrl', 'DashboardUrl'] as const;

export interface DeployAppSnapshot {
  /** The cloud assembly. */
  readonly outdir: string;
  /** The folder the app was built in (test workflows, staged contexts): no bundle may name it. */
  readonly workdir: string;
  readonly testDirs: TestWorkflowDirs;
  /** Every stack but the control stack, in the order the app adds them. */
  readonly stackNames: readonly string[];
  /** Template.fromStack(stack).toJSON() of each of them; none when synth failed. */
  readonly templates: Readonly<Record<string, Record<string, unknown>>>;
  /** Manifest of each Ork workflow in the app, in the order the app adds them. */
  readonly manifests: readonly TaskManifest[];
  readonly workflows: readonly WorkflowFactsJson[];
  readonly constructSeconds: number;
  readonly synthSeconds: number;
  readonly synthError?: string;
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { StateMachineDefinition, TaskManifest } from '../../../compiler/index.js';
import { OrkWorkflowStack } from '../../../lib/deploy/index.js';

/**
 * A workflow as `cdk deploy` would deploy it, for the parity harness: synthesized by the deploy construct
 * (lib/deploy) into a cloud assembly of its own, and read back from the template — each function's
 * Handler, Runtime, Environment, Timeout, MemorySize and code asset folder, and the state machine's
 * DefinitionString with its DefinitionSubstitutions — so that the harness runs what would be deployed, not
 * the sources.
 */

/** A Lambda function of the synthesized template, as Lambda would be configured. */
export interface SynthesizedFunction {
  readonly task: string;
  readonly logicalId: string;
  readonly handler: string;
  readonly runtime: string;
  /** Environment.Variables, references resolved by `resolve`. */
  readonly environment: Readonly<Record<string, CfnValue>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The asset folder of its code (what Lambda unpacks into /var/task). */
  readonly codeDirectory: string;
}

export interface SynthesizedWorkflow {
  readonly workflow: string;
  readonly manifest: TaskManifest;
  readonly outdir: string;
  readonly functions: readonly SynthesizedFunction[];
  /** The state machine's DefinitionString as CloudFormation would render it, before substitution. */
  readonly definitionString: CfnValue;
  readonly definitionSubstitutions: Readonly<Record<string, CfnValue>>;
  /** Logical id of the payload bucket (what `Ref` of it means). */
  readonly payloadBucketLogicalId: string;
}

/** A CloudFormation value: a literal, or an intrinsic function (Ref, Fn::GetAtt, Fn::Join). */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

export interface SynthesizeOptions {
  /** The Lambda Python runtime: this machine's Python, so that its interpreter can stand in for Lambda's. */
  readonly pythonRuntime: string;
  /** @default a new temporary folder */
  readonly outdir?: string;
}

/** The Lambda runtime name of a Python interpreter (`python3.11`). */
export function pythonRuntimeOf(python: string): string {
  const probe = spawnSync(python, ['-c', 'import sys; print(f"python{sys.version_info[0]}.{sys.version_info[1]}")'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`could not run ${python}: ${probe.stderr || probe.error?.message}`);
  return probe.stdout.trim();
}

export function synthesizeWorkflow(workflowDirectory: string, options: SynthesizeOptions): SynthesizedWorkflow {
  const outdir = options.outdir ?? mkdtempSync(path.join(tmpdir(), 'ork-parity-cdk-'));
  const app = new App({ outdir });
  const pythonRuntime = lambda.Runtime.ALL.find((r) => r.name === options.pythonRuntime);
  if (!pythonRuntime) throw new Error(`aws-cdk-lib knows no Lambda runtime ${options.pythonRuntime}`);
  // x86_64: the wheels this machine's pip can reach are built for it (the asset must import on this CPU).
  const stack = new OrkWorkflowStack(app, 'OrkParity', { workflow: workflowDirectory, pythonRuntime, architecture: lambda.Architecture.X86_64 });
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, CfnValue> }> };
  const workflow = stack.workflow;
  const functions: SynthesizedFunction[] = [];
  for (const [task, fn] of workflow.functions) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    const properties = template.Resources[logicalId]?.Properties;
    if (!properties) throw new Error(`no resource ${logicalId} (function of task ${task}) in the template`);
    const code = properties.Code as { S3Key?: string };
    const codeDirectory = path.join(outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    if (!existsSync(codeDirectory)) throw new Error(`function of task ${task}: no asset folder ${codeDirectory} in the cloud assembly`);
    functions.push({
      task,
      logicalId,
      handler: String(properties.Handler),
      runtime: String(properties.Runtime),
      environment: (properties.Environment as { Variables?: Record<string, CfnValue> } | undefined)?.Variables ?? {},
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memoryMb: Number(properties.MemorySize ?? 128),
      codeDirectory,
    });
  }
  const stateMachine = template.Resources[Stack.of(workflow).getLogicalId(workflow.stateMachine.node.defaultChild as never)]?.Properties;
  if (!stateMachine) throw new Error('no state machine in the template');
  const bucket = workflow.payloadBucket.node.defaultChild;
  if (!bucket) throw new Error('the payload bucket is not defined in the stack');
  return {
    workflow: workflow.manifest.workflow,
    manifest: workflow.manifest,
    outdir,
    functions,
    definitionString: stateMachine.DefinitionString!,
    definitionSubstitutions: (stateMachine.DefinitionSubstitutions ?? {}) as Record<string, CfnValue>,
    payloadBucketLogicalId: stack.getLogicalId(bucket as never),
  };
}

/**
 * Resolves a template value with what the harness deployed in place of each resource: `Ref` of a logical id,
 * `Fn::GetAtt` [id, attribute], `Fn::Join`, `Fn::Select`, `Fn::Split`. Anything else is an error, so that a
 * template the harness cannot stand in for fails loudly instead of running something else.
 */
export function resolveCfn(
  value: CfnValue,
  resources: Readonly<Record<string, { ref: string; attributes?: Readonly<Record<string, string>> }>>,
  where: string,
): string {
  const recurse = (v: CfnValue): string => resolveCfn(v, resources, where);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || Array.isArray(value)) throw new Error(`${where}: cannot resolve ${JSON.stringify(value)}`);
  const [fn, args] = Object.entries(value)[0] ?? [];
  if (fn === 'Ref' && typeof args === 'string') {
    const resource = resources[args];
    if (resource) return resource.ref;
    if (args === 'AWS::Region') return resources['AWS::Region']?.ref ?? 'us-east-1';
    if (args === 'AWS::AccountId') return resources['AWS::AccountId']?.ref ?? '123456789012';
    if (args === 'AWS::Partition') return 'aws';
    if (args === 'AWS::URLSuffix') return 'amazonaws.com';
  }
  if (fn === 'Fn::GetAtt' && Array.isArray(args)) {
    const [id, attribute] = args as [string, string];
    const value = resources[id]?.attributes?.[attribute];
    if (value !== undefined) return value;
  }
  if (fn === 'Fn::Join' && Array.isArray(args)) {
    const [separator, parts] = args as [string, CfnValue[]];
    return parts.map(recurse).join(separator);
  }
  if (fn === 'Fn::Select' && Array.isArray(args)) {
    const [index, list] = args as [number, CfnValue];
    const items = Array.isArray(list) ? list.map(recurse) : recurse(list).split(',');
    return items[Number(index)] ?? '';
  }
  if (fn === 'Fn::Split' && Array.isArray(args)) {
    const [separator, source] = args as [string, CfnValue];
    return recurse(source).split(separator).join(',');
  }
  throw new Error(`${where}: the parity harness cannot stand in for ${JSON.stringify(value)}`);
}

/** The definition as Step Functions receives it: DefinitionString with `${name}` substituted. */
export function renderDefinition(synthesized: SynthesizedWorkflow, resolve: (value: CfnValue, where: string) => string): StateMachineDefinition {
  let text = resolve(synthesized.definitionString, 'DefinitionString');
  for (const [name, value] of Object.entries(synthesized.definitionSubstitutions)) {
    text = text.split(`\${${name}}`).join(resolve(value, `DefinitionSubstitutions.${name}`));
  }
  const left = /\$\{[A-Za-z0-9_]+\}/.exec(text);
  if (left) throw new Error(`DefinitionString: ${left[0]} is not substituted`);
  return JSON.parse(text) as StateMachineDefinition;
}

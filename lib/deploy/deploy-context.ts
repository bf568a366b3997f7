import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Node } from 'constructs';
import { OrkDeployError, registerDeployError } from './synth-error.js';

/**
 * CDK context keys the Ork CDK app reads (`npx cdk synth -c pythonRuntime=python3.11`, or `context` in
 * cdk.json): the same app serves this repository and every `ork init` project.
 */
export const DEPLOY_CONTEXT_KEYS = {
  pythonRuntime: 'pythonRuntime',
  nodeRuntime: 'nodeRuntime',
  architecture: 'architecture',
} as const;

/** A context value that names no runtime or architecture Ork can deploy. */
export class DeployContextError extends OrkDeployError {}
registerDeployError(DeployContextError.name);

/** What the context may set of an OrkWorkflow (its props win over it). */
export interface ContextWorkflowProps {
  readonly pythonRuntime?: lambda.Runtime;
  readonly nodeRuntime?: lambda.Runtime;
  readonly architecture?: lambda.Architecture;
}

/** The OrkWorkflow settings the context (`-c key=value`, cdk.json) gives: runtimes and architecture, each only when given. */
export function workflowPropsFromContext(node: Node): ContextWorkflowProps {
  const python = contextString(node, DEPLOY_CONTEXT_KEYS.pythonRuntime);
  const nodeRuntime = contextString(node, DEPLOY_CONTEXT_KEYS.nodeRuntime);
  const architecture = contextString(node, DEPLOY_CONTEXT_KEYS.architecture);
  return {
    ...(python !== undefined ? { pythonRuntime: runtimeNamed(python, 'python', DEPLOY_CONTEXT_KEYS.pythonRuntime) } : {}),
    ...(nodeRuntime !== undefined ? { nodeRuntime: runtimeNamed(nodeRuntime, 'nodejs', DEPLOY_CONTEXT_KEYS.nodeRuntime) } : {}),
    ...(architecture !== undefined ? { architecture: architectureNamed(architecture) } : {}),
  };
}

function contextString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value).trim();
}

/** A Lambda runtime of the family by its Lambda name (`python3.11`, `nodejs24.x`), from aws-cdk-lib's list. */
export function runtimeNamed(name: string, family: 'python' | 'nodejs', key: string = family): lambda.Runtime {
  // The Ork SDK needs Python 3.11 or later (lambdas/python/pyproject.toml), and Node.js 20 or later.
  const known = lambda.Runtime.ALL.filter((r) => r.name.startsWith(family) && !r.isVariable && supported(r.name));
  const runtime = known.find((r) => r.name === name);
  if (!runtime) {
    throw new DeployContextError(
      `-c ${key}=${name}: not a Lambda ${family === 'python' ? 'Python' : 'Node.js'} runtime; one of ${known.map((r) => r.name).join(', ')}`,
    );
  }
  return runtime;
}

function supported(name: string): boolean {
  const python = /^python3\.(\d+)$/.exec(name);
  if (python) return Number(python[1]) >= 11;
  const node = /^nodejs(\d+)\.x$/.exec(name);
  return node !== null && Number(node[1]) >= 20;
}

/** `arm64` or `x86_64` (Lambda's names), also `arm`/`x86`/`amd64`. */
export function architectureNamed(name: string): lambda.Architecture {
  const lower = name.toLowerCase();
  if (['arm64', 'arm', 'aarch64'].includes(lower)) return lambda.Architecture.ARM_64;
  if (['x86_64', 'x86', 'amd64'].includes(lower)) return lambda.Architecture.X86_64;
  throw new DeployContextError(`-c ${DEPLOY_CONTEXT_KEYS.architecture}=${name}: not a Lambda architecture; arm64 or x86_64`);
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage, FileSystem } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { pythonSdkPath } from '../package-root.js';
import { bundleNodeTasks, nodeTarget, type NodeTaskRef } from './node-bundle.js';
import {
  cachedSdkDependencies,
  compileForTarget,
  copyDependencies,
  dependenciesErrorMessage,
  dockerEngineRunning,
  pipInstall,
  PythonDependenciesError,
  pythonSdkRequirements,
  pythonTarget,
} from './python-dependencies.js';
import { BUNDLE_EXCLUDES, copyWorkflowBundle } from './workflow-bundle.js';

/**
 * The code of a workflow's Python functions: the workflow directory, the Ork SDK, the SDK's own dependencies
 * (pydantic …) and the packages of the workflow's requirements.txt, built for the function's runtime and
 * architecture — what Lambda's Python runtime, which ships only the standard library and boto3, needs to
 * import the handler. Bundled locally (pip for Lambda's platform, binary wheels only), so synth needs no
 * Docker; Docker is the fallback when local pip cannot do it, and when neither can, synth stops with a
 * PythonDependenciesError that names the runtime, the missing wheels and the fix. One asset serves every
 * task of the workflow.
 */
export function pythonTaskCode(workflow: string, workflowDir: string, runtime: lambda.Runtime, architecture: lambda.Architecture): lambda.Code {
  const requirements = path.join(workflowDir, 'requirements.txt');
  const hasRequirements = existsSync(requirements);
  const target = pythonTarget(runtime.name, architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x86_64');
  const sdkRequirements = pythonSdkRequirements();
  return lambda.Code.fromAsset(workflowDir, {
    exclude: BUNDLE_EXCLUDES,
    // The source hash alone would miss the SDK: its code and dependencies are part of what is deployed.
    assetHash: createHash('sha256')
      .update(FileSystem.fingerprint(workflowDir, { exclude: BUNDLE_EXCLUDES }))
      .update(FileSystem.fingerprint(path.join(pythonSdkPath(), 'ork'), { exclude: BUNDLE_EXCLUDES }))
      .update(JSON.stringify({ sdkRequirements, target }))
      .digest('hex'),
    bundling: {
      image: runtime.bundlingImage ?? DockerImage.fromRegistry(`public.ecr.aws/sam/build-${runtime.name}`),
      volumes: [{ hostPath: pythonSdkPath(), containerPath: '/ork-sdk' }],
      command: [
        'bash',
        '-c',
        [
          'cp -r /asset-input/. /asset-output/',
          'cp -r /ork-sdk/ork /asset-output/ork',
          `cd /asset-input && pip install --no-cache-dir ` +
            `${sdkRequirements.map(shellQuote).join(' ')}${hasRequirements ? ' -r requirements.txt' : ''} ` +
            `-t /asset-output`,
        ].join(' && '),
      ],
      local: {
        tryBundle(outputDir: string): boolean {
          copyWorkflowBundle(workflowDir, outputDir);
          // SDK dependencies and requirements.txt in one pip call, so that pip resolves them together.
          const installed = hasRequirements ? pipInstall(target, [...sdkRequirements, '-r', requirements], outputDir, workflowDir) : undefined;
          const cached = hasRequirements ? undefined : cachedSdkDependencies(target);
          const failure = installed && !installed.ok ? installed : cached && 'failure' in cached ? cached.failure : undefined;
          if (failure) {
            // false hands over to Docker bundling; without a Docker engine that would end in a stack trace.
            if (dockerEngineRunning()) return false;
            // Nothing half-built stays behind: code without its dependencies is never an asset.
            for (const entry of readdirSync(outputDir)) rmSync(path.join(outputDir, entry), { recursive: true, force: true });
            throw new PythonDependenciesError(dependenciesErrorMessage(workflow, target, failure));
          }
          if (cached && 'dir' in cached) copyDependencies(cached.dir, outputDir);
          compileForTarget(target, outputDir);
          return true;
        },
      },
    },
  });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The code of a workflow's node functions: the workflow directory, one ES module per node task file beside
 * it and the chunks they share (node-bundle.ts), built locally and in-process by the esbuild package Ork
 * depends on, so synth needs neither Docker nor the network. One asset (one build, one upload) serves every
 * node task of the workflow, as pythonTaskCode's does for python tasks; each function's handler names its
 * task file's module. Hashed by its output, so the asset changes exactly when the deployed code does (an SDK
 * or dependency update included) and not when only a path does.
 */
export function nodeTaskCode(workflowDir: string, tasks: readonly NodeTaskRef[], runtime: lambda.Runtime): lambda.Code {
  const target = nodeTarget(runtime.name);
  return lambda.Code.fromAsset(workflowDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never started: tryBundle bundles or throws (esbuild is a dependency of Ork, so it is always there).
      image: runtime.bundlingImage,
      // CDK caches staged assets by source path and bundling options, and the tryBundle closure is not part
      // of that key; these are, so another task list or target of the same folder is bundled on its own.
      environment: { ORK_NODE_TASKS: JSON.stringify(tasks.map((t) => [t.name, t.file])), ORK_NODE_TARGET: target },
      local: {
        tryBundle(outputDir: string): boolean {
          const { warnings } = bundleNodeTasks(workflowDir, tasks, outputDir, { target });
          for (const warning of warnings) process.stderr.write(`${warning}\n`);
          return true;
        },
      },
    },
  });
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { pythonSdkPath } from '../package-root.js';
import { bundleNodeTasks, nodeTarget, type NodeTaskRef } from './node-bundle.js';
import { BUNDLE_EXCLUDES, copyWorkflowBundle } from './workflow-bundle.js';

/**
 * The code of a workflow's Python functions: the workflow directory, the Ork SDK and the packages of the
 * workflow's requirements.txt. Bundled locally (pip for Lambda's platform and architecture), so synth
 * needs no Docker; Docker is the fallback when local pip cannot do it. One asset serves every task of
 * the workflow.
 */
export function pythonTaskCode(workflowDir: string, runtime: lambda.Runtime, architecture: lambda.Architecture): lambda.Code {
  const requirements = path.join(workflowDir, 'requirements.txt');
  const platform = architecture === lambda.Architecture.ARM_64 ? 'manylinux2014_aarch64' : 'manylinux2014_x86_64';
  const pythonVersion = runtime.name.replace(/^python/, '');
  return lambda.Code.fromAsset(workflowDir, {
    exclude: BUNDLE_EXCLUDES,
    bundling: {
      image: runtime.bundlingImage ?? DockerImage.fromRegistry(`public.ecr.aws/sam/build-${runtime.name}`),
      volumes: [{ hostPath: pythonSdkPath(), containerPath: '/ork-sdk' }],
      command: [
        'bash',
        '-c',
        [
          'cp -r /asset-input/. /asset-output/',
          'cp -r /ork-sdk/ork /asset-output/ork',
          existsSync(requirements) ? 'pip install --no-cache-dir -r /asset-input/requirements.txt -t /asset-output' : 'true',
        ].join(' && '),
      ],
      local: {
        tryBundle(outputDir: string): boolean {
          copyWorkflowBundle(workflowDir, outputDir);
          if (!existsSync(requirements)) return true;
          const pip = spawnSync(
            'python3',
            ['-m', 'pip', 'install', '--quiet', '--no-cache-dir', '-r', requirements, '-t', outputDir, '--platform', platform, '--implementation', 'cp', '--python-version', pythonVersion, '--only-binary=:all:', '--upgrade'],
            // Relative paths in requirements.txt (local wheels) mean the workflow directory, as when run there.
            { stdio: 'inherit', cwd: workflowDir },
          );
          // false hands over to Docker bundling.
          return pip.status === 0;
        },
      },
    },
  });
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

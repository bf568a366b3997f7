import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { pythonSdkPath } from '../package-root.js';
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

import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { TaskManifestEntry } from '../../compiler/index.js';
import { Environment } from '../../lambdas/contract/contract.js';
import { pythonSdkRequirements } from './python-dependencies.js';
import { BUNDLE_EXCLUDES, copyWorkflowBundle } from './workflow-bundle.js';

/** Base image of generated Dockerfiles: Python from ECR Public (no Docker Hub rate limits on AWS). */
export const CONTAINER_BASE_IMAGE = 'public.ecr.aws/docker/library/python:3.13-slim';

/**
 * A generated Dockerfile: the workflow directory and the Ork SDK, the workflow's requirements, and the
 * SDK's container entry point. Built by `cdk deploy` like any image asset; synth only stages it.
 */
export function generatedDockerfile(hasRequirements: boolean): string {
  return [
    `FROM ${CONTAINER_BASE_IMAGE}`,
    'WORKDIR /app',
    // The SDK's dependencies and boto3 (the container entry point reports to Step Functions with it).
    `RUN pip install --no-cache-dir ${pythonSdkRequirements(['aws'])
      .map((r) => `"${r}"`)
      .join(' ')}`,
    // The whole context before requirements.txt: its relative paths (local wheels, `-e ./lib`) mean the
    // workflow directory, as for Lambda bundles, and must exist when pip runs in WORKDIR.
    'COPY . /app',
    ...(hasRequirements ? ['RUN pip install --no-cache-dir -r /app/requirements.txt'] : []),
    `ENV ${Environment.workflowDir}=/app PYTHONUNBUFFERED=1`,
    'CMD ["python", "-m", "ork.container"]',
    '',
  ].join('\n');
}

/** `image:` as given, `dockerfile:` built from the workflow directory, or a generated Dockerfile. */
export function containerImage(task: TaskManifestEntry, workflowDir: string): ecs.ContainerImage {
  if (task.image) return ecs.ContainerImage.fromRegistry(task.image);
  // Docker ignore patterns are anchored at the context root: `**/` also drops nested caches (tasks/__pycache__).
  if (task.dockerfile) return ecs.ContainerImage.fromAsset(workflowDir, { file: task.dockerfile, exclude: BUNDLE_EXCLUDES.flatMap((p) => [p, `**/${p}`]) });
  const context = generatedImageContext(workflowDir);
  return ecs.ContainerImage.fromAsset(context.directory, { file: context.file });
}

/** The build context of a generated image: where it is, its Dockerfile's name in it, and that Dockerfile's text. */
export interface GeneratedImageContext {
  readonly directory: string;
  readonly file: string;
  readonly dockerfile: string;
}

/**
 * Writes the build context of a generated image — the workflow directory and the Ork SDK, as
 * `copyWorkflowBundle` copies them, and the generated Dockerfile — into `directory` (default: a fresh
 * temporary folder). What `containerImage` hands to the CDK, and what a test can build without Docker.
 */
export function generatedImageContext(workflowDir: string, directory = mkdtempSync(path.join(os.tmpdir(), 'ork-image-'))): GeneratedImageContext {
  copyWorkflowBundle(workflowDir, directory);
  const file = 'Dockerfile.ork';
  const dockerfile = generatedDockerfile(existsSync(path.join(workflowDir, 'requirements.txt')));
  writeFileSync(path.join(directory, file), dockerfile);
  return { directory, file, dockerfile };
}

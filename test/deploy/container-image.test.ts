import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { TINY_DOCKERFILE } from '../support/deploy-app/test-workflows.js';

/** The images of container tasks (lib/deploy/container-image.ts), as the shared deploy app stages them. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('template', () => {
  it('stages the dockerfile: image with the workflow directory and the generated one with the Ork SDK', () => {
    const assets = JSON.parse(readFileSync(path.join(built.outdir, 'OrkTestContainers.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string } }>;
    };
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
});

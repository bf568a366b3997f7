import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { compileCleanly, EXAMPLES_DIR, workflowDirectories } from '../support/workflows.js';

/** The shared deploy app (test/support/deploy-app): one stack per example, as bin/cdk-app.ts builds them, and the test workflows. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('the shared synth', () => {
  it('synthesizes every example and test workflow in one app', () => {
    expect(built.synthError).toBeUndefined();
    const examples = workflowDirectories(EXAMPLES_DIR).map((w) => compileCleanly(w.directory).manifest.workflow);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(built.allWorkflows()).toEqual(
      expect.arrayContaining([...examples, 'deploy_settings', 'deploy_defaults', 'deploy_containers', 'deploy_node', 'deploy_mixed', 'deploy_scale']),
    );
    for (const name of built.stacks.keys()) expect(existsSync(path.join(built.outdir, `${name}.template.json`))).toBe(true);
  });
});

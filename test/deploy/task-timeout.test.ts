import { beforeAll, describe, expect, it } from 'vitest';
import { idOf, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';

/** Function timeouts (lib/deploy/task-timeout.ts) in the shared deploy app. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

describe('Distributed Map (the large fan-out workflow)', () => {
  const workflow = 'deploy_scale';

  it("gives the batched task's function the task's timeout times batch_size", () => {
    const { stack, construct } = built.locate(workflow);
    const manifest = built.manifests.get(workflow)!;
    expect(manifest.tasks.find((t) => t.name === 'process')?.fanOut).toMatchObject({ batchSize: 10 });
    const timeout = (task: string): unknown =>
      (built.template(stack).Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties?.Timeout;
    // 20 s × 10 instances per invocation.
    expect(timeout('process')).toBe(200);
    expect(timeout('discover')).toBe(900);
  });
});

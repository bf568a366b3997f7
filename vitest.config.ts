import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Node SDK's tests sit beside it, as the Python SDK's do (lambdas/python/tests).
    include: ['test/**/*.test.ts', 'lambdas/node/tests/**/*.test.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    // One folder per run for builds that test files share (a CDK synth): test/support/shared-synth.ts.
    globalSetup: ['test/support/shared-synth-setup.ts'],
    // Two cores: keep the default thread count modest so subprocess-spawning suites (moto) are not starved.
    pool: 'forks',
    testTimeout: 30_000,
  },
});

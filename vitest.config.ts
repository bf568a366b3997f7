import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    // Two cores: keep the default thread count modest so subprocess-spawning suites (moto) are not starved.
    pool: 'forks',
    testTimeout: 30_000,
  },
});

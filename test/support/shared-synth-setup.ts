import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * vitest globalSetup: one folder per test run for the builds test files share (shared-synth.ts), removed when
 * the run ends. Making it costs nothing, so every run has it, whichever files it runs.
 */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ork-shared-synth-'));
  project.provide('orkSharedSynthDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

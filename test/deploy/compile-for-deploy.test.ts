import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrkWorkflow } from '../../lib/deploy/index.js';
import { PY_TASK, writeTree } from '../support/deploy-app/test-workflows.js';

/** A workflow the compiler refuses stops the construct (lib/deploy/compile-for-deploy.ts); no synth needed. */

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ork-compile-for-deploy-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('an invalid workflow', () => {
  it('makes the construct throw an error that names the construct path', () => {
    const broken = writeTree(path.join(tmp, 'broken'), {
      'workflow.yaml': 'tasks:\n  a:\n    file: tasks/a.py\n    depends_on: [nowhere]\n',
      'tasks/a.py': PY_TASK,
    });
    const stack = new Stack(new App(), 'Holder');
    expect(() => new OrkWorkflow(stack, 'Broken', { workflow: broken })).toThrow(/^Holder\/Broken: workflow .*is invalid:\n.*nowhere/s);
    expect(() => new OrkWorkflow(stack, 'Missing', { workflow: path.join(tmp, 'no-such-dir') })).toThrow(/^Holder\/Missing: no workflow\.yaml/);
  });
});

/**
 * What a deployed Python function or container holds of Ork is the `ork` folder that copyWorkflowBundle
 * copies: the runtime contract (ork/contract.json, read when the package is imported) must be in it. Run
 * with `python3 -I` from the bundle alone, as Lambda would, the SDK finds the same facts the TypeScript
 * side compiles with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Environment, Markers, PAYLOAD_VERSION, WORKER_CHANNEL_FD } from '../../lambdas/contract/contract.js';
import { copyWorkflowBundle } from '../../lib/deploy/workflow-bundle.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

const tmp = temporaryDirectory('ork-bundle-contract-');
afterAll(() => tmp.remove());

describe('copyWorkflowBundle', () => {
  it('ships the runtime contract with the SDK, and the SDK reads it from there', () => {
    const workflow = path.join(tmp.dir, 'wf');
    mkdirSync(workflow);
    writeFileSync(path.join(workflow, 'workflow.yaml'), 'tasks: {}\n');
    const bundle = path.join(tmp.dir, 'bundle');
    copyWorkflowBundle(workflow, bundle);
    expect(existsSync(path.join(bundle, 'ork', 'contract.json'))).toBe(true);

    // -I: no PYTHONPATH, no site-packages of this machine's user; the bundle is the current directory.
    const script = [
      'import json, sys',
      'sys.path.insert(0, ".")',
      'from ork import contract as c',
      'print(json.dumps([c.PAYLOAD_VERSION, [c.REF_KEY, c.ITEMS_KEY, c.RESULTS_KEY, c.FAILED_KEY], dict(c.ENVIRONMENT), c.WORKER_CHANNEL_FD, c.__file__]))',
    ].join('\n');
    const result = spawnSync('python3', ['-I', '-c', script], { cwd: bundle, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [version, markers, environment, fd, file] = JSON.parse(result.stdout) as [number, string[], Record<string, string>, number, string];
    expect(version).toBe(PAYLOAD_VERSION);
    expect(markers).toStrictEqual([Markers.reference, Markers.items, Markers.results, Markers.failed]);
    expect(Object.values(environment).sort()).toStrictEqual(Object.values(Environment).sort());
    expect(fd).toBe(WORKER_CHANNEL_FD);
    expect(path.resolve(bundle, file)).toBe(path.join(bundle, 'ork', 'contract.py'));
  });
});

import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { OrkWorkflowStack } from '../../lib/deploy/index.js';

/** A pure-Python wheel built by hand (no `wheel` package here, and PyPI is not reachable). */
function writeWheel(dir: string): string {
  const file = path.join(dir, 'tinydep-0.1-py3-none-any.whl');
  const script = `
import base64, hashlib, sys, zipfile
files = {'tinydep/__init__.py': 'X = 1\\n', 'tinydep-0.1.dist-info/METADATA': 'Metadata-Version: 2.1\\nName: tinydep\\nVersion: 0.1\\n', 'tinydep-0.1.dist-info/WHEEL': 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'}
record = [f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b'=').decode()},{len(c.encode())}" for n, c in files.items()]
files['tinydep-0.1.dist-info/RECORD'] = '\\n'.join(record + ['tinydep-0.1.dist-info/RECORD,,']) + '\\n'
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    [z.writestr(n, c) for n, c in files.items()]
`;
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return file;
}

describe('python task code with requirements.txt', () => {
  it('is bundled locally with pip for Lambda’s platform (no Docker), relative to the workflow directory', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ork-requirements-'));
    const workflow = path.join(root, 'reqs');
    mkdirSync(path.join(workflow, 'tasks'), { recursive: true });
    mkdirSync(path.join(workflow, 'wheels'));
    writeWheel(path.join(workflow, 'wheels'));
    writeFileSync(path.join(workflow, 'requirements.txt'), './wheels/tinydep-0.1-py3-none-any.whl\n');
    writeFileSync(path.join(workflow, 'workflow.yaml'), 'tasks:\n  uses_dep: {file: tasks/uses_dep.py}\n');
    writeFileSync(path.join(workflow, 'tasks/uses_dep.py'), 'from ork import task\nimport tinydep\n\n@task\ndef main():\n    return {"x": tinydep.X}\n');

    const outdir = path.join(root, 'cdk.out');
    const app = new App({ outdir });
    new OrkWorkflowStack(app, 'Reqs', { workflow });
    app.synth();

    const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    const bundle = assets.map((a) => path.join(outdir, a)).find((a) => existsSync(path.join(a, 'tasks', 'uses_dep.py')));
    expect(bundle, `assets: ${assets.join(', ')}`).toBeDefined();
    expect(existsSync(path.join(bundle!, 'tinydep', '__init__.py'))).toBe(true);
    expect(existsSync(path.join(bundle!, 'ork', 'lambda_handler.py'))).toBe(true);
    expect(existsSync(path.join(bundle!, 'workflow.yaml'))).toBe(true);
  }, 120_000);
});

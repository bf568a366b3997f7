import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrkWorkflowStack, synthErrorLine } from '../../lib/deploy/index.js';
import { writeWheel } from '../support/wheels.js';

/** A workflow folder with one python task that imports `module`, and the given requirements.txt. */
function writeWorkflow(root: string, name: string, requirements?: string, module = 'tinydep'): string {
  const workflow = path.join(root, name);
  mkdirSync(path.join(workflow, 'tasks'), { recursive: true });
  if (requirements !== undefined) writeFileSync(path.join(workflow, 'requirements.txt'), requirements);
  writeFileSync(path.join(workflow, 'workflow.yaml'), `name: ${name}\ntasks:\n  uses_dep: {file: tasks/uses_dep.py}\n`);
  writeFileSync(path.join(workflow, 'tasks/uses_dep.py'), `from ork import task\nimport ${module}\n\n@task\ndef main():\n    return {"x": 1}\n`);
  return workflow;
}

function synth(workflow: string, context: Record<string, string>): { outdir: string; asset: () => string } {
  const outdir = path.join(path.dirname(workflow), `${path.basename(workflow)}.out`);
  const app = new App({ outdir, context });
  new OrkWorkflowStack(app, 'Code', { workflow });
  app.synth();
  return {
    outdir,
    asset() {
      const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
      const bundle = assets.map((a) => path.join(outdir, a)).find((a) => existsSync(path.join(a, 'tasks', 'uses_dep.py')));
      expect(bundle, `assets: ${assets.join(', ')}`).toBeDefined();
      return bundle!;
    },
  };
}

/** Imports the handler and the task from the asset alone, as Lambda's runtime would: no site-packages. */
function importIsolated(bundle: string, modules: string[]): ReturnType<typeof spawnSync> {
  const code = `import sys; sys.path[:0] = [${JSON.stringify(bundle)}]; import ${modules.join(', ')}; print(sys.modules['pydantic'].__file__)`;
  return spawnSync('python3', ['-I', '-S', '-c', code], { cwd: bundle, encoding: 'utf8' });
}

const LOCAL_TARGET = { pythonRuntime: 'python3.11', architecture: 'x86_64' };

describe('python task code', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'ork-python-code-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('holds the SDK, its dependencies and requirements.txt, built with pip for the runtime and architecture (no Docker)', () => {
    const workflow = writeWorkflow(root, 'reqs', './wheels/tinydep-0.1-py3-none-any.whl\n');
    mkdirSync(path.join(workflow, 'wheels'));
    writeWheel(path.join(workflow, 'wheels'));
    const bundle = synth(workflow, LOCAL_TARGET).asset();
    for (const file of ['tinydep/__init__.py', 'ork/lambda_handler.py', 'workflow.yaml', 'pydantic/__init__.py'])
      expect(existsSync(path.join(bundle, file)), file).toBe(true);
    expect(readdirSync(path.join(bundle, 'pydantic_core')).some((f) => f === '_pydantic_core.cpython-311-x86_64-linux-gnu.so')).toBe(true);
    // Compiled for the runtime (Lambda cannot write .pyc files into its read-only code folder).
    expect(readdirSync(path.join(bundle, 'ork', '__pycache__')).some((f) => f.startsWith('lambda_handler.cpython-311'))).toBe(true);
    const imported = importIsolated(bundle, ['ork.lambda_handler', 'tinydep', 'pydantic', 'tasks.uses_dep']);
    expect(imported.status, String(imported.stderr)).toBe(0);
    expect(String(imported.stdout).trim()).toBe(path.join(bundle, 'pydantic', '__init__.py'));
  }, 120_000);

  it('holds pydantic without a requirements.txt too, and the task imports from the asset alone', () => {
    const workflow = writeWorkflow(root, 'plain', undefined, 'json');
    const bundle = synth(workflow, LOCAL_TARGET).asset();
    const imported = importIsolated(bundle, ['ork.lambda_handler', 'tasks.uses_dep']);
    expect(imported.status, String(imported.stderr)).toBe(0);
  }, 120_000);

  it('stops synth with one line naming the runtime, the missing wheels and the fix when pip cannot build them', () => {
    // The default runtime and architecture (python3.14 on arm64): this machine's index has no such wheels,
    // and no Docker engine runs here.
    const workflow = writeWorkflow(root, 'nowheels', undefined, 'json');
    let thrown: unknown;
    try {
      synth(workflow, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeDefined();
    const line = synthErrorLine(thrown);
    expect(line).toMatch(
      /^cannot build the python code of workflow nowheels for python3\.14 on arm64: pip found no manylinux2014_aarch64 wheels for cp314 of pydantic-core==\S+, and Docker \(the fallback\) is not running\. Fix: start Docker, .* -c pythonRuntime=python3\.11 -c architecture=x86_64\)\.$/,
    );
    expect(line).not.toContain('\n');
  }, 120_000);

  it('names a requirement that no index has', () => {
    const workflow = writeWorkflow(root, 'missing', 'ork-no-such-package-xyz==1.0\n', 'json');
    expect(() => synth(workflow, LOCAL_TARGET)).toThrow(/pip found no manylinux2014_x86_64 wheels for cp311 of ork-no-such-package-xyz==1\.0/);
  }, 120_000);
});

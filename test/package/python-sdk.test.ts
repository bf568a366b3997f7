import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WHEELS } from '../support/wheel-index.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { ROOT } from '../support/workflows.js';

/**
 * The Python SDK installs with pip from lambdas/python (pyproject.toml), as the `ork` import package with its
 * contract.json and py.typed, and from an `ork init` project's requirements-dev.txt (the copy npm installed).
 * pip builds it with flit_core; these machines have no PyPI, so pip takes flit_core from the local wheel folder.
 * The source folder is left as it was: a read-only copy (an npm install) must build too.
 */

const ORK = path.join(ROOT, 'bin', 'ork.js');
const SDK = path.join(ROOT, 'lambdas', 'python');
let tmp: ReturnType<typeof temporaryDirectory>;

beforeAll(() => {
  tmp = temporaryDirectory('ork-python-sdk-');
});
afterAll(() => tmp?.remove());

/** `pip install --no-index --no-deps -t target …args` (pydantic is this machine's own). */
function pipInstall(target: string, args: string[], cwd = ROOT) {
  const links = existsSync(LOCAL_WHEELS) ? ['--find-links', LOCAL_WHEELS] : [];
  return spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--no-index', ...links, '--no-deps', '-t', target, ...args], { cwd, encoding: 'utf8' });
}

/** What an interpreter that sees only `target` (and its own site-packages: pydantic) imports as `ork`. */
function importedFrom(target: string, cwd: string): { file: string; files: string[]; version: string } {
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(target)})`,
    'from importlib import metadata, resources',
    'import ork',
    'from ork import task, Context',
    'print(json.dumps({"file": ork.__file__, "files": sorted(p.name for p in resources.files("ork").iterdir()), "version": metadata.version("ork-sdk")}))',
  ].join('\n');
  // -I: no PYTHONPATH, no user site, not the current folder: only what pip put in target.
  const result = spawnSync('python3', ['-I', '-c', script], { cwd, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { file: string; files: string[]; version: string };
}

describe('the Python SDK with pip', () => {
  it('pip install ./lambdas/python installs ork with contract.json and py.typed, the version of the npm package, and writes nothing beside the sources', () => {
    const target = path.join(tmp.dir, 'from-repo');
    const before = spawnSync('git', ['status', '--short', '--ignored', '--', SDK], { cwd: ROOT, encoding: 'utf8' }).stdout;
    const pip = pipInstall(target, ['./lambdas/python']);
    expect(pip.status, pip.stderr).toBe(0);
    const imported = importedFrom(target, tmp.dir);
    expect(imported.file).toBe(path.join(target, 'ork', '__init__.py'));
    expect(imported.files).toEqual(expect.arrayContaining(['contract.json', 'py.typed', 'task.py', 'context.py']));
    expect(imported.files).not.toContain('tests');
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(imported.version).toBe(version);
    // setuptools left build/ and an egg-info in lambdas/python: a read-only copy could not be installed.
    expect(spawnSync('git', ['status', '--short', '--ignored', '--', SDK], { cwd: ROOT, encoding: 'utf8' }).stdout).toBe(before);
  }, 120_000);

  it("an `ork init` project's requirements-dev.txt installs the SDK of node_modules/ork", () => {
    const init = spawnSync(process.execPath, [ORK, 'init', 'editor'], { cwd: tmp.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(init.status, init.stderr).toBe(0);
    const project = path.join(tmp.dir, 'editor');
    expect(readFileSync(path.join(project, 'README.md'), 'utf8')).toContain('`pip install -r requirements-dev.txt`');
    // As `npm install` of the project's file: dependency on this checkout leaves it.
    mkdirSync(path.join(project, 'node_modules'));
    symlinkSync(ROOT, path.join(project, 'node_modules', 'ork'), 'dir');
    const target = path.join(tmp.dir, 'from-project');
    const pip = pipInstall(target, ['-r', 'requirements-dev.txt'], project);
    expect(pip.status, pip.stderr).toBe(0);
    expect(importedFrom(target, project).files).toEqual(expect.arrayContaining(['contract.json', 'py.typed']));
  }, 120_000);

  it('a TypeScript project has no requirements-dev.txt', () => {
    const init = spawnSync(process.execPath, [ORK, 'init', 'ts-editor', '--lang', 'ts'], { cwd: tmp.dir, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'ts-editor', 'requirements-dev.txt'))).toBe(false);
  });
});

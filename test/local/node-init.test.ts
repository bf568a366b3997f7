import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflowCli } from '../support/cli.js';
import { ensurePackageBuilt } from '../support/built-package.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { ROOT } from '../support/workflows.js';

/**
 * `ork init DIR --lang ts` scaffolds the same small workflow as `ork init DIR` with TypeScript node tasks, and
 * `ork run .` runs it once `node_modules/ork` exists: the test links it to this repository, as `npm install`
 * of the project's `file:` devDependency would, and type-checks the tasks the same way (typescript and
 * @types/node linked from here). `--lang python` stays the default.
 */

const ORK = path.join(ROOT, 'bin', 'ork.js');
let tmp: ReturnType<typeof temporaryDirectory>;

function ork(args: string[], cwd: string) {
  return spawnSync(process.execPath, [ORK, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
}

/** What `npm install` would put in node_modules for these packages: links to this repository's copies. */
function linkModules(project: string, packages: Record<string, string>): void {
  for (const [name, target] of Object.entries(packages)) {
    const link = path.join(project, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
}

beforeAll(() => {
  tmp = temporaryDirectory('ork-node-init-');
});
afterAll(() => tmp?.remove());

const EXPECTED_OUTPUTS = {
  discover: { documents: ['alpha beta gamma', 'delta epsilon', 'zeta'] },
  count_words: [{ words: 3 }, { words: 2 }, { words: 1 }],
  total: { total_words: 6 },
};

describe('ork init --lang ts', () => {
  it('scaffolds TypeScript tasks, package.json "type": "module" with ork as a file: devDependency, and tsconfig.json', () => {
    const result = ork(['init', 'word-count', '--lang', 'ts'], tmp.dir);
    expect(result.status, result.stderr).toBe(0);
    const project = path.join(tmp.dir, 'word-count');
    for (const file of [
      'workflow.yaml',
      'workflow.schema.json',
      'tasks/discover.ts',
      'tasks/count_words.ts',
      'tasks/total.ts',
      'tsconfig.json',
      'package.json',
      'cdk.json',
      '.gitignore',
      'README.md',
    ]) {
      expect(existsSync(path.join(project, file)), file).toBe(true);
    }
    expect(existsSync(path.join(project, 'tasks', 'discover.py'))).toBe(false);
    const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      type: string;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    expect(pkg.type).toBe('module');
    expect(pkg.devDependencies.ork).toBe(`file:${ROOT}`);
    expect(pkg.scripts).toMatchObject({ start: 'ork run .', typecheck: 'tsc --noEmit' });
    const tsconfig = JSON.parse(readFileSync(path.join(project, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' });
    const yaml = readFileSync(path.join(project, 'workflow.yaml'), 'utf8');
    expect(yaml.match(/executor: node/g)).toHaveLength(3);
    expect(readFileSync(path.join(project, 'tasks', 'count_words.ts'), 'utf8')).toContain("import { defineTask, z } from 'ork/task';");
    // Lambda's code folder is read-only: the README says where a task writes files
    expect(readFileSync(path.join(project, 'README.md'), 'utf8')).toContain('`os.tmpdir()`, `/tmp` on Lambda');
    expect(ork(['validate', project], tmp.dir).status).toBe(0);
  });

  it('`ork run .` runs it once node_modules/ork exists (as `npx ork run .` would, from the project)', async () => {
    const project = path.join(tmp.dir, 'word-count');
    linkModules(project, { ork: ROOT });
    const result = await runWorkflowCli(
      '.',
      path.join(tmp.dir, 'runs-ts'),
      [],
      {},
      { cwd: project, bin: path.join(project, 'node_modules', 'ork', 'bin', 'ork.js') },
    );
    expect(result.json.status, result.stderr).toBe('SUCCEEDED');
    expect(result.json.outputs).toStrictEqual(EXPECTED_OUTPUTS);
    expect(result.json.tasks.count_words).toMatchObject({ instances: 3, succeeded: 3, peakRunning: 3 });
  });

  it('its tasks type-check with the scaffolded tsconfig.json', () => {
    // `ork/task` of an installed ork is dist/'s declaration files.
    ensurePackageBuilt();
    const project = path.join(tmp.dir, 'word-count');
    linkModules(project, { typescript: path.join(ROOT, 'node_modules', 'typescript'), '@types/node': path.join(ROOT, 'node_modules', '@types', 'node') });
    const tsc = spawnSync(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 180_000);

  it('--lang python is the default, and both scaffolds compute the same', async () => {
    const result = ork(['init', 'word-count-py'], tmp.dir);
    expect(result.status, result.stderr).toBe(0);
    const project = path.join(tmp.dir, 'word-count-py');
    expect(existsSync(path.join(project, 'tasks', 'count_words.py'))).toBe(true);
    expect(existsSync(path.join(project, 'tsconfig.json'))).toBe(false);
    expect(readFileSync(path.join(project, 'workflow.yaml'), 'utf8')).not.toContain('executor');
    expect(ork(['init', 'explicit', '--lang', 'python'], tmp.dir).status).toBe(0);
    expect(existsSync(path.join(tmp.dir, 'explicit', 'tasks', 'total.py'))).toBe(true);
    const readme = readFileSync(path.join(project, 'README.md'), 'utf8');
    expect(readme).toContain('`tempfile.gettempdir()`, `/tmp` on Lambda');
    expect(readme).toContain('`requirements.txt`: `ork run` installs them');
    const run = await runWorkflowCli(project, path.join(tmp.dir, 'runs-py'));
    expect(run.json.status, run.stderr).toBe('SUCCEEDED');
    expect(run.json.outputs).toStrictEqual(EXPECTED_OUTPUTS);
    // no requirements.txt, no virtual environment; and the tasks wrote nothing into the project
    expect(existsSync(path.join(project, '.ork'))).toBe(false);
  });

  it('an unknown --lang is a usage error', () => {
    const result = ork(['init', 'nope', '--lang', 'rust'], tmp.dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--lang must be python or ts/);
    expect(existsSync(path.join(tmp.dir, 'nope'))).toBe(false);
  });
});

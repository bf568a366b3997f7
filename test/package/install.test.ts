import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_WHEELS } from '../support/wheel-index.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { ROOT } from '../support/workflows.js';

/**
 * Ork as a user gets it, end to end, in a temporary folder that cannot reach this repository's node_modules:
 * `npm pack` of the checkout (its prepack builds dist/), `npm install` of the tarball, `npx ork init` of a python
 * and a ts project, their own `npm install`, `npx ork run .`, `npx cdk synth`, `npx tsc --noEmit` of the ts tasks,
 * and pip of the Python SDK from the installed copy. npm installs with --prefer-offline (the cache is warm on
 * these machines). Slow: one shared sequence, each step relying on the ones before.
 *
 * Skipped, saying so, only when npm reaches neither its registry nor a cached copy of Ork's dependencies;
 * under CI=true it runs regardless and fails there.
 */

const NPM_STEP = 600_000;

/** A shell of a user: the repository's node_modules/.bin off PATH, no NODE_PATH, none of vitest's variables. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const name of Object.keys(env)) {
    if (
      name === 'NODE_ENV' ||
      name === 'NODE_PATH' ||
      name === 'NODE_OPTIONS' ||
      name.startsWith('VITEST') ||
      name.startsWith('npm_package_') ||
      name === 'INIT_CWD'
    )
      delete env[name];
  }
  env.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((entry) => !path.resolve(entry).startsWith(ROOT + path.sep) && !entry.includes(`${path.sep}node_modules${path.sep}`))
    .join(path.delimiter);
  return env;
}

function run(command: string, args: readonly string[], cwd: string, timeout = NPM_STEP): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: userEnvironment(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout });
}

function explain(what: string, result: SpawnSyncReturns<string>): string {
  return `${what} exited ${result.status} (${result.signal ?? 'no signal'})\n${result.stdout}\n${result.stderr}`;
}

/** Whether npm can get packages: its registry answers, or its cache holds Ork's dependencies' metadata. */
function npmReachable(): boolean {
  if (run('npm', ['ping', '--fetch-timeout=10000', '--fetch-retries=0'], ROOT, 30_000).status === 0) return true;
  return run('npm', ['view', '--offline', 'aws-cdk-lib', 'version'], ROOT, 30_000).status === 0;
}

/** Every file under `dir`, relative to it: to see that running the installed ork wrote nothing into its package. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

const reachable = process.env.CI ? true : npmReachable();
if (!reachable) console.warn('[install] skipped: npm reaches neither its registry nor a cache of the packages (CI=true runs it regardless)');

const EXPECTED_OUTPUTS = {
  discover: { documents: ['alpha beta gamma', 'delta epsilon', 'zeta'] },
  count_words: [{ words: 3 }, { words: 2 }, { words: 1 }],
  total: { total_words: 6 },
};

describe.skipIf(!reachable)('the npm package, installed as a user installs it', () => {
  let tmp: ReturnType<typeof temporaryDirectory>;
  let tarball = '';
  let installer = '';
  const project = (language: string) => path.join(installer, `demo-${language}`);

  beforeAll(() => {
    tmp = temporaryDirectory('ork-install-');
    // Nothing above the temporary folder may hold a node_modules that resolution would find instead.
    expect(path.relative(ROOT, tmp.dir).startsWith('..')).toBe(true);
  });
  // three node_modules with aws-cdk-lib in them take a while to remove
  afterAll(() => tmp?.remove(), 180_000);

  it(
    'npm pack builds and packs what users need, nothing of the tests',
    () => {
      const pack = run('npm', ['pack', '--json', '--pack-destination', tmp.dir], ROOT);
      expect(pack.status, explain('npm pack', pack)).toBe(0);
      const [report] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
      if (!report) throw new Error(`npm pack --json reported nothing: ${pack.stdout}`);
      tarball = path.join(tmp.dir, report.filename);
      expect(existsSync(tarball)).toBe(true);
      const files = report.files.map((f) => f.path);
      for (const file of [
        'bin/ork.js',
        'dist/lambdas/node/ork/index.js',
        'dist/lambdas/node/ork/index.d.ts',
        'dist/lib/deploy/index.d.ts',
        'lambdas/python/pyproject.toml',
      ])
        expect(files, file).toContain(file);
      for (const file of ['lambdas/python/ork/py.typed', 'lambdas/python/ork/contract.json']) expect(files, file).toContain(file);
      expect(files.filter((f) => /^(test|bench|examples|scratch)\//.test(f) || f.startsWith('lambdas/python/tests/'))).toEqual([]);
    },
    NPM_STEP,
  );

  it(
    'npm install of the tarball, then npx ork init of a python and a ts project depending on that tarball',
    () => {
      installer = path.join(tmp.dir, 'installer');
      mkdirSync(installer);
      writeFileSync(path.join(installer, 'package.json'), `${JSON.stringify({ name: 'installer', private: true }, null, 2)}\n`);
      const install = run('npm', ['install', '--prefer-offline', tarball], installer);
      expect(install.status, explain('npm install <tarball>', install)).toBe(0);
      const version = run('npx', ['ork', '--version'], installer);
      expect(version.stdout.trim(), explain('npx ork --version', version)).toBe(
        `ork ${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`,
      );
      for (const language of ['python', 'ts']) {
        const init = run('npx', ['ork', 'init', `demo-${language}`, '--lang', language], installer);
        expect(init.status, explain(`npx ork init --lang ${language}`, init)).toBe(0);
        const pkg = JSON.parse(readFileSync(path.join(project(language), 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
        // the tarball it was installed from: not a path into the installer's node_modules
        expect(pkg.devDependencies.ork).toBe(`file:${tarball}`);
      }
    },
    NPM_STEP,
  );

  for (const language of ['python', 'ts']) {
    it(
      `the ${language} project: npm install, then npx ork run . succeeds, writing nothing into the installed package`,
      () => {
        const install = run('npm', ['install', '--prefer-offline'], project(language));
        expect(install.status, explain(`npm install (${language})`, install)).toBe(0);
        const installed = path.join(project(language), 'node_modules', 'ork');
        expect(existsSync(path.join(installed, 'dist'))).toBe(true);
        const before = filesUnder(installed);
        const result = run('npx', ['ork', 'run', '.', '--json'], project(language), 180_000);
        expect(result.status, explain(`npx ork run . (${language})`, result)).toBe(0);
        const summary = JSON.parse(result.stdout) as { status: string; outputs: unknown };
        expect(summary.status).toBe('SUCCEEDED');
        expect(summary.outputs).toStrictEqual(EXPECTED_OUTPUTS);
        expect(filesUnder(installed)).toEqual(before);
      },
      NPM_STEP,
    );
  }

  it(
    'npx cdk synth of the python project: three python3.11 functions, from the installed package',
    () => {
      const dir = project('python');
      const synth = run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', 'pythonRuntime=python3.11', '-c', 'architecture=x86_64'], dir);
      expect(synth.status, explain('npx cdk synth (python)', synth)).toBe(0);
      const template = JSON.parse(readFileSync(path.join(dir, 'cdk.out', 'Ork-demo-python.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions.map((f) => f.Properties.Runtime)).toEqual(['python3.11', 'python3.11', 'python3.11']);
    },
    NPM_STEP,
  );

  it(
    'npx cdk synth and npx tsc --noEmit of the ts project: its tasks type-check against the declaration files of ork/task',
    () => {
      const dir = project('ts');
      const synth = run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', 'pythonRuntime=python3.11'], dir);
      expect(synth.status, explain('npx cdk synth (ts)', synth)).toBe(0);
      expect(existsSync(path.join(dir, 'cdk.out', 'Ork-demo-ts.template.json'))).toBe(true);
      const tsc = run('npx', ['tsc', '--noEmit'], dir);
      expect(tsc.stdout + tsc.stderr, explain('npx tsc --noEmit', tsc)).toBe('');
      expect(tsc.status).toBe(0);
      // and a mistake in a task is one tsc reports: the types come from ork/task, not from any
      writeFileSync(
        path.join(dir, 'tasks', 'wrong.ts'),
        "import { defineTask, z } from 'ork/task';\nexport default defineTask({ input: z.object({ n: z.number() }), output: z.object({ s: z.string() }), handler: (input) => ({ s: input.n }) });\n",
      );
      const wrong = run('npx', ['tsc', '--noEmit'], dir);
      expect(wrong.status).not.toBe(0);
      expect(wrong.stdout).toMatch(/tasks\/wrong\.ts\(\d+,\d+\): error TS\d+/);
    },
    NPM_STEP,
  );

  it(
    "pip installs the Python SDK from the installed package's copy, as requirements-dev.txt says",
    () => {
      const dir = project('python');
      const target = path.join(tmp.dir, 'site');
      const links = existsSync(LOCAL_WHEELS) ? ['--no-index', '--find-links', LOCAL_WHEELS] : [];
      const pip = run('python3', ['-m', 'pip', 'install', '--quiet', ...links, '--no-deps', '-t', target, '-r', 'requirements-dev.txt'], dir, 180_000);
      expect(pip.status, explain('pip install -r requirements-dev.txt', pip)).toBe(0);
      const script = `import sys; sys.path.insert(0, ${JSON.stringify(target)}); from ork import task, Context; import ork; print(ork.__file__)`;
      const imported = run('python3', ['-I', '-c', script], dir);
      expect(imported.stdout.trim(), explain('python3 -I', imported)).toBe(path.join(target, 'ork', '__init__.py'));
      expect(existsSync(path.join(target, 'ork', 'py.typed'))).toBe(true);
    },
    NPM_STEP,
  );
});

#!/usr/bin/env node
// The project's test command (npm test): checks what the suites need, then runs the type check, the formatters and
// linters (scripts/lint.mjs: prettier, eslint, ruff, mypy), the build (dist/), the vitest suites and the Python
// suites. Each missing prerequisite is named in one line. A lint finding does not stop the suites; the command fails
// at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lint, missingLintTools } from './lint.mjs';

const ci = Boolean(process.env.CI);
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

const missing = [];
if (!quiet('python3', ['--version'])) missing.push('python3');
else {
  for (const [module, why] of [
    ['pydantic', 'Python task models'],
    ['pytest', 'Python test runner'],
    ['boto3', 'AWS client for the parity tests'],
    ['moto', 'local AWS API (moto_server) for Step Functions acceptance tests'],
  ]) {
    if (!quiet('python3', ['-c', `import ${module}`])) missing.push(`${module} (${why})`);
  }
}
if (!quiet('moto_server', ['--help'])) missing.push('moto_server on PATH (pip install "moto[server]")');
// Python code assets are built for python3.11 on x86_64 with pip (test/support/wheel-index.ts: the local wheel
// folder /opt/pypi/files when there is one, else pip's own configuration).
const localWheels = existsSync('/opt/pypi/files') && !process.env.PIP_INDEX_URL && !process.env.PIP_NO_INDEX;
if (!localWheels)
  console.error('ork tests: pip finds cp311 manylinux wheels through its own configuration (no /opt/pypi/files, or PIP_INDEX_URL / PIP_NO_INDEX set).');
{
  const wheels = mkdtempSync(path.join(tmpdir(), 'ork-wheel-check-'));
  const env = {
    ...process.env,
    ...(localWheels ? { PIP_NO_INDEX: '1', PIP_FIND_LINKS: [process.env.PIP_FIND_LINKS, '/opt/pypi/files'].filter(Boolean).join(' ') } : {}),
  };
  const pip = spawnSync(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--only-binary=:all:',
      '--platform',
      'manylinux2014_x86_64',
      '--implementation',
      'cp',
      '--python-version',
      '3.11',
      '-d',
      wheels,
      'pydantic-core',
    ],
    { stdio: 'ignore', env },
  );
  rmSync(wheels, { recursive: true, force: true });
  if (pip.status !== 0)
    missing.push(
      'pip able to fetch cp311 manylinux2014_x86_64 wheels (pydantic-core) from its index or ' +
        '/opt/pypi/files: the python code assets of the synth and parity tests are built from them',
    );
}
// The parity harness runs each Lambda function in a private mount namespace (read-only code, private /tmp).
if (!quiet('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', 'mount -t tmpfs tmpfs /mnt'])) {
  missing.push('root, for unshare --mount and mount (the parity harness runs each Lambda function with a read-only /var/task)');
}
if (!quiet('chromium', ['--version'])) missing.push('chromium (Debian package, renders the HTML run report in its test)');
missing.push(...missingLintTools());
if (missing.length > 0) {
  console.error(`ork tests need: ${missing.join('; ')}.`);
  if (ci) {
    console.error('CI is set, so the suites and lint steps that need them may not be skipped: failing.');
    process.exit(1);
  }
  console.error('Suites and lint steps that need them are skipped on this machine.');
  process.env.ORK_SKIP_MOTO = '1';
}

let status = run('npx', ['tsc', '--noEmit', '-p', '.']);
if (status !== 0) {
  console.error('type check failed');
  process.exit(status);
}
const lintFailed = lint();
if (lintFailed.length > 0) console.error(`lint failed: ${lintFailed.join(', ')} (npm run format fixes what formatting can); the suites run on`);
const finish = (code) => {
  if (lintFailed.length > 0) console.error(`lint failed: ${lintFailed.join(', ')}`);
  process.exit(code !== 0 ? code : lintFailed.length > 0 ? 1 : 0);
};

// dist/, what the npm package runs: a project type-checks its tasks against its declaration files (test/local/node-init),
// so the suites see this checkout's build, not an older one. (test/package/install's `npm pack` rebuilds it.)
status = run('node', ['scripts/build.mjs']);
if (status !== 0) {
  console.error('build failed (npm run build)');
  finish(status);
}
status = run('npx', ['vitest', 'run']);
if (status !== 0) finish(status);

const pythonRoot = 'lambdas/python';
const hasPythonTests = existsSync(pythonRoot) && readdirSync(pythonRoot, { recursive: true }).some((f) => /(^|\/)test_[^/]*\.py$/.test(String(f)));
if (hasPythonTests && !missing.some((m) => m.startsWith('pytest') || m === 'python3')) {
  status = run('python3', ['-m', 'pytest', '-q', pythonRoot]);
  // pytest exits 5 when it collected nothing; that is a failure of the suite's layout, not a pass.
  if (status !== 0) finish(status);
}
finish(0);

#!/usr/bin/env node
// The formatters and linters (npm run lint; npm test runs them through scripts/test.mjs):
//   TypeScript and JavaScript: prettier --check (.prettierrc.json, .prettierignore), eslint (eslint.config.js);
//   Python: ruff format --check and ruff check (ruff.toml, every .py file), mypy (lambdas/python/pyproject.toml).
// `npm run format` rewrites what the formatters and the linters' safe fixes can.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const quiet = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', cwd: root }).status === 0;

/** The pip command that installs the Python tools, from the local wheel folder when there is one (as .ci/run does). */
export const PYTHON_TOOLS_INSTALL =
  `python3 -m pip ` + `install${existsSync('/opt/pypi/files') ? ' --no-index --find-links /opt/pypi/files' : ''} ` + `ruff==0.16.9 mypy==2.4.0`;

/** What the lint steps need and is not there, one line each, in the words of scripts/test.mjs's prerequisites. */
export function missingLintTools() {
  const missing = [];
  for (const tool of ['prettier', 'eslint']) {
    if (!existsSync(path.join(root, 'node_modules', '.bin', tool)))
      missing.push(`${tool} (TypeScript ${tool === 'prettier' ? 'formatter' : 'linter'}: npm ci)`);
  }
  if (!quiet('python3', ['-m', 'ruff', '--version'])) missing.push(`ruff (Python linter and formatter: ${PYTHON_TOOLS_INSTALL})`);
  if (!quiet('python3', ['-m', 'mypy', '--version'])) missing.push(`mypy (Python type checker: ${PYTHON_TOOLS_INSTALL})`);
  return missing;
}

const STEPS = [
  {
    name: 'prettier',
    cmd: 'npx',
    args: ['prettier', '--check', '--log-level', 'warn', '.'],
    fix: ['npx', ['prettier', '--write', '--log-level', 'warn', '.']],
  },
  { name: 'eslint', cmd: 'npx', args: ['eslint', '.'], fix: ['npx', ['eslint', '--fix', '.']] },
  { name: 'ruff format', cmd: 'python3', args: ['-m', 'ruff', 'format', '--check', '.'], fix: ['python3', ['-m', 'ruff', 'format', '.']] },
  { name: 'ruff check', cmd: 'python3', args: ['-m', 'ruff', 'check', '.'], fix: ['python3', ['-m', 'ruff', 'check', '--fix', '.']] },
  { name: 'mypy', cmd: 'python3', args: ['-m', 'mypy'], cwd: 'lambdas/python' },
];

/**
 * Runs every step whose tools are installed (all of them, so that one run names every finding) and returns the names
 * of those that failed. With fix, runs the formatters and the safe fixes first.
 */
export function lint({ fix = false } = {}) {
  const missing = missingLintTools().map((line) => line.split(' ')[0]);
  const failed = [];
  for (const step of STEPS) {
    const tool = step.name.split(' ')[0];
    if (missing.includes(tool)) continue;
    if (fix && step.fix) spawnSync(step.fix[0], step.fix[1], { stdio: 'inherit', cwd: root });
    const status = spawnSync(step.cmd, step.args, { stdio: 'inherit', cwd: path.join(root, step.cwd ?? '.') }).status ?? 1;
    if (status !== 0) failed.push(step.name);
  }
  return failed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = missingLintTools();
  if (missing.length > 0) console.error(`ork lint needs: ${missing.join('; ')}.`);
  const failed = lint({ fix: process.argv.includes('--fix') });
  if (failed.length > 0) console.error(`lint failed: ${failed.join(', ')}`);
  process.exit(failed.length > 0 || missing.length > 0 ? 1 : 0);
}

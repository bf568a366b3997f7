import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { writeWheel } from '../support/wheels.js';
import { parseJsonOutput, runOrk, type CliResult, type RunSummaryJson } from '../support/cli.js';

/**
 * `ork run` of a workflow with a requirements.txt: its packages are installed once into a virtual
 * environment under the workflow's .ork/venv/, whose python runs the python tasks; the environment is
 * reused while requirements.txt stays the same and made again when it changes; two runs at once share one
 * installation; a package pip cannot find stops the run before it starts, exit 2, with one line naming it.
 * The package is a pure-Python wheel built here by hand (no `wheel` package, no network), named in
 * requirements.txt by a path relative to the workflow folder. pip sees no index at all (PIP_NO_INDEX,
 * PIP_FIND_LINKS at an empty folder), so nothing waits on the network.
 */

let tmp: ReturnType<typeof temporaryDirectory>;
let noIndex: NodeJS.ProcessEnv;

function ork(dir: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runOrk(['run', dir, '--json'], tmp.dir, { ORK_RUNS_DIR: path.join(tmp.dir, 'runs'), ...noIndex, ...env });
}

function outputs(result: CliResult): Record<string, unknown> {
  const json = parseJsonOutput<RunSummaryJson>(result);
  expect(json.status, result.stderr).toBe('SUCCEEDED');
  expect(result.code).toBe(0);
  return json.outputs;
}

const USES_DEP = `import sys

import tinydep
from ork import task


@task
def main():
    return {"x": tinydep.X, "prefix": sys.prefix}
`;

/** A workflow of one python task that imports tinydep; requirements.txt as given (none when undefined). */
function writeWorkflow(name: string, requirements: string | undefined, task = USES_DEP): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  mkdirSync(path.join(dir, 'wheels'), { recursive: true });
  writeWheel(path.join(dir, 'wheels'));
  writeFileSync(path.join(dir, 'workflow.yaml'), 'tasks:\n  uses_dep: {file: tasks/uses_dep.py}\n');
  writeFileSync(path.join(dir, 'tasks', 'uses_dep.py'), task);
  if (requirements !== undefined) writeFileSync(path.join(dir, 'requirements.txt'), requirements);
  return dir;
}

const venvs = (dir: string): string[] => (existsSync(path.join(dir, '.ork', 'venv')) ? readdirSync(path.join(dir, '.ork', 'venv')).sort() : []);
const installing = (stderr: string): string[] => stderr.split('\n').filter((line) => line.startsWith('ork: installing requirements.txt'));

beforeAll(() => {
  tmp = temporaryDirectory('ork-requirements-run-');
  const empty = path.join(tmp.dir, 'no-wheels');
  mkdirSync(empty);
  noIndex = { PIP_NO_INDEX: '1', PIP_FIND_LINKS: empty };
});
afterAll(() => tmp?.remove());

describe('ork run with requirements.txt', () => {
  it('installs it once into .ork/venv/, reuses it while requirements.txt is unchanged, makes it again when it changes', async () => {
    const dir = writeWorkflow('reqs', './wheels/tinydep-0.1-py3-none-any.whl\n');

    const first = await ork(dir);
    const firstOutputs = outputs(first);
    const uses = firstOutputs.uses_dep as { x: number; prefix: string };
    expect(uses.x).toBe(1);
    const [venv] = venvs(dir);
    expect(venvs(dir)).toEqual([venv]);
    expect(uses.prefix).toBe(path.join(dir, '.ork', 'venv', venv!));
    // one progress line on stderr; stdout keeps to the --json object
    expect(installing(first.stderr), first.stderr).toHaveLength(1);
    expect(installing(first.stderr)[0]).toMatch(/^ork: installing requirements\.txt into a virtual environment, \.ork\/venv\/[0-9a-f]{16} \(once/);
    const marker = path.join(dir, '.ork', 'venv', venv!, '.ork-requirements.json');
    const built = statSync(marker).mtimeMs;

    const second = await ork(dir);
    expect((outputs(second).uses_dep as { prefix: string }).prefix).toBe(uses.prefix);
    expect(installing(second.stderr), second.stderr).toEqual([]);
    expect(statSync(marker).mtimeMs).toBe(built);
    console.log(`requirements.txt: first run ${first.seconds.toFixed(1)} s (venv made), second ${second.seconds.toFixed(1)} s (reused)`);

    writeFileSync(path.join(dir, 'requirements.txt'), '# the same package, another file\n./wheels/tinydep-0.1-py3-none-any.whl\n');
    const third = await ork(dir);
    const prefix = (outputs(third).uses_dep as { prefix: string }).prefix;
    expect(installing(third.stderr), third.stderr).toHaveLength(1);
    expect(prefix).not.toBe(uses.prefix);
    // the environment of the old requirements.txt is gone
    expect(venvs(dir)).toEqual([path.basename(prefix)]);
  }, 120_000);

  it('two runs at once: one installs, the other waits and reuses it', async () => {
    const dir = writeWorkflow('together', './wheels/tinydep-0.1-py3-none-any.whl\n');
    const [a, b] = await Promise.all([ork(dir), ork(dir)]);
    const prefixes = [a, b].map((r) => (outputs(r).uses_dep as { prefix: string }).prefix);
    expect(prefixes[0]).toBe(prefixes[1]);
    expect([...installing(a.stderr), ...installing(b.stderr)]).toHaveLength(1);
    // the other one said so if it had to wait (under load it may start after the installation ended)
    expect(`${a.stderr}${b.stderr}`.match(/^ork: waiting for another ork run to finish installing requirements\.txt/gm)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(venvs(dir)).toEqual([path.basename(prefixes[0]!)]);
  }, 120_000);

  it('a lock left by a run that ended half-way (Ctrl-C) is taken over, and the half-built environment built again', async () => {
    const dir = path.join(tmp.dir, 'together');
    const [venv] = venvs(dir);
    const venvDir = path.join(dir, '.ork', 'venv', venv!);
    rmSync(path.join(venvDir, '.ork-requirements.json'));
    // a pid that no process has (above Linux's pid_max)
    mkdirSync(`${venvDir}.lock`);
    writeFileSync(path.join(`${venvDir}.lock`, 'owner'), `${2 ** 22 + 1} ${hostname()}\n`);
    const result = await ork(dir);
    expect((outputs(result).uses_dep as { x: number }).x).toBe(1);
    expect(installing(result.stderr), result.stderr).toHaveLength(1);
    expect(venvs(dir)).toEqual([venv]);
  }, 60_000);

  it('a package pip cannot find: exit 2 before the run, one line naming it and how to fix it', async () => {
    const dir = writeWorkflow('missing', 'ork-no-such-package-xyz\n');
    const result = await ork(dir);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    const errors = lines.filter((line) => line.startsWith('ork: error:'));
    expect(errors, result.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/pip found no ork-no-such-package-xyz/);
    expect(errors[0]).toMatch(/PIP_INDEX_URL/);
    expect(errors[0]).toMatch(/-m pip install ork-no-such-package-xyz/);
    // the progress line and the error: no pip output, no stack trace
    expect(lines).toHaveLength(2);
    expect(result.stderr).not.toMatch(/Traceback| {4}at /);
    // nothing half-built is left to be taken for an environment
    expect(venvs(dir)).toEqual([]);
  }, 60_000);

  it('without requirements.txt nothing changes: the interpreter runs the tasks, no .ork/venv/', async () => {
    const dir = writeWorkflow('plain', undefined, 'import sys\n\nfrom ork import task\n\n\n@task\ndef main():\n    return {"prefix": sys.prefix}\n');
    const result = await ork(dir);
    expect((outputs(result).uses_dep as { prefix: string }).prefix).not.toContain('.ork');
    expect(installing(result.stderr)).toEqual([]);
    expect(existsSync(path.join(dir, '.ork'))).toBe(false);
  }, 60_000);
});

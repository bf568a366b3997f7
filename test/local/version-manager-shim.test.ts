import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveVersionManagerShim } from '../../lib/local/version-manager-shim.js';

/**
 * A pyenv or asdf shim runs shell scripts on every start; the local engine asks it once per run which
 * interpreter it picks (in the workflow's folder, where .python-version may say) and starts workers with that.
 */
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const root = mkdtempSync(path.join(tmpdir(), 'ork-shim-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function script(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

// What pyenv's shims look like: `exec "<root>/libexec/pyenv" exec "$program" "$@"`; the fake pyenv picks the
// interpreter from the .python-version of the folder it runs in, as pyenv does.
const pyenv = script(
  path.join(root, 'libexec', 'pyenv'),
  `#!/usr/bin/env bash\nshift; shift\nif [ "$(cat .python-version 2>/dev/null)" = other ]; ` +
    `then exec "${root}/other/bin/python3" "$@"; fi\nexec "${python}" "$@"\n`,
);
const shim = script(
  path.join(root, 'shims', 'python3'),
  `#!/usr/bin/env bash\nset -e\nprogram="\${0##*/}"\nexport PYENV_ROOT="${root}"\nexec "${pyenv}" exec "$program" "$@"\n`,
);
// Another version: a link to the same interpreter, which reports the path it was started by.
const other = path.join(root, 'other', 'bin', 'python3');
mkdirSync(path.dirname(other), { recursive: true });
symlinkSync(python, other);

describe('resolveVersionManagerShim', () => {
  it('a shim on PATH: the interpreter it runs, and that interpreter’s bin folder for PATH', async () => {
    const env = { ...process.env, PATH: `${path.dirname(shim)}:${process.env.PATH}` };
    expect(await resolveVersionManagerShim('python3', env, root)).toStrictEqual({ command: python, binDir: path.dirname(python) });
    expect(await resolveVersionManagerShim(shim, process.env, root)).toStrictEqual({ command: python, binDir: path.dirname(python) });
  });

  it('asks in the workers’ folder, where the version file is', async () => {
    const project = path.join(root, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, '.python-version'), 'other\n');
    expect(await resolveVersionManagerShim(shim, process.env, project)).toStrictEqual({ command: other, binDir: path.dirname(other) });
  });

  it('leaves a real interpreter, another wrapper script, and a missing command as they are', async () => {
    expect(await resolveVersionManagerShim(python, process.env, root)).toStrictEqual({ command: python });
    const wrapper = script(path.join(root, 'wrapper', 'python3'), `#!/bin/sh\nexport EXTRA=1\nexec "${python}" "$@"\n`);
    expect(await resolveVersionManagerShim(wrapper, process.env, root)).toStrictEqual({ command: wrapper });
    expect(await resolveVersionManagerShim('no-such-python-here', process.env, root)).toStrictEqual({ command: 'no-such-python-here' });
  });

  it('a shim that fails leaves the command as it is (the worker start reports why)', async () => {
    const broken = script(path.join(root, 'broken', 'python3'), `#!/usr/bin/env bash\nexec "${root}/libexec/missing-pyenv" exec "python3" "$@"\n`);
    expect(await resolveVersionManagerShim(broken, process.env, root)).toStrictEqual({ command: broken });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProbeFailure, probeInterpreter } from '../../lib/local/python-interpreter.js';

/**
 * One probe asks an interpreter what it is (sys.executable, its version, a venv's site-packages): the
 * version-manager shim resolution and the requirements.txt environment both use it (their own tests cover
 * what they do with it: version-manager-shim.test.ts, python-requirements.test.ts).
 */
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const version = execFileSync('python3', ['-c', 'import sys; print(sys.version)'], { encoding: 'utf8' }).trim();
const root = mkdtempSync(path.join(tmpdir(), 'ork-probe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('probeInterpreter', () => {
  it('says the interpreter itself, its version, and no venv site-packages for a system interpreter', async () => {
    const probed = await probeInterpreter('python3', process.env, root);
    expect(probed).toMatchObject({ executable: python, version });
    if (!isProbeFailure(probed)) expect(Array.isArray(probed.venvSitePackages)).toBe(true);
  });

  it('a module of the folder it runs in does not stand in for the standard library', async () => {
    writeFileSync(path.join(root, 'json.py'), 'raise SystemExit("the workflow folder\'s json.py was imported")\n');
    expect(await probeInterpreter('python3', process.env, root)).toMatchObject({ executable: python });
  });

  it('a command that does not start, or fails, is a failure saying why', async () => {
    const missing = await probeInterpreter('no-such-python-here', process.env, root);
    expect(isProbeFailure(missing) && missing.why).toMatch(/ENOENT/);
    const failing = path.join(root, 'failing');
    writeFileSync(failing, '#!/bin/sh\necho "no python here" >&2\nexit 3\n', { mode: 0o755 });
    expect(await probeInterpreter(failing, process.env, root)).toStrictEqual({ why: 'no python here' });
    const talker = path.join(root, 'talker');
    writeFileSync(talker, '#!/bin/sh\necho "not json"\n', { mode: 0o755 });
    expect(await probeInterpreter(talker, process.env, root)).toStrictEqual({ why: 'not json' });
  });
});

import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orkDependency } from '../../lib/scaffold/ork-dependency.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/**
 * What `ork init` writes as the new project's `ork` dependency, read from where the running ork lies and the
 * lockfile of the project that installed it, in the layouts npm 7+ leaves (checked against npm 11's own output:
 * `resolved` relative to that project, in node_modules/.package-lock.json and package-lock.json).
 */

let tmp: ReturnType<typeof temporaryDirectory>;
beforeAll(() => {
  tmp = temporaryDirectory('ork-dependency-');
});
afterAll(() => tmp?.remove());

/** `<tmp>/<project>/<relative>` holding ork's package.json, and the project's lockfiles with `resolved` for it. */
function installed(project: string, relative: string, lock: { hidden?: string; main?: string; packageJson?: Record<string, unknown> }): string {
  const root = path.join(tmp.dir, project, relative);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'ork', version: '1.2.3', ...lock.packageJson }));
  const key = relative.split(path.sep).join('/');
  const lockfile = (resolved: string) => JSON.stringify({ lockfileVersion: 3, packages: { '': {}, [key]: { version: '1.2.3', resolved } } });
  if (lock.hidden) writeFileSync(path.join(tmp.dir, project, 'node_modules', '.package-lock.json'), lockfile(lock.hidden));
  if (lock.main) writeFileSync(path.join(tmp.dir, project, 'package-lock.json'), lockfile(lock.main));
  return root;
}

describe('orkDependency', () => {
  it('a checkout, outside any node_modules: file: that folder', () => {
    const root = path.join(tmp.dir, 'checkout');
    mkdirSync(root);
    expect(orkDependency(root, '1.2.3')).toEqual({ spec: `file:${root}` });
  });

  it('a folder npm linked into a project: the folder, never the link in node_modules', () => {
    const folder = path.join(tmp.dir, 'linked-source');
    mkdirSync(folder);
    mkdirSync(path.join(tmp.dir, 'linking', 'node_modules'), { recursive: true });
    symlinkSync(folder, path.join(tmp.dir, 'linking', 'node_modules', 'ork'), 'dir');
    expect(orkDependency(path.join(tmp.dir, 'linking', 'node_modules', 'ork'), '1.2.3')).toEqual({ spec: `file:${folder}` });
  });

  it('installed from the registry (npm or a mirror): ^version', () => {
    const npm = installed('from-registry', path.join('node_modules', 'ork'), { hidden: 'https://registry.npmjs.org/ork/-/ork-1.2.3.tgz' });
    expect(orkDependency(npm, '1.2.3')).toEqual({ spec: '^1.2.3' });
    const mirror = installed('from-mirror', path.join('node_modules', 'ork'), { main: 'https://artifacts.example.com/api/npm/npm/ork/-/ork-1.2.3.tgz' });
    expect(orkDependency(mirror, '1.2.3')).toEqual({ spec: '^1.2.3' });
  });

  it('installed from a tarball: its absolute path, whichever lockfile records it', () => {
    writeFileSync(path.join(tmp.dir, 'ork-1.2.3.tgz'), '');
    const hidden = installed('from-tarball', path.join('node_modules', 'ork'), { hidden: 'file:../ork-1.2.3.tgz' });
    expect(orkDependency(hidden, '1.2.3')).toEqual({ spec: `file:${path.join(tmp.dir, 'ork-1.2.3.tgz')}` });
    const main = installed('from-tarball-main', path.join('node_modules', 'ork'), { main: 'file:../ork-1.2.3.tgz' });
    expect(orkDependency(main, '1.2.3')).toEqual({ spec: `file:${path.join(tmp.dir, 'ork-1.2.3.tgz')}` });
  });

  it('a tarball that is gone: still its path, with a note', () => {
    const root = installed('from-gone-tarball', path.join('node_modules', 'ork'), { hidden: 'file:../gone/ork-1.2.3.tgz' });
    const dependency = orkDependency(root, '1.2.3');
    expect(dependency.spec).toBe(`file:${path.join(tmp.dir, 'gone', 'ork-1.2.3.tgz')}`);
    expect(dependency.note).toMatch(/no longer exists/);
  });

  it('nested under another package: the lockfile entry of that path', () => {
    const root = installed('nested', path.join('node_modules', 'tool', 'node_modules', 'ork'), {
      hidden: 'https://registry.npmjs.org/ork/-/ork-1.2.3.tgz',
    });
    expect(orkDependency(root, '1.2.3')).toEqual({ spec: '^1.2.3' });
  });

  it('a git or server URL is kept as it is', () => {
    const root = installed('from-git', path.join('node_modules', 'ork'), { hidden: 'git+ssh://git@example.com/ork.git#0123abc' });
    expect(orkDependency(root, '1.2.3')).toEqual({ spec: 'git+ssh://git@example.com/ork.git#0123abc' });
  });

  it("no lockfile: the installed package.json's _resolved, else ^version with a note", () => {
    const old = installed('old-npm', path.join('node_modules', 'ork'), { packageJson: { _resolved: 'https://registry.npmjs.org/ork/-/ork-1.2.3.tgz' } });
    expect(orkDependency(old, '1.2.3')).toEqual({ spec: '^1.2.3' });
    const global = installed('global', path.join('lib', 'node_modules', 'ork'), {});
    const dependency = orkDependency(global, '1.2.3');
    expect(dependency.spec).toBe('^1.2.3');
    expect(dependency.note).toMatch(/cannot tell where ork 1\.2\.3 was installed from/);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/workflows.js';

/**
 * What package.json promises users, checked without building: the `files` allow-list holds what `bin` and
 * `exports` name, and `npm pack` takes nothing of the tests, benchmarks, scripts or TypeScript sources. (The
 * built tarball itself, installed and run, is test/package/install.test.ts.)
 */

interface Manifest {
  readonly version: string;
  readonly bin: Record<string, string>;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly files: readonly string[];
  readonly scripts: Record<string, string>;
  readonly license: string;
  readonly keywords?: readonly string[];
  readonly engines?: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const relative = (target: string): string => target.replace(/^\.\//, '');
const allowed = (file: string): boolean =>
  manifest.files.some((pattern) => !pattern.startsWith('!') && (pattern.endsWith('/') ? file.startsWith(pattern) : file === pattern));

describe('package.json', () => {
  it('builds dist/ before it packs, and names what a registry user looks for', () => {
    expect(manifest.scripts.prepack).toBe(manifest.scripts.build);
    expect(manifest.license).toBe('Apache-2.0');
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8')).toContain(`## ${manifest.version}`);
    expect(manifest.keywords?.length).toBeGreaterThan(0);
    expect(manifest.engines?.node).toMatch(/^>=\d+/);
  });

  it('bin and every export resolve to compiled files of the allow-list; the sources only under the ork-source condition', () => {
    for (const target of Object.values(manifest.bin)) expect(allowed(target), target).toBe(true);
    for (const [name, entry] of Object.entries(manifest.exports)) {
      if (typeof entry === 'string') {
        expect(entry, name).toBe('./package.json');
        continue;
      }
      expect(Object.keys(entry), name).toEqual(['ork-source', 'types', 'default']);
      expect(existsSync(path.join(ROOT, entry['ork-source']!)), name).toBe(true);
      expect(entry.types, name).toMatch(/^\.\/dist\/.*\.d\.ts$/);
      expect(entry.default, name).toMatch(/^\.\/dist\/.*\.js$/);
      // Where tsc -p tsconfig.build.json writes the compiled source.
      expect(relative(entry.default!), name).toBe(`dist/${relative(entry['ork-source']!).replace(/\.ts$/, '.js')}`);
      expect(allowed(relative(entry.default!)) && allowed(relative(entry.types!)), name).toBe(true);
    }
  });

  it('npm pack takes the SDKs, docs and license, and nothing of the tests, benchmarks, scripts or sources', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [report] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { files: { path: string }[] }[];
    const files = report!.files.map((f) => f.path);
    for (const file of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'package.json',
      'bin/ork.js',
      'bin/cdk-app.js',
      'lambdas/python/pyproject.toml',
      'lambdas/python/ork/__init__.py',
      'lambdas/python/ork/py.typed',
      'lambdas/python/ork/contract.json',
      'docs/python-sdk.md',
    ])
      expect(files, file).toContain(file);
    expect(files.filter((f) => /^(test|bench|scripts|examples|scratch|lib|compiler|node_modules)\//.test(f) || f.startsWith('lambdas/python/tests/'))).toEqual(
      [],
    );
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.includes('__pycache__') || f.endsWith('.tsbuildinfo'))).toEqual([]);
  });
});

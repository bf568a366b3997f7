import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function importsOf(args: string[]): string[] {
  const trace = path.join(mkdtempSync(path.join(os.tmpdir(), 'ork-trace-')), 'imports.txt');
  const result = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), path.join(ROOT, 'bin/ork.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ORK_TRACE_IMPORTS: trace },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

// DESIGN.md: keep compiler/ importable without aws-cdk-lib or the AWS SDK, so `ork validate` starts fast.
describe('commands that compile load neither aws-cdk-lib nor the AWS SDK', () => {
  for (const args of [['validate', 'examples/foreach-aggregate'], ['compile', 'examples/combined'], ['graph', 'examples/combined'], ['schema'], ['--help']]) {
    it(`ork ${args.join(' ')}`, () => {
      const loaded = importsOf(args);
      expect(loaded).toContain('yaml');
      expect(
        loaded.filter((s) => s.startsWith('aws-cdk-lib') || s.startsWith('@aws-sdk') || s.startsWith('constructs') || s === 'aws-local-stepfunctions'),
      ).toEqual([]);
    });
  }
});

it('the import trace does see the AWS SDK when a process loads it (control)', () => {
  const trace = path.join(mkdtempSync(path.join(os.tmpdir(), 'ork-trace-')), 'imports.txt');
  const result = spawnSync(
    process.execPath,
    ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), '--input-type=module', '-e', "await import('@aws-sdk/client-sfn')"],
    {
      cwd: ROOT,
      env: { ...process.env, ORK_TRACE_IMPORTS: trace },
      encoding: 'utf8',
    },
  );
  expect(result.status, result.stderr).toBe(0);
  expect(readFileSync(trace, 'utf8').split('\n')).toContain('@aws-sdk/client-sfn');
});

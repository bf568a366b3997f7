import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'ork-aliases-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A 215 KB workflow.yaml whose one 200 KB string is aliased 5,000 times (1 GB once expanded) took 2 GB in
 * `ork validate` and crashed `ork compile`. Both now answer ORK104 and exit 2, in a process whose heap is
 * capped at 256 MB (an expansion would not fit in it).
 */
it('ork validate and ork compile refuse 200 KB × 5,000 aliases with ORK104, exit 2, within a 256 MB heap', () => {
  const dir = path.join(work, 'aliases');
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  const source = [
    'params:',
    `  blob: &b ${'x'.repeat(200_000)}`,
    `  copies: [${Array.from({ length: 5000 }, () => '*b').join(',')}]`,
    'tasks:',
    '  a:',
    '    file: tasks/a.py',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'workflow.yaml'), source);
  writeFileSync(path.join(dir, 'tasks', 'a.py'), 'from ork import task\n\n\n@task\ndef main() -> dict:\n    return {}\n');
  for (const command of ['validate', 'compile']) {
    const result = spawnSync(process.execPath, ['--max-old-space-size=256', path.join(ROOT, 'bin/ork.js'), command, '.'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(result.status, `${command}: ${result.stderr}`).toBe(2);
    expect(result.stderr).toMatch(/^workflow\.yaml:3:27: error ORK104: aliases expand to more than 1,048,576 characters of text/m);
    expect(result.stderr).not.toMatch(/internal error|heap/i);
    expect(result.stdout).toBe('');
  }
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Codes } from '../../compiler/index.js';

it('docs/diagnostics.md lists every diagnostic code with its severity and meaning', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/diagnostics.md'), 'utf8');
  for (const code of Object.values(Codes)) expect(doc).toContain(`| ${code.code} | ${code.severity} | ${code.title} |`);
  const listed = [...doc.matchAll(/^\| (ORK\d+) \|/gm)].map((m) => m[1]);
  expect(listed.sort()).toEqual(
    Object.values(Codes)
      .map((c) => c.code)
      .sort(),
  );
});

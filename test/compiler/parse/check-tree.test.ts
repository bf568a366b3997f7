import { describe, expect, it } from 'vitest';
import { MAX_ALIAS_EXPANSION_CHARACTERS } from '../../../compiler/index.js';
import { BILLION_LAUGHS, describeBadWorkflows, expectDiagnostics, run, yaml } from '../../support/bad-workflows.js';
import { cases } from './check-tree.cases.js';

describeBadWorkflows(cases);

describe('resource limits', () => {
  it('answers an alias bomb quickly, in bounded memory', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = run(BILLION_LAUGHS);
    const elapsed = performance.now() - started;
    expect(result.diagnostics.map((d) => d.code)).toEqual(['ORK104']);
    expect(elapsed).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('answers a quadratic-blowup alias chain quickly', () => {
    // One big anchor, aliased many times: each alias is cheap to read but every later walk repeats it.
    const big = `[${Array.from({ length: 2000 }, (_, i) => i).join(',')}]`;
    const source = yaml(
      `params:`,
      `  base: &base ${big}`,
      ...Array.from({ length: 50 }, (_, i) => `  copy${i}: *base`),
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
    );
    const started = performance.now();
    const result = run(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.diagnostics[0]).toMatchObject({ code: 'ORK104', span: { start: { line: 8 } } });
  });

  it('refuses a large string aliased many times before expanding it (200 KB × 5,000 in a 215 KB file)', () => {
    // Few nodes, so the node bound lets it through; expanded, it is 1 GB of text (2 GB to validate, and
    // compile crashed). Aliases may add at most MAX_ALIAS_EXPANSION_CHARACTERS: the 6th copy (col 27) is one too many.
    const source = yaml(
      'params:',
      `  blob: &b ${'x'.repeat(200_000)}`,
      `  copies: [${Array.from({ length: 5000 }, () => '*b').join(',')}]`,
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
    );
    expect(source.length).toBeGreaterThan(214_000);
    expect(source.length).toBeLessThan(216_000);
    const started = performance.now();
    const result = run(source);
    // Generous for a loaded machine: the expansion itself took minutes and 2 GB.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expectDiagnostics(result.diagnostics, [
      {
        code: 'ORK104',
        line: 3,
        col: 27,
        message: `aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARACTERS.toLocaleString('en-US')} characters of text`,
        hint: 'pass large data as workflow input',
      },
    ]);
    // Five copies (1,000,000 characters added) are within the bound.
    const five = yaml(
      'params:',
      `  blob: &b ${'x'.repeat(200_000)}`,
      `  copies: [${Array.from({ length: 5 }, () => '*b').join(',')}]`,
      'tasks:',
      '  a:',
      '    file: tasks/a.py',
    );
    expect(run(five).diagnostics.filter((d) => d.code === 'ORK104')).toEqual([]);
  });

  it('reports nesting from a stack-deep document once', () => {
    const result = run(`tasks: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.code).toBe('ORK103');
    expect(result.diagnostics[0]?.message).toMatch(/nest/);
  });
});

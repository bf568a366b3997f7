import { describe, expect, it } from 'vitest';
import { describeBadWorkflows, run } from '../../support/bad-workflows.js';
import { cases } from './parse-workflow.cases.js';

describeBadWorkflows(cases);

describe('resource limits', () => {
  it('reads a file that starts with many blank lines quickly', () => {
    // A backtracking pattern once took minutes on this.
    const source = `${'  \n'.repeat(40)}# comment\n${'\n'.repeat(40)}tasks:\n  a:\n    file: tasks/a.py\n`;
    const started = performance.now();
    const result = run(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.diagnostics).toEqual([]);
  });
});

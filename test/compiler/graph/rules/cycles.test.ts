import { describe, expect, it } from 'vitest';
import { describeBadWorkflows, run, yaml } from '../../../support/bad-workflows.js';
import { cases } from './cycles.cases.js';

describeBadWorkflows(cases);

describe('adversarial input never throws', () => {
  it('long cycles are named with their ends', () => {
    const result = run(
      yaml('tasks:', ...Array.from({ length: 500 }, (_, i) => [`  t${i}:`, '    file: tasks/a.py', `    depends_on: [t${(i + 1) % 500}]`]).flat()),
    );
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.message).toMatch(/^dependency cycle: t0 → t1 → .* → t499 → t0 \(each depends on the next\)$/);
    expect(result.diagnostics[0]?.message).toContain('more)');
    expect(result.diagnostics[0]?.message.length).toBeLessThan(300);
  });
});

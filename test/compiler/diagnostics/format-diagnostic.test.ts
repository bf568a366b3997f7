import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from '../../../compiler/index.js';
import { run, yaml } from '../../support/bad-workflows.js';

describe('several problems at once', () => {
  it('formats each as file:line:col: error CODE: message, with the hint below', () => {
    const result = run(yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discver]'));
    const [first] = result.diagnostics;
    expect(first).toBeDefined();
    expect(formatDiagnostic(first as Diagnostic)).toBe(
      "workflow.yaml:6:18: error ORK301: task 'process': unknown task 'discver' in depends_on\n  hint: did you mean 'discover'?",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { describeBadWorkflows, run, yaml } from '../../../support/bad-workflows.js';
import { cases } from './condition-references.cases.js';

describeBadWorkflows(cases);

describe('what a condition may read', () => {
  it('params, direct and transitive upstreams, an if: always upstream, and a list only an inline fan-out reads', () => {
    const result = run(
      yaml(
        'tasks:',
        '  discover:',
        '    file: tasks/discover.py',
        '  a:',
        '    file: tasks/a.py',
        '    depends_on: [discover]',
        '  process:',
        '    file: tasks/process.py',
        '    foreach: discover.files',
        '    mode: inline',
        '  b:',
        '    file: tasks/b.py',
        '    depends_on: [a, {task: process, if: always}]',
        "    when: discover.count > 0 and a.ok == true and discover.files != null and params.mode != 'dry-run'",
      ),
    );
    expect(result.diagnostics).toEqual([]);
  });
});

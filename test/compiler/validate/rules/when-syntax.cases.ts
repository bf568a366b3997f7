import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const head = ['tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discover]'];

/** Bad workflows that compiler/validate/rules/when-syntax.ts reports: `when:` conditions that do not parse, each at the offending token. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: '= for ==',
    source: yaml(...head, '    when: discover.count = 0'),
    expect: [{ code: 'ORK230', line: 7, col: 26, message: "task 'process': when: '=' is not a comparison", hint: 'did you mean `==`?' }],
  },
  {
    name: 'a bare reference',
    source: yaml(...head, '    when: discover.ready'),
    expect: [{ code: 'ORK232', line: 7, col: 11, message: "'discover.ready' alone is not a condition", hint: 'write `discover.ready == true`' }],
  },
  {
    name: 'a misspelt keyword, double-quoted',
    source: yaml(...head, '    when: "discover.count > 0 adn params.mode == 1"'),
    expect: [{ code: 'ORK231', line: 7, col: 31, message: "unknown word 'adn'", hint: "did you mean 'and'?" }],
  },
  {
    name: 'an unterminated string on the second line of a folded block',
    source: yaml(...head, '    when: >-', '      discover.count > 0', "      and params.mode == 'full"),
    expect: [{ code: 'ORK230', line: 9, col: 26, message: 'unterminated string', hint: "end it with '" }],
  },
  {
    name: 'ordering against null, in two tasks: each is reported',
    source: yaml(...head, '    when: discover.count > null', '  c:', '    file: tasks/c.py', '    when: params.n < true'),
    expect: [
      { code: 'ORK233', line: 7, col: 28, message: "'>' orders numbers or strings, not null", hint: '`== null`' },
      { code: 'ORK233', line: 10, col: 22, message: "'<' orders numbers or strings, not true" },
    ],
  },
];

import { type BadWorkflowCase, yaml } from '../../support/bad-workflows.js';

/**
 * Bad workflows that compiler/parse/syntax-errors.ts reports: YAML syntax errors, each pointed at the
 * character that causes it, and several documents in one file.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'unclosed flow sequence points at the [',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [b, c', '  b:', '    file: tasks/b.py'),
    expect: [{ code: 'ORK103', line: 4, col: 17, message: 'the [ here is not closed', hint: 'add the closing ]' }],
  },
  {
    name: 'unclosed quote points at the quote',
    source: yaml('tasks:', '  a:', '    file: "tasks/a.py', '  b:', '    file: tasks/b.py'),
    expect: [{ code: 'ORK103', line: 3, col: 11, message: 'the " here is not closed', hint: 'add the closing "' }],
  },
  {
    name: 'tab indentation',
    source: yaml('tasks:', '\ta:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK103', line: 2, col: 1, message: 'Tabs are not allowed as indentation', hint: 'indent with spaces' }],
  },
  {
    name: 'uneven indentation',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '   depends_on: [b]'),
    expect: [{ code: 'ORK103', line: 4, message: 'All mapping items must start at the same column', hint: 'same column' }],
  },
  {
    name: 'a key without a value',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b'),
    expect: [{ code: 'ORK103', line: 4, col: 3, message: 'Implicit map keys need to be followed by map values' }],
  },
  {
    name: 'alias to no anchor',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    env: *shared'),
    expect: [{ code: 'ORK103', line: 4, col: 10, message: "alias '*shared' names no anchor before it", hint: "define '&shared'" }],
  },
  {
    name: 'two YAML documents',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '---', 'tasks:', '  b:', '    file: tasks/b.py'),
    expect: [{ code: 'ORK107', line: 4, col: 1, message: 'a workflow file holds one YAML document', hint: 'remove the `---` line' }],
  },
];

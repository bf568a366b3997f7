import { type BadWorkflowCase, yaml, encode } from '../../support/bad-workflows.js';

/**
 * Bad workflows that compiler/parse/parse-workflow.ts reports: reading the file: bytes that are not UTF-8,
 * an empty file, a document that is not a mapping, duplicate keys and tasks.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'duplicate task names',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '  a:', '    file: tasks/c.py'),
    expect: [{ code: 'ORK205', line: 6, col: 3, message: "task 'a' is defined twice (first on line 2)", hint: 'task names must be unique' }],
  },
  {
    name: 'duplicate key inside a task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    file: tasks/b.py'),
    expect: [{ code: 'ORK105', line: 4, col: 5, message: "key 'file' appears twice (first on line 3)" }],
  },
  {
    name: 'empty file',
    source: '',
    expect: [{ code: 'ORK102', line: 1, col: 1, message: 'workflow file is empty', hint: '`tasks:`' }],
  },
  {
    name: 'file of blank lines and comments',
    source: yaml('', '   ', '# nothing here', '  # still nothing', ''),
    expect: [{ code: 'ORK102', line: 1, col: 1, message: 'workflow file is empty' }],
  },
  {
    name: 'a lone document marker',
    source: yaml('---'),
    expect: [{ code: 'ORK102', line: 1, col: 1, message: 'workflow file is empty' }],
  },
  {
    name: 'a list at the top level',
    source: yaml('- a', '- b'),
    expect: [{ code: 'ORK106', line: 1, col: 1, message: 'a workflow is a mapping with a `tasks:` key, not a list', hint: 'start with `tasks:`' }],
  },
  {
    name: 'a scalar at the top level',
    source: yaml('hello'),
    expect: [{ code: 'ORK106', line: 1, col: 1, message: 'not a string' }],
  },
  {
    name: 'invalid UTF-8 byte',
    source: new Uint8Array([...encode('tasks:\n  a:\n    file: tasks/'), 0xff, ...encode('a.py\n')]),
    expect: [{ code: 'ORK101', line: 3, col: 17, message: 'invalid UTF-8 byte 0xff', hint: 'save the file as UTF-8' }],
  },
  {
    name: 'Latin-1 text',
    source: new Uint8Array([...encode('description: caf'), 0xe9, ...encode('\ntasks:\n  a:\n    file: tasks/a.py\n')]),
    expect: [{ code: 'ORK101', line: 1, col: 17, message: 'invalid UTF-8 byte 0xe9' }],
  },
  {
    name: 'UTF-8 sequence cut short at the end',
    source: new Uint8Array([...encode('tasks:\n'), 0xe2, 0x82]),
    expect: [{ code: 'ORK101', line: 2, col: 1, message: 'invalid UTF-8 byte 0xe2' }],
  },
  {
    name: 'UTF-16 surrogate encoded as UTF-8',
    source: new Uint8Array([...encode('name: x'), 0xed, 0xa0, 0x80, ...encode('\n')]),
    expect: [{ code: 'ORK101', line: 1, col: 8, message: 'invalid UTF-8 byte 0xed' }],
  },
];

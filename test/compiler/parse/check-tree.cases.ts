import { MAX_NESTING_DEPTH } from '../../../compiler/index.js';
import { type BadWorkflowCase, yaml, BILLION_LAUGHS } from '../../support/bad-workflows.js';

/** Bad workflows that compiler/parse/check-tree.ts reports: the bounds on what a YAML tree may cost: alias expansion and nesting depth. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'alias bomb',
    source: BILLION_LAUGHS,
    expect: [{ code: 'ORK104', line: 5, message: 'aliases expand to more than', hint: 'write the repeated parts out' }],
  },
  {
    name: 'alias inside the node it names',
    source: yaml('params: &p', '  self: *p', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK104', line: 2, col: 9, message: "alias '*p' is inside the node it names" }],
  },
  {
    name: 'absurdly deep nesting',
    source: yaml(`params: ${'['.repeat(MAX_NESTING_DEPTH + 50)}${']'.repeat(MAX_NESTING_DEPTH + 50)}`, 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK103', line: 1, message: `nests more than ${MAX_NESTING_DEPTH} levels deep` }],
  },
];

import { type BadWorkflowCase, yaml } from '../../../support/bad-workflows.js';

const discover = ['tasks:', '  discover:', '    file: tasks/discover.py'];

/** Bad workflows that compiler/graph/rules/condition-references.ts reports: a `when:` reading a task it cannot read. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'an unknown task, with did-you-mean',
    source: yaml(...discover, '  process:', '    file: tasks/process.py', '    depends_on: [discover]', "    when: params.mode == 'x' and discovr.count > 0"),
    expect: [
      { code: 'ORK310', line: 7, col: 34, message: "task 'process': when: 'discovr.count' reads unknown task 'discovr'", hint: "did you mean 'discover'?" },
    ],
  },
  {
    name: 'param for params',
    source: yaml(...discover, '  process:', '    file: tasks/process.py', "    when: param.mode == 'x'"),
    expect: [{ code: 'ORK310', line: 6, col: 11, message: "reads unknown task 'param'", hint: "did you mean 'params'?" }],
  },
  {
    name: 'the task itself',
    source: yaml(...discover, '  process:', '    file: tasks/process.py', '    depends_on: [discover]', '    when: process.count > 0'),
    expect: [{ code: 'ORK311', line: 7, col: 11, message: "'process.count' reads the task's own output", hint: 'upstream task or params' }],
  },
  {
    name: 'a task that is not upstream',
    source: yaml(...discover, '  process:', '    file: tasks/process.py', '    when: "discover.count > 0"'),
    expect: [
      { code: 'ORK312', line: 6, col: 12, message: "reads 'discover', which does not finish before 'process' starts", hint: "add 'discover' to depends_on" },
    ],
  },
  {
    name: 'a task that runs after it',
    source: yaml(...discover, '    when: process.count > 0', '  process:', '    file: tasks/process.py', '    depends_on: [discover]'),
    expect: [{ code: 'ORK312', line: 4, col: 11, message: "reads 'process'", hint: "'process' runs after 'discover'" }],
  },
  {
    name: 'a transitive upstream is fine; a task that fans out is not',
    source: yaml(
      ...discover,
      '  process:',
      '    file: tasks/process.py',
      '    foreach: discover.files',
      '  c:',
      '    file: tasks/c.py',
      '    depends_on: [process]',
      '    when: discover.count > 0 and process.count > 0',
    ),
    expect: [{ code: 'ORK313', line: 10, col: 34, message: "reads 'process', which fans out", hint: 'summarises its outputs' }],
  },
  {
    name: 'the list a fan-out that may run distributed reads',
    source: yaml(
      ...discover,
      '  process:',
      '    file: tasks/process.py',
      '    foreach: discover.files',
      '  c:',
      '    file: tasks/c.py',
      '    depends_on: [discover]',
      '    when: discover.files != null',
    ),
    expect: [{ code: 'ORK314', line: 10, col: 11, message: "reads the list 'process' fans out over", hint: 'e.g. a count' }],
  },
];

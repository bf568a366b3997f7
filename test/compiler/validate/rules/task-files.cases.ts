import { type BadWorkflowCase, yaml, DIRECTORY } from '../../../support/bad-workflows.js';

/**
 * Bad workflows that compiler/validate/rules/task-files.ts reports: task files and Dockerfiles: missing,
 * outside the workflow directory, or of the wrong kind.
 */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'missing task file',
    source: yaml('tasks:', '  a:', '    file: tasks/missing.py'),
    expect: [{ code: 'ORK211', line: 3, col: 11, message: "task 'a': file 'tasks/missing.py' not found", hint: 'create tasks/missing.py' }],
  },
  {
    name: 'task file above the workflow directory',
    source: yaml('tasks:', '  a:', '    file: ../shared/a.py'),
    expect: [{ code: 'ORK212', line: 3, col: 11, message: "file '../shared/a.py' is outside the workflow directory", hint: 'move the file inside it' }],
  },
  {
    name: 'task file that climbs out through a subfolder',
    source: yaml('tasks:', '  a:', '    file: tasks/../../a.py'),
    expect: [{ code: 'ORK212', line: 3, col: 11, message: 'is outside the workflow directory' }],
  },
  {
    name: 'absolute task file',
    source: yaml('tasks:', '  a:', '    file: /etc/passwd'),
    expect: [{ code: 'ORK212', line: 3, col: 11, message: "file '/etc/passwd' is outside the workflow directory" }],
  },
  {
    name: 'task file that is a link out of the workflow directory',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py'),
    host: {
      directory: DIRECTORY,
      fileExists: () => true,
      realpath: (p) => (p === `${DIRECTORY}/tasks/a.py` ? '/elsewhere/a.py' : p),
    },
    expect: [{ code: 'ORK212', line: 3, col: 11, message: 'is a link to a file outside the workflow directory', hint: 'copy the file' }],
  },
  {
    name: 'missing Dockerfile',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    dockerfile: docker/Dockerfile'),
    expect: [{ code: 'ORK211', line: 5, col: 17, message: "dockerfile 'docker/Dockerfile' not found" }],
  },
  {
    name: 'python file for a node task is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: node'),
    expect: [{ code: 'ORK221', line: 3, col: 11, message: "'tasks/a.py' does not look like a TypeScript or JavaScript file", hint: 'expected .ts' }],
  },
];

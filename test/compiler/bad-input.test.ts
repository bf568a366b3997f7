/**
 * Bad workflows: every problem is reported (not just the first), each at the right line with a stable code,
 * a message that names the problem and, where one helps, a hint. The compiler never throws, whatever the
 * input. Task files exist exactly as each case says (inMemoryHost), so file checks are under control.
 */
import { describe, expect, it } from 'vitest';
import { Codes, compile, formatDiagnostic, inMemoryHost, MAX_ALIAS_EXPANSION_CHARACTERS, MAX_NESTING_DEPTH, type CompilerHost, type Diagnostic } from '../../compiler/index.js';

/** Lines of a workflow.yaml: line N of the file is argument N, so expected line numbers can be read off. */
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

const DIRECTORY = '/work/flow';
const FILES = ['tasks/a.py', 'tasks/b.py', 'tasks/c.py', 'tasks/d.py', 'tasks/discover.py', 'tasks/process.py', 'tasks/app.ts', 'Dockerfile'];

interface Expected {
  readonly code: string;
  readonly line: number;
  readonly col?: number;
  /** A substring of the message. */
  readonly message: string;
  /** A substring of the hint; `null` asserts there is none. */
  readonly hint?: string | null;
}

interface Case {
  readonly name: string;
  readonly source: string | Uint8Array;
  /** Task files that exist; FILES unless given. */
  readonly files?: readonly string[];
  readonly host?: CompilerHost;
  /** Every diagnostic the compiler must report, errors and warnings alike: nothing more, nothing less. */
  readonly expect: readonly Expected[];
}

function run(source: string | Uint8Array, files: readonly string[] = FILES, host: CompilerHost = inMemoryHost(files, DIRECTORY)) {
  return compile({ file: 'workflow.yaml', source, host });
}

function describeAll(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => formatDiagnostic(d)).join('\n');
}

function matches(d: Diagnostic, e: Expected): boolean {
  return (
    d.code === e.code &&
    d.span.start.line === e.line &&
    (e.col === undefined || d.span.start.col === e.col) &&
    d.message.includes(e.message) &&
    (e.hint === undefined || (e.hint === null ? d.hint === undefined : (d.hint ?? '').includes(e.hint)))
  );
}

function expectDiagnostics(diagnostics: readonly Diagnostic[], expected: readonly Expected[]): void {
  for (const e of expected) {
    const found = diagnostics.some((d) => matches(d, e));
    expect(found, `expected ${e.code} at line ${e.line}${e.col ? `:${e.col}` : ''} with '${e.message}'${e.hint ? ` and hint '${e.hint}'` : ''}; got:\n${describeAll(diagnostics)}`).toBe(true);
  }
  expect(diagnostics.length, `expected exactly ${expected.length} diagnostics; got:\n${describeAll(diagnostics)}`).toBe(expected.length);
}

function severityOf(code: string): string | undefined {
  return Object.values(Codes).find((c) => c.code === code)?.severity;
}

const encode = (text: string): number[] => [...new TextEncoder().encode(text)];

/** "Billion laughs": ten levels of nine aliases each, 9^9 strings if expanded. */
const BILLION_LAUGHS = yaml(
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 9 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    const name = String.fromCharCode(98 + i);
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  'tasks:',
  '  a:',
  '    file: tasks/a.py',
);

const cases: Case[] = [
  // ----- unknown and misspelled keys -------------------------------------------------------------------
  {
    name: 'misspelled top-level key',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', 'defualts:', '  retries: 2'),
    expect: [{ code: 'ORK201', line: 4, col: 1, message: "unknown key 'defualts' at the top level", hint: "did you mean 'defaults'?" }],
  },
  {
    name: 'misspelled tasks: is an unknown key and a missing tasks',
    source: yaml('name: etl', 'taks:', '  a:', '    file: tasks/a.py'),
    expect: [
      { code: 'ORK201', line: 2, col: 1, message: "unknown key 'taks'", hint: "did you mean 'tasks'?" },
      { code: 'ORK203', line: 1, message: 'workflow has no `tasks:`', hint: 'add a `tasks:` mapping' },
    ],
  },
  {
    name: 'task setting written at the top level',
    source: yaml('executor: container', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK201', line: 1, col: 1, message: "unknown key 'executor'", hint: "'executor' is a task setting" }],
  },
  {
    name: 'misspelled task keys',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depend_on: [discover]', '    paralel: 3'),
    expect: [
      { code: 'ORK201', line: 6, col: 5, message: "unknown key 'depend_on' in task 'process'", hint: "did you mean 'depends_on'?" },
      { code: 'ORK201', line: 7, col: 5, message: "unknown key 'paralel' in task 'process'", hint: "did you mean 'parallel'?" },
    ],
  },
  {
    name: 'misspelled key in defaults',
    source: yaml('defaults:', '  retires: 3', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK201', line: 2, col: 3, message: "unknown key 'retires' in defaults", hint: "did you mean 'retries'?" }],
  },
  {
    name: 'misspelled key in schedule',
    source: yaml('schedule:', '  expresion: rate(5 minutes)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [
      { code: 'ORK201', line: 2, col: 3, message: "unknown key 'expresion' in schedule", hint: "did you mean 'expression'?" },
      { code: 'ORK202', line: 1, message: 'schedule needs `expression:`' },
    ],
  },
  {
    name: 'YAML merge key',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    <<: {retries: 2}'),
    expect: [{ code: 'ORK201', line: 4, col: 5, message: "unknown key '<<'", hint: 'merge keys are not supported' }],
  },

  // ----- task references ----------------------------------------------------------------------------
  {
    name: 'unknown task in depends_on list',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discver]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "task 'process': unknown task 'discver' in depends_on", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in depends_on string',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: Discover'),
    expect: [{ code: 'ORK301', line: 6, col: 17, message: "unknown task 'Discover'", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in foreach',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discovr.files'),
    expect: [{ code: 'ORK301', line: 6, col: 14, message: "unknown task 'discovr' in fan-out reference", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task in parallel',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    parallel: dicsover.count'),
    expect: [{ code: 'ORK301', line: 6, col: 15, message: "unknown task 'dicsover' in fan-out reference", hint: "did you mean 'discover'?" }],
  },
  {
    name: 'unknown task with no close match lists the tasks',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [zzz]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "unknown task 'zzz'", hint: 'tasks are: discover' }],
  },
  {
    name: 'a field in depends_on',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discover.files]'),
    expect: [{ code: 'ORK301', line: 6, col: 18, message: "unknown task 'discover.files'", hint: "write 'discover'" }],
  },
  {
    name: 'self-reference in depends_on',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK302', line: 4, col: 18, message: "task 'a' depends on itself", hint: "remove 'a' from its depends_on" }],
  },
  {
    name: 'self-reference through foreach',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    foreach: a.items'),
    expect: [{ code: 'ORK302', line: 4, col: 14, message: "task 'a' depends on itself (fan-out source 'a')", hint: 'upstream task' }],
  },
  {
    name: 'two-task cycle',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [b]', '  b:', '    file: tasks/b.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK303', line: 4, col: 18, message: 'dependency cycle: a → b → a', hint: "'b' from the dependencies of 'a'" }],
  },
  {
    name: 'three-task cycle named in order',
    source: yaml(
      'tasks:',
      '  start:',
      '    file: tasks/a.py',
      '  b:',
      '    file: tasks/b.py',
      '    depends_on: [start, c]',
      '  c:',
      '    file: tasks/c.py',
      '    depends_on: [d]',
      '  d:',
      '    file: tasks/d.py',
      '    depends_on: b',
    ),
    expect: [{ code: 'ORK303', line: 6, col: 25, message: 'dependency cycle: b → c → d → b (each depends on the next)' }],
  },
  {
    name: 'cycle through a fan-out reference',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    foreach: b.items', '  b:', '    file: tasks/b.py', '    depends_on: [a]'),
    expect: [{ code: 'ORK303', line: 4, col: 14, message: 'dependency cycle: a → b → a' }],
  },

  // ----- counts -----------------------------------------------------------------------------------------
  {
    name: 'parallel zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 0'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: "task 'a': parallel must be a positive integer", hint: 'remove `parallel:`' }],
  },
  {
    name: 'parallel negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: -2'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: 'parallel must be a positive integer', hint: null }],
  },
  {
    name: 'parallel fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 2.5'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: '(got 2.5)', hint: 'use a whole number, such as 3' }],
  },
  {
    name: 'parallel quoted number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: "3"'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: "(got '3')", hint: 'write the number without quotes: parallel: 3' }],
  },
  {
    name: 'parallel infinity',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: .inf'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: '(got .inf)', hint: null }],
  },
  {
    name: 'parallel a list',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: [2]'),
    expect: [{ code: 'ORK206', line: 4, col: 15, message: 'parallel must be a positive integer or a reference' }],
  },
  {
    name: 'static parallel above the maximum',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 1000001'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'parallel: 1000001 is above 1,000,000, the most a fan-out supports' }],
  },
  {
    name: 'static parallel above ArrayRange in inline mode',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    mode: inline'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'parallel: 5000 is above 1,000, the most an inline fan-out supports', hint: 'remove mode: inline' }],
  },
  {
    name: 'static parallel above 1,000 with batch_size',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    batch_size: 10'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'the most a batched fan-out supports' }],
  },
  {
    name: 'static parallel above 1,000 with tolerate_failures',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5000', '    tolerate_failures: 5%'),
    expect: [{ code: 'ORK217', line: 4, col: 15, message: 'with tolerate_failures supports' }],
  },
  {
    name: 'unknown mode',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    mode: distrib'),
    expect: [{ code: 'ORK200', line: 5, col: 11, message: 'mode' }],
  },
  {
    name: 'batch_size with mode inline',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    mode: inline', '    batch_size: 2'),
    expect: [{ code: 'ORK224', line: 6, col: 17, message: 'batch_size needs a Distributed Map, and mode is inline' }],
  },
  {
    name: 'batch_size with foreach and parallel',
    source: yaml('tasks:', '  s:', '    file: tasks/a.py', '  a:', '    file: tasks/a.py', '    foreach: s.items', '    parallel: 2', '    batch_size: 2'),
    expect: [{ code: 'ORK224', line: 8, col: 17, message: 'batch_size works with foreach: or parallel:, not both' }],
  },
  {
    name: 'batch_size zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    batch_size: 0'),
    expect: [{ code: 'ORK200', line: 5, col: 17, message: 'batch_size' }],
  },
  {
    name: 'concurrency above what a Distributed Map runs',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 50000', '    concurrency: 20000'),
    expect: [{ code: 'ORK224', line: 5, col: 18, message: 'above the 10,000 child executions' }],
  },
  {
    name: 'inline concurrency above 40 warns',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 100', '    mode: inline', '    concurrency: 100'),
    expect: [{ code: 'ORK225', line: 6, col: 18, message: 'runs about 40 instances at once' }],
  },
  {
    name: 'tolerate_failures above 100%',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    tolerate_failures: 150%'),
    expect: [{ code: 'ORK200', line: 5, col: 24, message: 'tolerate_failures' }],
  },
  {
    name: 'tolerate_failures negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 5', '    tolerate_failures: -1'),
    expect: [{ code: 'ORK200', line: 5, col: 24, message: 'tolerate_failures' }],
  },
  {
    name: 'fan-out options without a fan-out',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    batch_size: 3', '    mode: inline'),
    expect: [
      { code: 'ORK223', line: 4, col: 5, message: 'batch_size has no effect without parallel: or foreach:' },
      { code: 'ORK223', line: 5, col: 5, message: 'mode has no effect' },
    ],
  },
  {
    name: 'one list read inline and distributed',
    source: yaml('tasks:', '  s:', '    file: tasks/a.py', '  a:', '    file: tasks/a.py', '    foreach: s.items', '    mode: inline', '  b:', '    file: tasks/a.py', '    foreach: s.items', '    batch_size: 5'),
    expect: [{ code: 'ORK226', line: 6, col: 14, message: "task 'a': foreach: s.items runs inline, but 'b' may run distributed", hint: "remove mode: inline from 'a'" }],
  },
  {
    name: 'concurrency zero',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: 0'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: "task 'a': concurrency must be a positive integer (got 0)", hint: 'remove `concurrency:` for no limit' }],
  },
  {
    name: 'concurrency negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: -1'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: 'concurrency must be a positive integer (got -1)' }],
  },
  {
    name: 'concurrency fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: 1.5'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: '(got 1.5)', hint: 'use a whole number, such as 2' }],
  },
  {
    name: 'concurrency not a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 4', '    concurrency: lots'),
    expect: [{ code: 'ORK206', line: 5, col: 18, message: "(got 'lots')" }],
  },
  {
    name: 'concurrency without a fan-out is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    concurrency: 2'),
    expect: [{ code: 'ORK218', line: 4, col: 5, message: 'concurrency has no effect without parallel: or foreach:' }],
  },
  {
    name: 'retries negative',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: -1'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: "task 'a': retries must be a whole number, 0 or more (got -1)", hint: 'use 0 for no retries' }],
  },
  {
    name: 'retries fractional',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: 1.5'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: '(got 1.5)', hint: 'use a whole number, such as 2' }],
  },
  {
    name: 'retries not a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retries: three'),
    expect: [{ code: 'ORK206', line: 4, col: 14, message: "retries must be a whole number, 0 or more (got 'three')" }],
  },
  {
    name: 'retries negative in defaults',
    source: yaml('defaults:', '  retries: -3', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK206', line: 2, col: 12, message: 'defaults: retries must be a whole number, 0 or more (got -3)' }],
  },

  // ----- fan-out references --------------------------------------------------------------------------
  {
    name: 'foreach without a field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discover'),
    expect: [{ code: 'ORK207', line: 6, col: 14, message: "foreach must reference a field of a task's output, as 'task.field' (got 'discover')", hint: "'discover.items'" }],
  },
  {
    name: 'parallel reference without a field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    parallel: discover'),
    expect: [{ code: 'ORK207', line: 6, col: 15, message: "parallel must reference a field of a task's output", hint: "'discover.count'" }],
  },
  {
    name: 'foreach with an empty field',
    source: yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    foreach: discover.'),
    expect: [{ code: 'ORK207', line: 6, col: 14, message: "(got 'discover.')" }],
  },
  {
    name: 'foreach of a fanned-out task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 3', '  b:', '    file: tasks/b.py', '    foreach: a.items'),
    expect: [{ code: 'ORK304', line: 7, col: 14, message: "foreach: a.items reads a field of 'a', which fans out into many outputs", hint: 'combines its outputs into one list' }],
  },
  {
    name: 'parallel count from a fanned-out task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    parallel: 3', '  b:', '    file: tasks/b.py', '    parallel: a.count'),
    expect: [{ code: 'ORK304', line: 7, col: 15, message: "parallel: a.count reads a field of 'a'", hint: 'into one count' }],
  },

  // ----- executor, files ---------------------------------------------------------------------------------
  {
    name: 'unknown executor with an alias hint',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: lambda'),
    expect: [{ code: 'ORK208', line: 4, col: 15, message: "executor must be one of python, node, container (got 'lambda')", hint: "use 'executor: python'" }],
  },
  {
    name: 'misspelled executor',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: contianer'),
    expect: [{ code: 'ORK208', line: 4, col: 15, message: "(got 'contianer')", hint: "did you mean 'container'?" }],
  },
  {
    name: 'unknown executor in defaults',
    source: yaml('defaults:', '  executor: docker', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK208', line: 2, col: 13, message: "defaults: executor must be one of python, node, container (got 'docker')", hint: "use 'executor: container'" }],
  },
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
    name: 'task without file',
    source: yaml('tasks:', '  a:', '    executor: python'),
    expect: [{ code: 'ORK202', line: 2, col: 3, message: "task 'a' needs `file:`", hint: 'file: tasks/a.py' }],
  },
  {
    name: 'empty file path',
    source: yaml('tasks:', '  a:', '    file: ""'),
    expect: [{ code: 'ORK200', line: 3, col: 11, message: "task 'a': file must be a path relative to the workflow directory" }],
  },
  {
    name: 'task that is not a mapping',
    source: yaml('tasks:', '  a: tasks/a.py'),
    expect: [{ code: 'ORK200', line: 2, col: 6, message: "task 'a' must be a mapping of settings, got 'tasks/a.py'", hint: 'file: tasks/process.py' }],
  },
  {
    name: 'python file for a node task is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: node'),
    expect: [{ code: 'ORK221', line: 3, col: 11, message: "'tasks/a.py' does not look like a TypeScript or JavaScript file", hint: 'expected .ts' }],
  },

  // ----- task names --------------------------------------------------------------------------------------
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
    name: 'task name with a dash',
    source: yaml('tasks:', '  my-task:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name 'my-task'", hint: "try 'my_task'" }],
  },
  {
    name: 'task name starting with a digit',
    source: yaml('tasks:', '  1st:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name '1st'", hint: "try '_1st'" }],
  },
  {
    name: 'numeric task name',
    source: yaml('tasks:', '  42:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "invalid task name '42'" }],
  },
  {
    name: '__proto__ as a task name',
    source: yaml('tasks:', '  __proto__:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name '__proto__' is reserved", hint: "e.g. 'proto_task'" }],
  },
  {
    name: 'constructor as a task name',
    source: yaml('tasks:', '  constructor:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name 'constructor' is reserved" }],
  },
  {
    name: 'item and params are reserved',
    source: yaml('tasks:', '  item:', '    file: tasks/a.py', '  params:', '    file: tasks/b.py'),
    expect: [
      { code: 'ORK204', line: 2, col: 3, message: "task name 'item' is reserved" },
      { code: 'ORK204', line: 4, col: 3, message: "task name 'params' is reserved" },
    ],
  },
  {
    name: 'Python keyword as a task name',
    source: yaml('tasks:', '  import:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK204', line: 2, col: 3, message: "task name 'import' is a Python keyword", hint: "'import_task'" }],
  },
  {
    name: 'task names that deploy as one construct id (my_task, myTask)',
    source: yaml('tasks:', '  my_task:', '    file: tasks/a.py', '  myTask:', '    file: tasks/b.py'),
    expect: [{ code: 'ORK227', line: 4, col: 3, message: "tasks 'myTask' and 'my_task' (line 2) both deploy their function as construct 'TaskMyTask', so `cdk synth` would fail", hint: "'myTask' → TaskMyTask, TaskMyTaskLogs, TaskMyTaskRole" }],
  },
  {
    name: 'task names that differ only in case or in underscores',
    source: yaml('tasks:', '  report:', '    file: tasks/a.py', '  Report:', '    file: tasks/b.py', '  _report_:', '    file: tasks/c.py'),
    expect: [
      { code: 'ORK227', line: 4, col: 3, message: "tasks 'Report' and 'report' (line 2) both deploy their function as construct 'TaskReport'", hint: 'rename one of them' },
      { code: 'ORK227', line: 6, col: 3, message: "tasks '_report_' and 'report' (line 2) both deploy their function as construct 'TaskReport'", hint: 'rename one of them' },
    ],
  },
  {
    name: 'a task name too long for its function description (Lambda takes 256 characters)',
    source: yaml('tasks:', `  ${'t'.repeat(243)}:`, '    file: tasks/a.py', `  ${'u'.repeat(242)}:`, '    file: tasks/b.py', `  ${'v'.repeat(300)}:`, '    executor: container', '    file: tasks/c.py', '    image: example.com/c:1'),
    expect: [{ code: 'ORK229', line: 2, col: 3, message: "(243 characters) is too long to deploy: its Lambda function's description 'Ork task flow/<task>' would be 257 characters", hint: 'shorten it to at most 242 characters' }],
  },
  {
    name: "a task whose construct id is another task's log group or role",
    source: yaml('tasks:', '  load:', '    file: tasks/a.py', '  load_logs:', '    file: tasks/b.py', '  load_role:', '    executor: container', '    file: tasks/c.py', '    image: example.com/load:1'),
    expect: [
      { code: 'ORK227', line: 4, col: 3, message: "task 'load_logs' would deploy its function as construct 'TaskLoadLogs', the id of the log group of task 'load' (line 2)", hint: 'rename one of them' },
      { code: 'ORK227', line: 6, col: 3, message: "task 'load_role' would deploy its task definition as construct 'TaskLoadRole', the id of the role of task 'load' (line 2)", hint: 'rename one of them' },
    ],
  },

  // ----- empty or missing tasks ----------------------------------------------------------------------
  {
    name: 'tasks: {}',
    source: yaml('name: etl', 'tasks: {}'),
    expect: [{ code: 'ORK203', line: 2, col: 1, message: '`tasks:` is empty', hint: 'add at least one task' }],
  },
  {
    name: 'tasks: null',
    source: yaml('name: etl', 'tasks:'),
    expect: [{ code: 'ORK203', line: 2, col: 1, message: '`tasks:` is empty', hint: 'add at least one task' }],
  },
  {
    name: 'no tasks key',
    source: yaml('name: etl', 'description: nothing to do'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: 'workflow has no `tasks:`' }],
  },
  {
    name: 'tasks as a list',
    source: yaml('tasks: [a, b]'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: '`tasks:` must be a mapping of task names to tasks, got ["a","b"]', hint: 'not as a list item' }],
  },
  {
    name: 'tasks as a block list',
    source: yaml('tasks:', '  - a:', '      file: tasks/a.py'),
    expect: [{ code: 'ORK203', line: 1, col: 1, message: '`tasks:` must be a mapping of task names to tasks' }],
  },

  // ----- reading the file --------------------------------------------------------------------------------
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
    name: 'two YAML documents',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '---', 'tasks:', '  b:', '    file: tasks/b.py'),
    expect: [{ code: 'ORK107', line: 4, col: 1, message: 'a workflow file holds one YAML document', hint: 'remove the `---` line' }],
  },
  {
    name: 'a list at the top level',
    source: yaml('- a', '- b'),
    expect: [{ code: 'ORK106', line: 1, col: 1, message: "a workflow is a mapping with a `tasks:` key, not a list", hint: 'start with `tasks:`' }],
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

  // ----- timeouts and durations ---------------------------------------------------------------------
  {
    name: 'python timeout above 15 minutes',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    timeout: 20m'),
    expect: [{ code: 'ORK210', line: 4, col: 14, message: "task 'a': timeout 20m exceeds Lambda's 15-minute limit for executor 'python'", hint: "'executor: container'" }],
  },
  {
    name: 'node timeout above 15 minutes, in seconds',
    source: yaml('tasks:', '  a:', '    file: tasks/app.ts', '    executor: node', '    timeout: 901'),
    expect: [{ code: 'ORK210', line: 5, col: 14, message: "timeout 901s exceeds Lambda's 15-minute limit for executor 'node'" }],
  },
  {
    name: 'defaults timeout inherited by python tasks: one diagnostic naming them',
    source: yaml('defaults:', '  timeout: 1h', 'tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '  c:', '    file: tasks/c.py', '    executor: container'),
    expect: [{ code: 'ORK210', line: 2, col: 12, message: "defaults: timeout 1h exceeds Lambda's 15-minute limit, and tasks 'a', 'b' inherit it", hint: "'executor: container'" }],
  },
  {
    name: 'zero duration',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    timeout: 0s'),
    expect: [{ code: 'ORK209', line: 4, col: 14, message: "timeout must be a duration such as 30s, 15m, 2h, 1h30m or a whole number of seconds (got '0s')", hint: 'longer than zero' }],
  },
  {
    name: 'not a duration',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    retry_delay: 5 minutes'),
    expect: [{ code: 'ORK209', line: 4, col: 18, message: "retry_delay must be a duration such as 30s, 15m, 2h, 1h30m or a whole number of seconds (got '5 minutes')" }],
  },

  // ----- container-only options, resources, environment -----------------------------------------------
  {
    name: 'container-only options on a python task',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    image: etl:1', '    cpu: 2', '    heartbeat: 1m'),
    expect: [
      { code: 'ORK213', line: 4, col: 5, message: "task 'a': 'image' applies only to container tasks, but executor is 'python'", hint: "set 'executor: container' or remove 'image'" },
      { code: 'ORK213', line: 5, col: 5, message: "'cpu' applies only to container tasks" },
      { code: 'ORK213', line: 6, col: 5, message: "'heartbeat' applies only to container tasks" },
    ],
  },
  {
    name: 'image and dockerfile together',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    image: etl:1', '    dockerfile: Dockerfile'),
    expect: [{ code: 'ORK213', line: 6, col: 5, message: "give either 'image' or 'dockerfile', not both" }],
  },
  {
    name: 'Fargate cpu that does not exist',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    cpu: 3'),
    expect: [{ code: 'ORK214', line: 5, col: 10, message: "task 'a': cpu 3 is not a Fargate size", hint: 'use one of 0.25, 0.5, 1, 2, 4, 8, 16' }],
  },
  {
    name: 'Fargate memory that does not fit the cpu',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    executor: container', '    cpu: 1', '    memory: 1GB'),
    expect: [{ code: 'ORK214', line: 6, col: 13, message: 'Fargate has no 1 vCPU size with 1024 MB', hint: 'memory can be 2048 to 8192 in steps of 1024 MB' }],
  },
  {
    name: 'Lambda memory above the maximum',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    memory: 20GB'),
    expect: [{ code: 'ORK214', line: 4, col: 13, message: "memory 20480 MB is outside Lambda's 128–10240 MB", hint: "'executor: container'" }],
  },
  {
    name: 'zero memory',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    memory: 0MB'),
    expect: [{ code: 'ORK214', line: 4, col: 13, message: "memory must be a size in MB (1024) or with a unit (512MB, 2GB) (got '0MB')" }],
  },
  {
    name: 'reserved environment variables',
    source: yaml('defaults:', '  env:', '    ORK_MODE: fast', 'tasks:', '  a:', '    file: tasks/a.py', '    env:', '      AWS_REGION: eu-west-1', '      MY-VAR: 1'),
    expect: [
      { code: 'ORK219', line: 3, col: 5, message: "defaults: environment variable 'ORK_MODE' is reserved by the runtime" },
      { code: 'ORK219', line: 8, col: 7, message: "task 'a': environment variable 'AWS_REGION' is reserved" },
      { code: 'ORK200', line: 9, col: 7, message: "'MY-VAR' is not a valid environment variable name" },
    ],
  },
  {
    name: '__proto__ as an environment variable',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    env:', '      __proto__: x'),
    expect: [{ code: 'ORK200', line: 5, col: 7, message: "'__proto__' cannot be an environment variable name" }],
  },

  // ----- schedule ---------------------------------------------------------------------------------------
  {
    name: 'cron with five fields',
    source: yaml('schedule: cron(0 6 * * *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'cron expression has 5 fields, not 6', hint: 'cron(0 6 * * ? *)' }],
  },
  {
    name: 'cron with a bad field',
    source: yaml('schedule:', '  expression: cron(0 25x * * ? *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 2, col: 15, message: "cron hours field '25x' is not valid" }],
  },
  {
    name: 'cron without a ?',
    source: yaml('schedule: cron(0 6 * * MON *)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'exactly one of day-of-month and day-of-week to be ?' }],
  },
  {
    name: 'rate with the wrong plural',
    source: yaml('schedule: rate(1 hours)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'rate(1 hours) must use the singular unit', hint: 'rate(1 hour)' }],
  },
  {
    name: 'rate of zero',
    source: yaml('schedule: rate(0 minutes)', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: 'a rate must be at least 1' }],
  },
  {
    name: 'not a schedule expression',
    source: yaml('schedule: every day at 6', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: "'every day at 6' is not a schedule expression", hint: 'rate(1 hour)' }],
  },
  {
    name: 'bare cron fields',
    source: yaml('schedule: 0 6 * * *', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK215', line: 1, col: 11, message: "'0 6 * * *' is not a schedule expression", hint: 'cron(0 6 * * ? *)' }],
  },
  {
    name: 'unknown time zone',
    source: yaml('schedule:', '  expression: cron(0 6 * * ? *)', '  timezone: Europe/Pariss', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK216', line: 3, col: 13, message: "unknown time zone 'Europe/Pariss'", hint: 'Europe/Paris' }],
  },
  {
    name: 'flexible_window that is not whole minutes (90s)',
    source: yaml('schedule:', '  expression: rate(1 hour)', '  flexible_window: 90s', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 90s is not a whole number of minutes', hint: 'use 1m or 2m' }],
  },
  {
    name: 'flexible_window under a minute, as a number of seconds',
    source: yaml('schedule:', '  expression: rate(1 hour)', '  flexible_window: 30', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 30s is not a whole number of minutes', hint: 'use 1m' }],
  },
  {
    name: 'flexible_window above 1,440 minutes',
    source: yaml('schedule:', '  expression: cron(0 6 * * ? *)', '  flexible_window: 1d1m', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK228', line: 3, col: 20, message: 'flexible_window 1441m is above 1440 minutes (24h)', hint: 'use at most 24h (1440m)' }],
  },

  // ----- workflow settings --------------------------------------------------------------------------------
  {
    name: 'invalid workflow name',
    source: yaml('name: my etl!', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK220', line: 1, col: 7, message: "workflow name 'my etl!' must be 1–80 letters, digits, - or _", hint: "try 'my-etl-'" }],
  },
  {
    name: 'param key that Step Functions would read as a path',
    source: yaml('params:', '  input.$: x', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK222', line: 2, col: 3, message: "param key 'input.$' must not end in '.$'" }],
  },
  {
    name: "params key named States (the local engine's ASL validator reads it as a map of states)",
    source: yaml('params:', '  limits:', '    States: {max: 3}', 'tasks:', '  a:', '    file: tasks/a.py'),
    expect: [{ code: 'ORK222', line: 3, col: 5, message: "param key 'States' cannot be embedded in the state machine", hint: "rename it (e.g. 'states')" }],
  },
  {
    name: 'dependency listed twice is a warning',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '  b:', '    file: tasks/b.py', '    depends_on: [a, a]'),
    expect: [{ code: 'ORK305', line: 6, col: 21, message: "task 'b' lists 'a' in depends_on twice" }],
  },
  {
    name: 'depends_on a number',
    source: yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: 5'),
    expect: [{ code: 'ORK200', line: 4, col: 17, message: "task 'a': depends_on must be a task name or a list of task names (got 5)" }],
  },
];

describe('bad workflows', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  for (const c of cases) {
    it(c.name, () => {
      const result = run(c.source, c.files, c.host);
      expectDiagnostics(result.diagnostics, c.expect);
      // Exit code 2 of `ork validate` follows from this: any error makes the compile fail.
      expect(result.ok).toBe(!c.expect.some((e) => severityOf(e.code) === 'error'));
    });
  }
});

describe('several problems at once', () => {
  it('reports every problem in one pass, in source order', () => {
    const source = yaml(
      'name: etl', // 1
      'defualts:', // 2
      '  retries: 2', // 3
      'schedule: rate(1 hours)', // 4
      'tasks:', // 5
      '  discover:', // 6
      '    file: tasks/discover.py', // 7
      '    timeout: 30m', // 8
      '  process:', // 9
      '    file: tasks/missing.py', // 10
      '    foreach: discover', // 11
      '    concurrency: 0', // 12
      '    retries: -1', // 13
      '    executor: lamda', // 14
      '  report:', // 15
      '    file: ../report.py', // 16
      '    depends_on: [procss, report]', // 17
      '  my-task:', // 18
      '    file: tasks/a.py', // 19
      '    paralel: 2', // 20
      '  report:', // 21
      '    file: tasks/b.py', // 22
      '    depends_on: [procss, report]', // 23
    );
    const result = run(source);
    expect(result.ok).toBe(false);
    expectDiagnostics(result.diagnostics, [
      { code: 'ORK201', line: 2, col: 1, message: "unknown key 'defualts'", hint: "did you mean 'defaults'?" },
      { code: 'ORK215', line: 4, col: 11, message: 'rate(1 hours) must use the singular unit' },
      { code: 'ORK210', line: 8, col: 14, message: "task 'discover': timeout 30m exceeds Lambda's 15-minute limit", hint: "'executor: container'" },
      { code: 'ORK211', line: 10, col: 11, message: "file 'tasks/missing.py' not found" },
      { code: 'ORK207', line: 11, col: 14, message: 'foreach must reference a field', hint: "'discover.items'" },
      { code: 'ORK206', line: 12, col: 18, message: 'concurrency must be a positive integer (got 0)' },
      { code: 'ORK206', line: 13, col: 14, message: 'retries must be a whole number, 0 or more (got -1)' },
      { code: 'ORK208', line: 14, col: 15, message: "executor must be one of python, node, container (got 'lamda')" },
      { code: 'ORK204', line: 18, col: 3, message: "invalid task name 'my-task'", hint: "try 'my_task'" },
      { code: 'ORK201', line: 20, col: 5, message: "unknown key 'paralel'", hint: "did you mean 'parallel'?" },
      // The second `report:` is the one the data holds; it is reported as the duplicate and checked.
      { code: 'ORK205', line: 21, col: 3, message: "task 'report' is defined twice (first on line 15)" },
      { code: 'ORK301', line: 23, col: 18, message: "unknown task 'procss'", hint: "did you mean 'process'?" },
      { code: 'ORK302', line: 23, col: 26, message: "task 'report' depends on itself" },
    ]);
    const lines = result.diagnostics.map((d) => d.span.start.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('formats each as file:line:col: error CODE: message, with the hint below', () => {
    const result = run(yaml('tasks:', '  discover:', '    file: tasks/discover.py', '  process:', '    file: tasks/process.py', '    depends_on: [discver]'));
    const [first] = result.diagnostics;
    expect(first).toBeDefined();
    expect(formatDiagnostic(first as Diagnostic)).toBe("workflow.yaml:6:18: error ORK301: task 'process': unknown task 'discver' in depends_on\n  hint: did you mean 'discover'?");
  });
});

describe('resource limits', () => {
  it('answers an alias bomb quickly, in bounded memory', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = run(BILLION_LAUGHS);
    const elapsed = performance.now() - started;
    expect(result.diagnostics.map((d) => d.code)).toEqual(['ORK104']);
    expect(elapsed).toBeLessThan(1000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('answers a quadratic-blowup alias chain quickly', () => {
    // One big anchor, aliased many times: each alias is cheap to read but every later walk repeats it.
    const big = `[${Array.from({ length: 2000 }, (_, i) => i).join(',')}]`;
    const source = yaml(`params:`, `  base: &base ${big}`, ...Array.from({ length: 50 }, (_, i) => `  copy${i}: *base`), 'tasks:', '  a:', '    file: tasks/a.py');
    const started = performance.now();
    const result = run(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.diagnostics[0]).toMatchObject({ code: 'ORK104', span: { start: { line: 8 } } });
  });

  it('refuses a large string aliased many times before expanding it (200 KB × 5,000 in a 215 KB file)', () => {
    // Few nodes, so the node bound lets it through; expanded, it is 1 GB of text (2 GB to validate, and
    // compile crashed). Aliases may add at most MAX_ALIAS_EXPANSION_CHARACTERS: the 6th copy (col 27) is one too many.
    const source = yaml('params:', `  blob: &b ${'x'.repeat(200_000)}`, `  copies: [${Array.from({ length: 5000 }, () => '*b').join(',')}]`, 'tasks:', '  a:', '    file: tasks/a.py');
    expect(source.length).toBeGreaterThan(214_000);
    expect(source.length).toBeLessThan(216_000);
    const started = performance.now();
    const result = run(source);
    // Generous for a loaded machine: the expansion itself took minutes and 2 GB.
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    expectDiagnostics(result.diagnostics, [
      { code: 'ORK104', line: 3, col: 27, message: `aliases expand to more than ${MAX_ALIAS_EXPANSION_CHARACTERS.toLocaleString('en-US')} characters of text`, hint: 'pass large data as workflow input' },
    ]);
    // Five copies (1,000,000 characters added) are within the bound.
    const five = yaml('params:', `  blob: &b ${'x'.repeat(200_000)}`, `  copies: [${Array.from({ length: 5 }, () => '*b').join(',')}]`, 'tasks:', '  a:', '    file: tasks/a.py');
    expect(run(five).diagnostics.filter((d) => d.code === 'ORK104')).toEqual([]);
  });

  it('reads a file that starts with many blank lines quickly', () => {
    // A backtracking pattern once took minutes on this.
    const source = `${'  \n'.repeat(40)}# comment\n${'\n'.repeat(40)}tasks:\n  a:\n    file: tasks/a.py\n`;
    const started = performance.now();
    const result = run(source);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.diagnostics).toEqual([]);
  });

  it('reports nesting from a stack-deep document once', () => {
    const result = run(`tasks: ${'['.repeat(20000)}${']'.repeat(20000)}\n`);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.code).toBe('ORK103');
    expect(result.diagnostics[0]?.message).toMatch(/nest/);
  });
});

describe('adversarial input never throws', () => {
  const proto = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
  const adversarial: [string, string | Uint8Array][] = [
    ['tasks as a flow list', 'tasks: [a, b]\n'],
    ['depends_on a number', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: 5')],
    ['depends_on a mapping', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: {b: 1}')],
    ['depends_on with nulls and numbers', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [~, 5, {x: 1}, [a]]')],
    ['numbers as task names', yaml('tasks:', '  1:', '    file: tasks/a.py', '  2.5:', '    file: tasks/b.py', '    depends_on: [1]', '  0x10:', '    file: tasks/c.py')],
    ['null and boolean task names', yaml('tasks:', '  ~:', '    file: tasks/a.py', '  true:', '    file: tasks/b.py', '  "":', '    file: tasks/c.py')],
    ['collection keys', yaml('? [a, b]', ': 1', 'tasks:', '  ? {x: 1}', '  : file: tasks/a.py')],
    ['every field the wrong type', yaml('name: [1]', 'description: {a: 1}', 'params: 5', 'defaults: x', 'schedule: [1]', 'tasks:', '  a:', '    file: [1]', '    executor: 5', '    retries: {}', '    retry_delay: []', '    backoff: x', '    max_retry_delay: true', '    jitter: 5', '    timeout: []', '    heartbeat: {}', '    memory: []', '    cpu: {}', '    env: 5', '    image: 5', '    dockerfile: []', '    depends_on: {}', '    parallel: {}', '    foreach: []', '    concurrency: []', '    description: []')],
    ['every field null', yaml('name:', 'description:', 'params:', 'defaults:', 'schedule:', 'tasks:', '  a:', '    file:', '    executor:', '    retries:', '    env:', '    depends_on:', '    parallel:', '    foreach:', '    concurrency:')],
    ['schedule mapping full of junk', yaml('schedule:', '  expression: [1]', '  timezone: {}', '  enabled: maybe', '  flexible_window: -1', '  input: 5', '  extra: 1', 'tasks:', '  a:', '    file: tasks/a.py')],
    ['prototype keys at every level', yaml(
      ...proto.map((k) => `${k}: {${proto.map((j) => `${j}: 1`).join(', ')}}`),
      'params:', ...proto.map((k) => `  ${k}: {${k}: 1}`),
      'defaults:', ...proto.map((k) => `  ${k}: 1`), '  env:', ...proto.map((k) => `    ${k}: x`),
      'schedule:', '  expression: rate(1 hour)', ...proto.map((k) => `  ${k}: 1`), '  input:', ...proto.map((k) => `    ${k}: {}`),
      'tasks:', ...proto.flatMap((k) => [`  ${k}:`, '    file: tasks/a.py', `    depends_on: [${proto.join(', ')}]`, `    foreach: ${k}.${k}`, ...proto.map((j) => `    ${j}: 1`), '    env:', ...proto.map((j) => `      ${j}: x`)]),
    )],
    ['prototype names as references only', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [toString, __proto__, constructor]', '    foreach: __proto__.x', '    parallel: constructor.length')],
    ['huge string value', yaml('tasks:', '  a:', `    file: tasks/${'x'.repeat(2_000_000)}.py`, `    description: ${'y'.repeat(2_000_000)}`)],
    ['huge quoted key', yaml('tasks:', `  "${'k'.repeat(100_000)}":`, '    file: tasks/a.py')],
    ['huge flow list', yaml('tasks:', '  a:', '    file: tasks/a.py', `    depends_on: [${Array.from({ length: 20_000 }, (_, i) => `t${i}`).join(', ')}]`)],
    ['deeply nested junk in env', yaml('tasks:', '  a:', '    file: tasks/a.py', `    env: ${'{a: '.repeat(90)}1${'}'.repeat(90)}`)],
    ['deeply nested block mapping', `tasks:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 + 2 * i)}k${i}:`).join('\n')}\n`],
    ['recursive alias in depends_on', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: &d [*d]')],
    ['recursive alias at the root', '&t\ntasks: *t\n'],
    ['alias to a task list', yaml('x: &t', '  a:', '    file: tasks/a.py', 'tasks: *t')],
    ['tags', yaml('tasks: !!map', '  a: !!map', '    file: !!str tasks/a.py', '    parallel: !!int "3"', '    retries: !!float 1', '    env: !!set {a, b}', '    description: !!binary aGVsbG8=', '    depends_on: !custom x')],
    ['directives', '%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\ntasks:\n  a:\n    file: tasks/a.py\n'],
    ['CRLF and BOM', '\ufefftasks:\r\n  a:\r\n    file: tasks/a.py\r\n    depends_on: [b]\r\n'],
    ['lone CR line ends', 'tasks:\r  a:\r    file: tasks/a.py\r'],
    ['NUL and control characters', 'tasks:\n  a\u0000:\n    file: tasks/\u0001a.py\n'],
    ['unpaired surrogate', 'tasks:\n  a:\n    file: "tasks/\\ud800.py"\n'],
    ['only garbage punctuation', ']]]}}}:::---&&&***!!!|||>>>'],
    ['random bytes', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['empty bytes', new Uint8Array()],
    ['long cycle', yaml('tasks:', ...Array.from({ length: 500 }, (_, i) => [`  t${i}:`, '    file: tasks/a.py', `    depends_on: [t${(i + 1) % 500}]`]).flat())],
  ];

  for (const [name, source] of adversarial) {
    it(name, () => {
      let result: ReturnType<typeof run> | undefined;
      expect(() => {
        result = run(source);
      }).not.toThrow();
      // Whatever it says, it says it as diagnostics with real positions.
      for (const d of result?.diagnostics ?? []) {
        expect(d.code).toMatch(/^ORK\d{3}$/);
        expect(d.span.start.line).toBeGreaterThanOrEqual(1);
        expect(d.span.start.col).toBeGreaterThanOrEqual(1);
        expect(d.message.length).toBeGreaterThan(0);
      }
      if (result && !result.ok) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    });
  }

  it('does not pollute Object.prototype', () => {
    run(yaml('__proto__: {polluted: 1}', 'params:', '  __proto__: {polluted: 2}', 'tasks:', '  a:', '    file: tasks/a.py', '    env: {__proto__: {polluted: 3}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('long cycles are named with their ends', () => {
    const result = run(yaml('tasks:', ...Array.from({ length: 500 }, (_, i) => [`  t${i}:`, '    file: tasks/a.py', `    depends_on: [t${(i + 1) % 500}]`]).flat()));
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.message).toMatch(/^dependency cycle: t0 → t1 → .* → t499 → t0 \(each depends on the next\)$/);
    expect(result.diagnostics[0]?.message).toContain('more)');
    expect(result.diagnostics[0]?.message.length).toBeLessThan(300);
  });
});

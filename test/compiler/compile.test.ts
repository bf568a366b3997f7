/**
 * compile() over bad input as a whole: every problem reported in one pass, in source order, and never a
 * throw, whatever the input. The diagnostics of each stage and rule are tested beside them (parse/,
 * validate/, graph/: one `<module>.cases.ts` table each).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BadWorkflowCase, expectDiagnostics, run, yaml } from '../support/bad-workflows.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Every table of bad workflows under test/compiler, wherever its stage or rule lives. */
async function allCases(): Promise<BadWorkflowCase[]> {
  const files = readdirSync(HERE, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.cases.ts'))
    .sort();
  const tables = await Promise.all(
    files.map(async (f) => ((await import(pathToFileURL(path.join(HERE, f)).href)) as { cases: readonly BadWorkflowCase[] }).cases),
  );
  return tables.flat();
}

describe('bad workflows', () => {
  it('has at least 40 cases', async () => {
    const cases = await allCases();
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });
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
});

describe('adversarial input never throws', () => {
  const proto = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
  const adversarial: [string, string | Uint8Array][] = [
    ['tasks as a flow list', 'tasks: [a, b]\n'],
    ['depends_on a number', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: 5')],
    ['depends_on a mapping', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: {b: 1}')],
    ['depends_on with nulls and numbers', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: [~, 5, {x: 1}, [a]]')],
    [
      'numbers as task names',
      yaml('tasks:', '  1:', '    file: tasks/a.py', '  2.5:', '    file: tasks/b.py', '    depends_on: [1]', '  0x10:', '    file: tasks/c.py'),
    ],
    ['null and boolean task names', yaml('tasks:', '  ~:', '    file: tasks/a.py', '  true:', '    file: tasks/b.py', '  "":', '    file: tasks/c.py')],
    ['collection keys', yaml('? [a, b]', ': 1', 'tasks:', '  ? {x: 1}', '  : file: tasks/a.py')],
    [
      'every field the wrong type',
      yaml(
        'name: [1]',
        'description: {a: 1}',
        'params: 5',
        'defaults: x',
        'schedule: [1]',
        'tasks:',
        '  a:',
        '    file: [1]',
        '    executor: 5',
        '    retries: {}',
        '    retry_delay: []',
        '    backoff: x',
        '    max_retry_delay: true',
        '    jitter: 5',
        '    timeout: []',
        '    heartbeat: {}',
        '    memory: []',
        '    cpu: {}',
        '    env: 5',
        '    image: 5',
        '    dockerfile: []',
        '    depends_on: {}',
        '    parallel: {}',
        '    foreach: []',
        '    concurrency: []',
        '    description: []',
      ),
    ],
    [
      'every field null',
      yaml(
        'name:',
        'description:',
        'params:',
        'defaults:',
        'schedule:',
        'tasks:',
        '  a:',
        '    file:',
        '    executor:',
        '    retries:',
        '    env:',
        '    depends_on:',
        '    parallel:',
        '    foreach:',
        '    concurrency:',
      ),
    ],
    [
      'schedule mapping full of junk',
      yaml(
        'schedule:',
        '  expression: [1]',
        '  timezone: {}',
        '  enabled: maybe',
        '  flexible_window: -1',
        '  input: 5',
        '  extra: 1',
        'tasks:',
        '  a:',
        '    file: tasks/a.py',
      ),
    ],
    [
      'prototype keys at every level',
      yaml(
        ...proto.map((k) => `${k}: {${proto.map((j) => `${j}: 1`).join(', ')}}`),
        'params:',
        ...proto.map((k) => `  ${k}: {${k}: 1}`),
        'defaults:',
        ...proto.map((k) => `  ${k}: 1`),
        '  env:',
        ...proto.map((k) => `    ${k}: x`),
        'schedule:',
        '  expression: rate(1 hour)',
        ...proto.map((k) => `  ${k}: 1`),
        '  input:',
        ...proto.map((k) => `    ${k}: {}`),
        'tasks:',
        ...proto.flatMap((k) => [
          `  ${k}:`,
          '    file: tasks/a.py',
          `    depends_on: [${proto.join(', ')}]`,
          `    foreach: ${k}.${k}`,
          ...proto.map((j) => `    ${j}: 1`),
          '    env:',
          ...proto.map((j) => `      ${j}: x`),
        ]),
      ),
    ],
    [
      'prototype names as references only',
      yaml(
        'tasks:',
        '  a:',
        '    file: tasks/a.py',
        '    depends_on: [toString, __proto__, constructor]',
        '    foreach: __proto__.x',
        '    parallel: constructor.length',
      ),
    ],
    ['huge string value', yaml('tasks:', '  a:', `    file: tasks/${'x'.repeat(2_000_000)}.py`, `    description: ${'y'.repeat(2_000_000)}`)],
    ['huge quoted key', yaml('tasks:', `  "${'k'.repeat(100_000)}":`, '    file: tasks/a.py')],
    ['huge flow list', yaml('tasks:', '  a:', '    file: tasks/a.py', `    depends_on: [${Array.from({ length: 20_000 }, (_, i) => `t${i}`).join(', ')}]`)],
    ['deeply nested junk in env', yaml('tasks:', '  a:', '    file: tasks/a.py', `    env: ${'{a: '.repeat(90)}1${'}'.repeat(90)}`)],
    ['deeply nested block mapping', `tasks:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(2 + 2 * i)}k${i}:`).join('\n')}\n`],
    ['recursive alias in depends_on', yaml('tasks:', '  a:', '    file: tasks/a.py', '    depends_on: &d [*d]')],
    ['recursive alias at the root', '&t\ntasks: *t\n'],
    ['alias to a task list', yaml('x: &t', '  a:', '    file: tasks/a.py', 'tasks: *t')],
    [
      'tags',
      yaml(
        'tasks: !!map',
        '  a: !!map',
        '    file: !!str tasks/a.py',
        '    parallel: !!int "3"',
        '    retries: !!float 1',
        '    env: !!set {a, b}',
        '    description: !!binary aGVsbG8=',
        '    depends_on: !custom x',
      ),
    ],
    ['directives', '%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\ntasks:\n  a:\n    file: tasks/a.py\n'],
    ['CRLF and BOM', '\ufefftasks:\r\n  a:\r\n    file: tasks/a.py\r\n    depends_on: [b]\r\n'],
    ['lone CR line ends', 'tasks:\r  a:\r    file: tasks/a.py\r'],
    ['NUL and control characters', 'tasks:\n  a\u0000:\n    file: tasks/\u0001a.py\n'],
    ['unpaired surrogate', 'tasks:\n  a:\n    file: "tasks/\\ud800.py"\n'],
    ['only garbage punctuation', ']]]}}}:::---&&&***!!!|||>>>'],
    ['random bytes', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
    ['empty bytes', new Uint8Array()],
    [
      'long cycle',
      yaml('tasks:', ...Array.from({ length: 500 }, (_, i) => [`  t${i}:`, '    file: tasks/a.py', `    depends_on: [t${(i + 1) % 500}]`]).flat()),
    ],
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
    run(
      yaml(
        '__proto__: {polluted: 1}',
        'params:',
        '  __proto__: {polluted: 2}',
        'tasks:',
        '  a:',
        '    file: tasks/a.py',
        '    env: {__proto__: {polluted: 3}}',
      ),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

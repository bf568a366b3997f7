/** Stage 1, parseWorkflow: bytes → data with source positions; everything it refuses, it reports. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_ALIAS_EXPANSION, MAX_NESTING_DEPTH } from '../../compiler/index.js';
// The parse stage's entry point, by path: it is not the compiler's public API.
import { parseWorkflow, type ParseResult } from '../../compiler/parse/index.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const encode = (text: string): number[] => [...new TextEncoder().encode(text)];

function parsed(result: ParseResult) {
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(result.parsed).toBeDefined();
  return result.parsed as NonNullable<ParseResult['parsed']>;
}

function codes(result: ParseResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

describe('parseWorkflow: valid input', () => {
  it('returns the document as plain data', () => {
    const result = parseWorkflow('wf.yaml', yaml('name: etl', 'tasks:', '  a:', '    file: tasks/a.py', '    parallel: 3', '    depends_on: [b, c]'));
    const { value, file } = parsed(result);
    expect(file).toBe('wf.yaml');
    expect(value).toEqual({ name: 'etl', tasks: { a: { file: 'tasks/a.py', parallel: 3, depends_on: ['b', 'c'] } } });
    expect(result.diagnostics).toEqual([]);
  });

  it('reads bytes as UTF-8, including non-ASCII text', () => {
    const result = parseWorkflow('wf.yaml', new Uint8Array(encode('description: café ☕ 😀\ntasks: {}\n')));
    expect(parsed(result).value).toEqual({ description: 'café ☕ 😀', tasks: {} });
  });

  it('drops a byte order mark, from text or bytes', () => {
    expect(parsed(parseWorkflow('wf.yaml', '\ufeffname: x\n')).value).toEqual({ name: 'x' });
    expect(parsed(parseWorkflow('wf.yaml', new Uint8Array([0xef, 0xbb, 0xbf, ...encode('name: x\n')]))).value).toEqual({ name: 'x' });
  });

  it('keeps YAML 1.2 core types: no yes/no booleans, no sexagesimal numbers', () => {
    const { value } = parsed(parseWorkflow('wf.yaml', yaml('a: yes', 'b: 1:30', 'c: 0o17', 'd: 1e3', 'e: ~', 'f: true')));
    expect(value).toEqual({ a: 'yes', b: '1:30', c: 15, d: 1000, e: null, f: true });
  });

  it('expands a few small aliases', () => {
    const { value } = parsed(parseWorkflow('wf.yaml', yaml('params:', '  common: &c {region: eu-west-1}', '  again: *c', '  list: [*c, *c]')));
    expect(value).toEqual({
      params: { common: { region: 'eu-west-1' }, again: { region: 'eu-west-1' }, list: [{ region: 'eu-west-1' }, { region: 'eu-west-1' }] },
    });
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_NESTING_DEPTH - 2;
    const result = parseWorkflow('wf.yaml', `params: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    expect(result.diagnostics).toEqual([]);
  });

  it('keeps keys named like Object.prototype members as plain keys', () => {
    const { value } = parsed(parseWorkflow('wf.yaml', yaml('__proto__: {a: 1}', 'constructor: 2', 'tasks:', '  toString: {file: x.py}')));
    const record = value as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'tasks']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toEqual({ a: 1 });
  });

  describe('does not print library warnings', () => {
    afterEach(() => vi.restoreAllMocks());
    it('for a collection used as a key', () => {
      const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const result = parseWorkflow('wf.yaml', yaml('? [a, b]', ': 1', 'tasks: {}'));
      expect(result.parsed).toBeDefined();
      expect(emit).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    });
  });
});

describe('parseWorkflow: source map', () => {
  const text = yaml(
    'name: etl', // 1
    'tasks:', // 2
    '  discover:', // 3
    '    file: tasks/discover.py', // 4
    '  process:', // 5
    '    file: tasks/process.py', // 6
    '    depends_on: [discover, other]', // 7
    '    env:', // 8
    '      A: 1', // 9
    '  empty:', // 10
  );
  const { sourceMap } = parsed(parseWorkflow('wf.yaml', text));

  it('locates values', () => {
    expect(sourceMap.locate(['tasks', 'process', 'file'])).toEqual({ file: 'wf.yaml', start: { line: 6, col: 11 }, end: { line: 6, col: 27 } });
    expect(sourceMap.locate(['tasks', 'process', 'depends_on', 1]).start).toEqual({ line: 7, col: 28 });
    expect(sourceMap.locate(['tasks', 'process', 'env', 'A']).start).toEqual({ line: 9, col: 10 });
  });

  it('locates keys', () => {
    expect(sourceMap.locate(['tasks', 'process'], 'key')).toMatchObject({ start: { line: 5, col: 3 }, end: { line: 5, col: 10 } });
    expect(sourceMap.locate(['tasks', 'process', 'env'], 'key').start).toEqual({ line: 8, col: 5 });
  });

  it('resolves a missing path to the deepest part that exists: the mapping that lacks it', () => {
    expect(sourceMap.locate(['tasks', 'process', 'timeout']).start).toEqual({ line: 6, col: 5 });
    expect(sourceMap.locate(['tasks', 'nope', 'file']).start.line).toBe(3);
    expect(sourceMap.locate(['tasks', 'process', 'depends_on', 9]).start).toEqual({ line: 7, col: 17 });
  });

  it('points at the key of a key without a value', () => {
    expect(sourceMap.locate(['tasks', 'empty']).start).toEqual({ line: 10, col: 3 });
    expect(sourceMap.locate(['tasks', 'empty', 'file']).start).toEqual({ line: 10, col: 3 });
  });

  it('counts CRLF line ends as one line', () => {
    const crlf = parsed(parseWorkflow('wf.yaml', 'tasks:\r\n  a:\r\n    file: x.py\r\n'));
    expect(crlf.sourceMap.locate(['tasks', 'a', 'file']).start).toEqual({ line: 3, col: 11 });
  });

  it('counts a byte order mark as no column', () => {
    const bom = parsed(parseWorkflow('wf.yaml', '\ufeffname: x\n'));
    expect(bom.sourceMap.locate(['name']).start).toEqual({ line: 1, col: 7 });
  });

  it('finds the last of two equal keys, whose value the data holds', () => {
    const result = parseWorkflow('wf.yaml', yaml('tasks:', '  a:', '    file: one.py', '  a:', '    file: two.py'));
    expect(codes(result)).toEqual(['ORK205']);
    const twice = result.parsed as NonNullable<ParseResult['parsed']>;
    expect(twice.value).toEqual({ tasks: { a: { file: 'two.py' } } });
    expect(twice.sourceMap.locate(['tasks', 'a', 'file']).start.line).toBe(5);
  });

  it('finds a null key under the name the data gives it', () => {
    const nullKey = parsed(parseWorkflow('wf.yaml', yaml('tasks:', '  ~:', '    file: x.py')));
    expect(Object.keys((nullKey.value as { tasks: object }).tasks)).toEqual(['']);
    expect(nullKey.sourceMap.locate(['tasks', ''], 'key').start).toEqual({ line: 2, col: 3 });
  });
});

describe('parseWorkflow: refused input', () => {
  it.each([
    ['nothing', ''],
    ['spaces and newlines', ' \n\n  \n'],
    ['comments', yaml('# a workflow', '   # to come')],
    ['a document marker', yaml('---')],
    ['a document end marker', yaml('...')],
    ['an explicit null', yaml('~')],
  ])('an empty file: %s', (_name, source) => {
    const result = parseWorkflow('wf.yaml', source);
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([{ code: 'ORK102', span: { start: { line: 1, col: 1 } }, message: 'workflow file is empty' }]);
  });

  it.each([
    ['a stray byte', [...encode('a: 1\nb: x'), 0x80], 2, 5, '0x80'],
    ['an overlong encoding', [...encode('a: '), 0xc0, 0xaf], 1, 4, '0xc0'],
    ['a code point above U+10FFFF', [...encode('a: '), 0xf4, 0x90, 0x80, 0x80], 1, 4, '0xf4'],
    ['an encoded surrogate', [...encode('\n\na: '), 0xed, 0xb0, 0x80], 3, 4, '0xed'],
    ['a sequence cut short', [...encode('a: b\n'), 0xf0, 0x9f, 0x98], 2, 1, '0xf0'],
    ['a continuation byte missing mid-file', [...encode('a: '), 0xe2, 0x28, 0xa1, ...encode('\nb: 1\n')], 1, 4, '0xe2'],
  ])('invalid UTF-8: %s', (_name, bytes, line, col, byte) => {
    const result = parseWorkflow('wf.yaml', new Uint8Array(bytes));
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK101', span: { start: { line, col } }, message: `invalid UTF-8 byte ${byte}`, hint: 'save the file as UTF-8' },
    ]);
  });

  it('reports every syntax error, each where it is', () => {
    const result = parseWorkflow('wf.yaml', yaml('tasks:', '  a:', '    file: x', '  - b', 'other: {a: 1}}'));
    expect(result.parsed).toBeUndefined();
    expect(codes(result).every((c) => c === 'ORK103')).toBe(true);
    expect(result.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(new Set(result.diagnostics.map((d) => d.span.start.line))).toEqual(new Set([4, 5]));
  });

  it('points an unclosed flow mapping at its {', () => {
    const result = parseWorkflow('wf.yaml', yaml('tasks:', '  a: {file: x.py', '  b:', '    file: y.py'));
    expect(result.diagnostics).toMatchObject([{ code: 'ORK103', span: { start: { line: 2, col: 6 } }, hint: expect.stringContaining('add the closing }') }]);
  });

  it('points an unclosed single quote at the quote', () => {
    const result = parseWorkflow('wf.yaml', yaml('x: 1', 'tasks:', '  a:', "    file: 'x.py"));
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK103', span: { start: { line: 4, col: 11 } }, message: expect.stringContaining("the ' here is not closed") },
    ]);
  });

  it('refuses a second document', () => {
    const result = parseWorkflow('wf.yaml', yaml('a: 1', '---', 'b: 2'));
    expect(result.diagnostics).toMatchObject([{ code: 'ORK107', span: { start: { line: 2, col: 1 } } }]);
  });

  it.each([
    ['a list', yaml('- a'), 'not a list'],
    ['a string', yaml('tasks'), 'not a string'],
    ['a number', yaml('42'), 'not a number'],
    ['a boolean', yaml('true'), 'not a boolean'],
  ])('refuses %s at the top level', (_name, source, message) => {
    const result = parseWorkflow('wf.yaml', source);
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([{ code: 'ORK106', span: { start: { line: 1, col: 1 } }, message: expect.stringContaining(message) }]);
  });

  it('reports duplicate keys and still returns the data', () => {
    const result = parseWorkflow('wf.yaml', yaml('name: a', 'tasks:', '  x:', '    file: a.py', '  x:', '    file: b.py', 'name: b'));
    expect(result.parsed?.value).toEqual({ name: 'b', tasks: { x: { file: 'b.py' } } });
    expect([...result.diagnostics].sort((a, b) => a.span.start.line - b.span.start.line)).toMatchObject([
      { code: 'ORK205', span: { start: { line: 5, col: 3 } }, message: "task 'x' is defined twice (first on line 3)" },
      { code: 'ORK105', span: { start: { line: 7, col: 1 } }, message: "key 'name' appears twice (first on line 1)" },
    ]);
  });
});

describe('parseWorkflow: aliases and nesting', () => {
  it('refuses an alias that names no anchor', () => {
    const result = parseWorkflow('wf.yaml', yaml('a: 1', 'b: *nope'));
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([{ code: 'ORK103', span: { start: { line: 2, col: 4 } }, message: "alias '*nope' names no anchor before it" }]);
  });

  it('refuses an alias used before its anchor', () => {
    const result = parseWorkflow('wf.yaml', yaml('a: *later', 'b: &later 1'));
    expect(result.diagnostics).toMatchObject([{ code: 'ORK103', span: { start: { line: 1, col: 4 } } }]);
  });

  it.each([
    ['a mapping', yaml('a: &x', '  b: *x'), 2, 6],
    ['a sequence', yaml('a: &x [1, [2, *x]]'), 1, 15],
    ['the whole document', yaml('&root', 'a: *root'), 2, 4],
  ])('refuses an alias inside the node it names: %s', (_name, source, line, col) => {
    const result = parseWorkflow('wf.yaml', source);
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK104', span: { start: { line, col } }, message: expect.stringContaining('inside the node it names') },
    ]);
  });

  it('refuses aliases that expand too far, at the alias where it happens, quickly', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const started = performance.now();
    const result = parseWorkflow('wf.yaml', yaml(...lines));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.parsed).toBeUndefined();
    // 10 + 110 + 1110 + … : the running total passes the limit on line 4 (d: ten copies of c, 1111 nodes each).
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK104', span: { start: { line: 4 } }, message: `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes` },
    ]);
  });

  it('allows aliases up to the expansion limit', () => {
    const items = `[${Array.from({ length: 99 }, (_, i) => i).join(', ')}]`;
    const copies = Math.floor(MAX_ALIAS_EXPANSION / 100);
    const result = parseWorkflow('wf.yaml', yaml(`base: &b ${items}`, ...Array.from({ length: copies }, (_, i) => `c${i}: *b`)));
    expect(result.diagnostics).toEqual([]);
  });

  it('refuses nesting beyond the limit, once', () => {
    const depth = MAX_NESTING_DEPTH + 10;
    const result = parseWorkflow('wf.yaml', yaml(`a: ${'{b: '.repeat(depth)}1${'}'.repeat(depth)}`, `c: ${'['.repeat(depth)}${']'.repeat(depth)}`));
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toMatchObject([
      { code: 'ORK103', span: { start: { line: 1 } }, message: `the document nests more than ${MAX_NESTING_DEPTH} levels deep` },
    ]);
  });

  it('reports a document too deep for the YAML library once, without throwing', () => {
    const result = parseWorkflow('wf.yaml', `a: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    expect(result.parsed).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]?.code).toBe('ORK103');
  });
});

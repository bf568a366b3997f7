/**
 * Bad workflows: every problem is reported (not just the first), each at the right line with a stable code,
 * a message that names the problem and, where one helps, a hint. Task files exist exactly as each case says
 * (inMemoryHost), so file checks are under control. Each compiler stage or rule keeps its own table of cases
 * in `<module>.cases.ts` beside its test (test/compiler mirrors compiler/); this module holds what they share.
 */
import { describe, expect, it } from 'vitest';
import { Codes, compile, formatDiagnostic, inMemoryHost, type CompilerHost, type Diagnostic } from '../../compiler/index.js';

/** Lines of a workflow.yaml: line N of the file is argument N, so expected line numbers can be read off. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

export const DIRECTORY = '/work/flow';
const FILES = ['tasks/a.py', 'tasks/b.py', 'tasks/c.py', 'tasks/d.py', 'tasks/discover.py', 'tasks/process.py', 'tasks/app.ts', 'Dockerfile'];

export interface Expected {
  readonly code: string;
  readonly line: number;
  readonly col?: number;
  /** A substring of the message. */
  readonly message: string;
  /** A substring of the hint; `null` asserts there is none. */
  readonly hint?: string | null;
}

export interface BadWorkflowCase {
  readonly name: string;
  readonly source: string | Uint8Array;
  /** Task files that exist; FILES unless given. */
  readonly files?: readonly string[];
  readonly host?: CompilerHost;
  /** Every diagnostic the compiler must report, errors and warnings alike: nothing more, nothing less. */
  readonly expect: readonly Expected[];
}

export function run(source: string | Uint8Array, files: readonly string[] = FILES, host: CompilerHost = inMemoryHost(files, DIRECTORY)) {
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

export function expectDiagnostics(diagnostics: readonly Diagnostic[], expected: readonly Expected[]): void {
  for (const e of expected) {
    const found = diagnostics.some((d) => matches(d, e));
    expect(
      found,
      `expected ${e.code} at line ${e.line}${e.col ? `:${e.col}` : ''} with '${e.message}'` +
        `${e.hint ? ` and hint '${e.hint}'` : ''}; got:\n${describeAll(diagnostics)}`,
    ).toBe(true);
  }
  expect(diagnostics.length, `expected exactly ${expected.length} diagnostics; got:\n${describeAll(diagnostics)}`).toBe(expected.length);
}

function severityOf(code: string): string | undefined {
  return Object.values(Codes).find((c) => c.code === code)?.severity;
}

export const encode = (text: string): number[] => [...new TextEncoder().encode(text)];

/** "Billion laughs": ten levels of nine aliases each, 9^9 strings if expanded. */
export const BILLION_LAUGHS = yaml(
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

/** One test per case: exactly the expected diagnostics, and a failed compile exactly when one is an error. */
export function describeBadWorkflows(cases: readonly BadWorkflowCase[]): void {
  describe('bad workflows', () => {
    for (const c of cases) {
      it(c.name, () => {
        const result = run(c.source, c.files, c.host);
        expectDiagnostics(result.diagnostics, c.expect);
        // Exit code 2 of `ork validate` follows from this: any error makes the compile fail.
        expect(result.ok).toBe(!c.expect.some((e) => severityOf(e.code) === 'error'));
      });
    }
  });
}

import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** Wrap severity and hint in ANSI colours. @default false */
  readonly color?: boolean;
  /** Print the offending source line with a caret under the span. */
  readonly source?: string;
}

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const CYAN = '\u001b[36m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** `file:line:col: error CODE: message`, then an optional source excerpt and `hint: …` line. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const where = `${d.span.file}:${d.span.start.line}:${d.span.start.col}`;
  const severity = paint(d.severity === 'error' ? RED : YELLOW, d.severity);
  const lines = [`${where}: ${severity} ${d.code}: ${d.message}`];
  if (options.source !== undefined) {
    const text = options.source.split(/\r?\n/)[d.span.start.line - 1];
    if (text !== undefined && text.trim() !== '') {
      const width = d.span.end.line === d.span.start.line ? Math.max(1, d.span.end.col - d.span.start.col) : Math.max(1, text.length - d.span.start.col + 1);
      lines.push(paint(DIM, `  ${text}`));
      lines.push(`  ${' '.repeat(Math.max(0, d.span.start.col - 1))}${paint(d.severity === 'error' ? RED : YELLOW, '^'.repeat(width))}`);
    }
  }
  if (d.hint) lines.push(`  ${paint(CYAN, 'hint:')} ${d.hint}`);
  return lines.join('\n');
}

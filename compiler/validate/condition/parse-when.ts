import { makeDiagnostic, type SourceSpan } from '../../diagnostics/index.js';
import type { WhenSpec } from '../../model/index.js';
import type { PathSegment, SourceMap } from '../../parse/index.js';
import { parseCondition } from './parse-condition.js';
import { valueOffsets } from './value-offsets.js';

/**
 * Parses the `when:` at `path` (e.g. `['tasks', 'process', 'when']`), whose value is `text`. Every span,
 * the problems' included, is where that part of the expression is written in the file: inside quotes,
 * after escapes, on the later lines of a block scalar.
 */
export function parseWhen(text: string, sourceMap: SourceMap, path: readonly PathSegment[]): WhenSpec {
  const whole = sourceMap.locate(path);
  const scalar = sourceMap.scalarSource(path);
  const offsets = scalar ? valueOffsets(scalar, text) : undefined;
  const spanOf = (start: number, end: number): SourceSpan => {
    if (!scalar || !offsets) return whole;
    const from = offsets[Math.min(start, text.length)] ?? 0;
    const to = end > start ? (offsets[Math.min(end, text.length)] ?? from + 1) : from;
    return sourceMap.span({ start: scalar.offset + from, end: scalar.offset + Math.max(to, end > start ? from + 1 : from) });
  };
  const parsed = parseCondition(text, spanOf);
  if (parsed.ok) return { text, span: whole, condition: parsed.condition, problems: [] };
  const { code, span, message, hint } = parsed.problem;
  const task = path[0] === 'tasks' && typeof path[1] === 'string' ? `task '${path[1]}': ` : '';
  return { text, span: whole, problems: [makeDiagnostic(code, span, `${task}when: ${message}`, hint)] };
}

import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { Codes, type Diagnostic, type DiagnosticCode } from '../diagnostics/index.js';
import { keyText, SourceMap } from './source-map.js';
import { bytePosition, firstInvalidUtf8Offset } from './utf8.js';
import { checkTree } from './check-tree.js';
import { syntaxErrorDiagnostics } from './syntax-errors.js';

export interface ParsedWorkflow {
  readonly file: string;
  readonly text: string;
  /** The document as plain JSON-like data. */
  readonly value: unknown;
  readonly sourceMap: SourceMap;
}

export interface ParseResult {
  /** Absent when the file could not be read as YAML at all. */
  readonly parsed?: ParsedWorkflow;
  readonly diagnostics: readonly Diagnostic[];
}

/** Stage 1: bytes → YAML document with source positions. Never throws on bad input. */
export function parseWorkflow(file: string, source: string | Uint8Array): ParseResult {
  const at = (c: DiagnosticCode, message: string, line = 1, col = 1, hint?: string): Diagnostic => ({
    code: c.code,
    severity: c.severity,
    message,
    span: { file, start: { line, col }, end: { line, col: col + 1 } },
    ...(hint ? { hint } : {}),
  });
  const empty = (): ParseResult => ({ diagnostics: [at(Codes.emptyFile, 'workflow file is empty', 1, 1, 'a workflow needs at least a `tasks:` mapping')] });

  let text: string;
  if (typeof source === 'string') {
    text = source;
  } else {
    const bad = firstInvalidUtf8Offset(source);
    if (bad >= 0) {
      const pos = bytePosition(source, bad);
      const byte = (source[bad] ?? 0).toString(16).padStart(2, '0');
      return {
        diagnostics: [at(Codes.invalidUtf8, `invalid UTF-8 byte 0x${byte}`, pos.line, pos.col, 'save the file as UTF-8')],
      };
    }
    text = new TextDecoder('utf-8').decode(source);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Line by line, not one regular expression: a nested-quantifier pattern here backtracked exponentially on
  // blank lines: each extra leading blank line doubled the time, so twenty of them took most of a minute.
  if (text.split('\n').every((line) => line.trim() === '' || line.trimStart().startsWith('#'))) return empty();

  const lineCounter = new LineCounter();
  // logLevel 'error': the library would otherwise print warnings (e.g. about collection keys) to stderr,
  // behind the compiler's back; such keys are reported as diagnostics by the later stages.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, logLevel: 'error' });
  const sourceMap = new SourceMap(file, doc, lineCounter, text);

  if (doc.errors.length > 0) return { diagnostics: syntaxErrorDiagnostics(doc, doc.errors, sourceMap) };

  const treeProblems = checkTree(doc, sourceMap);
  if (treeProblems.length > 0) return { diagnostics: treeProblems };

  const diagnostics: Diagnostic[] = [...duplicateKeys(doc, sourceMap)];

  let value: unknown;
  try {
    // checkTree has bounded what aliases add, so the library's own alias guard (which counts differently and
    // refuses harmless reuse) is switched off.
    value = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    // Not expected after checkTree; reported rather than thrown, as the stage promises.
    const message = error instanceof Error ? error.message : String(error);
    return { diagnostics: [...diagnostics, at(Codes.yamlSyntax, message.split('\n')[0] ?? message)] };
  }

  if (value === null || value === undefined) return empty();
  if (typeof value !== 'object' || Array.isArray(value)) {
    const span = sourceMap.locate([]);
    diagnostics.push({
      code: Codes.notAMapping.code,
      severity: 'error',
      message: `a workflow is a mapping with a \`tasks:\` key, not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
      span,
      hint: 'start with `tasks:` at the beginning of a line, with each task indented under it',
    });
    return { diagnostics };
  }
  // Duplicate keys are reported but do not stop the pipeline: the rest of the file is still checked.
  return { parsed: { file, text, value, sourceMap }, diagnostics };
}

function duplicateKeys(doc: Document, sourceMap: SourceMap): Diagnostic[] {
  const found: Diagnostic[] = [];
  const tasksNode: unknown = isMap(doc.contents) ? doc.contents.get('tasks', true) : undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (!isPair(pair)) continue;
        const key = keyText(pair.key);
        if (key === undefined) continue;
        const range = isScalar(pair.key) ? pair.key.range : undefined;
        const firstLine = seen.get(key);
        if (firstLine !== undefined && range) {
          const isTask = map === tasksNode;
          const c = isTask ? Codes.duplicateTask : Codes.duplicateKey;
          found.push({
            code: c.code,
            severity: c.severity,
            message: isTask ? `task '${key}' is defined twice (first on line ${firstLine})` : `key '${key}' appears twice (first on line ${firstLine})`,
            span: sourceMap.span({ start: range[0], end: range[1] }),
            hint: isTask ? 'task names must be unique: rename or merge one of them' : 'remove one of them',
          });
        } else if (range) {
          seen.set(key, sourceMap.span({ start: range[0], end: range[1] }).start.line);
        }
      }
    },
  });
  return found;
}

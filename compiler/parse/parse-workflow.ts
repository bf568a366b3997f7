import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { Codes, type Diagnostic, type DiagnosticCode } from '../diagnostics/index.js';
import { keyText, SourceMap } from './source-map.js';
import { bytePosition, firstInvalidUtf8Offset } from './utf8.js';

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

/**
 * An alias that expands to more nodes than this is refused: a few lines of anchors can otherwise expand
 * into billions of nodes ("billion laughs") and exhaust memory. Real workflows use a handful.
 */
export const MAX_ALIAS_COUNT = 100;

/** Stage 1: bytes → YAML document with source positions. Never throws on bad input. */
export function parseWorkflow(file: string, source: string | Uint8Array): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const at = (c: DiagnosticCode, message: string, line = 1, col = 1, hint?: string): Diagnostic => ({
    code: c.code,
    severity: c.severity,
    message,
    span: { file, start: { line, col }, end: { line, col: col + 1 } },
    ...(hint ? { hint } : {}),
  });

  let text: string;
  if (typeof source === 'string') {
    text = source;
  } else {
    const bad = firstInvalidUtf8Offset(source);
    if (bad >= 0) {
      const pos = bytePosition(source, bad);
      const byte = (source[bad] ?? 0).toString(16).padStart(2, '0');
      return {
        diagnostics: [
          at(Codes.invalidUtf8, `invalid UTF-8 byte 0x${byte}`, pos.line, pos.col, 'save the file as UTF-8'),
        ],
      };
    }
    text = new TextDecoder('utf-8').decode(source);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  if (text.trim() === '' || /^(\s*(#.*)?\n?)*$/.test(text)) {
    return { diagnostics: [at(Codes.emptyFile, 'workflow file is empty', 1, 1, 'a workflow needs at least a `tasks:` mapping')] };
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const sourceMap = new SourceMap(file, doc, lineCounter);

  for (const error of doc.errors) {
    const code = error.code === 'MULTIPLE_DOCS' ? Codes.multipleDocuments : Codes.yamlSyntax;
    const message = error.message.split('\n')[0] ?? error.message;
    diagnostics.push({
      code: code.code,
      severity: code.severity,
      message: code === Codes.multipleDocuments ? 'a workflow file holds one YAML document' : message,
      span: sourceMap.span({ start: error.pos[0], end: error.pos[1] }),
    });
  }
  if (diagnostics.length > 0) return { diagnostics };

  diagnostics.push(...duplicateKeys(doc, sourceMap));

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const isAliasBomb = /alias/i.test(message);
    const c = isAliasBomb ? Codes.aliasLimit : Codes.yamlSyntax;
    return {
      diagnostics: [
        ...diagnostics,
        at(
          c,
          isAliasBomb ? `aliases expand to too many nodes (limit ${MAX_ALIAS_COUNT})` : message,
          1,
          1,
          isAliasBomb ? 'write the repeated parts out, or use `defaults:` for shared task settings' : undefined,
        ),
      ],
    };
  }

  if (value === null || value === undefined) {
    return { diagnostics: [at(Codes.emptyFile, 'workflow file is empty', 1, 1, 'a workflow needs at least a `tasks:` mapping')] };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    const span = sourceMap.locate([]);
    diagnostics.push({
      code: Codes.notAMapping.code,
      severity: 'error',
      message: `a workflow is a mapping with a \`tasks:\` key, not ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
      span,
    });
    return { diagnostics };
  }
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

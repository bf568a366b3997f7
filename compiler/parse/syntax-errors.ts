import { isCollection, isScalar, isSeq, visit, type Document, type YAMLError } from 'yaml';
import { Codes, makeDiagnostic, type Diagnostic } from '../diagnostics/index.js';
import type { SourceMap } from './source-map.js';

/** Fix-its for the YAML mistakes people make most; keyed by the yaml library's error codes. */
const HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'indent the keys of one mapping to the same column, deeper than their parent key',
  MULTILINE_IMPLICIT_KEY: 'a key and its `:` must be on one line',
  BLOCK_AS_IMPLICIT_KEY: 'put a nested mapping on its own lines, indented under its key',
  KEY_OVER_1024_CHARS: 'keys are at most 1024 characters',
  UNEXPECTED_TOKEN: 'a stray character: check brackets and quotes',
  BAD_ALIAS: 'an alias is `*name` after an `&name` anchor',
};

/**
 * The node a "never closed" error is about. The yaml library reports an unclosed `[`, `{` or quote where
 * the file ends, often lines after the mistake; the flow collection or quoted scalar that runs up to that
 * point starts where the user must look.
 */
function unclosedOpener(doc: Document, errorStart: number): { start: number; end: number; opener: string } | undefined {
  let best: { start: number; end: number; opener: string } | undefined;
  visit(doc, (_key, node) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range || range[1] < errorStart || range[0] >= errorStart) return;
    let opener: string | undefined;
    if (isCollection(node) && node.flow) opener = isSeq(node) ? '[' : '{';
    else if (isScalar(node) && node.type === 'QUOTE_DOUBLE') opener = '"';
    else if (isScalar(node) && node.type === 'QUOTE_SINGLE') opener = "'";
    if (opener && (!best || range[0] > best.start)) best = { start: range[0], end: range[0] + 1, opener };
  });
  return best;
}

/**
 * The yaml library's errors in people's words, each at the line to look at. A stack overflow inside the
 * library (absurdly deep nesting) is reported once, not once per node.
 */
export function syntaxErrorDiagnostics(doc: Document, errors: readonly YAMLError[], sourceMap: SourceMap): Diagnostic[] {
  const found: Diagnostic[] = [];
  // After a stack overflow the tree is too deep to walk again, so positions are left as the library gave them.
  const tooDeep = errors.some((e) => /call stack/i.test(e.message));
  let reportedDepth = false;
  for (const error of errors) {
    const message = error.message.split('\n')[0] ?? error.message;
    const at = { start: error.pos[0], end: error.pos[1] };
    if (error.code === 'MULTIPLE_DOCS') {
      found.push(
        makeDiagnostic(
          Codes.multipleDocuments,
          sourceMap.span(at),
          'a workflow file holds one YAML document',
          'remove the `---` line and everything after it, or move it to its own workflow',
        ),
      );
      continue;
    }
    if (/call stack/i.test(message)) {
      if (!reportedDepth)
        found.push(
          makeDiagnostic(Codes.yamlSyntax, sourceMap.span(at), 'the document nests too deeply to read', 'a workflow needs only a few levels; flatten the data'),
        );
      reportedDepth = true;
      continue;
    }
    const unclosed = !tooDeep && /quote|end with a [\]}]/i.test(message) ? unclosedOpener(doc, error.pos[0]) : undefined;
    if (unclosed) {
      const closer = unclosed.opener === '[' ? ']' : unclosed.opener === '{' ? '}' : unclosed.opener;
      found.push(
        makeDiagnostic(
          Codes.yamlSyntax,
          sourceMap.span(unclosed),
          `${message} (the ${unclosed.opener} here is not closed)`,
          `add the closing ${closer}, or indent the lines that continue it`,
        ),
      );
      continue;
    }
    found.push(makeDiagnostic(Codes.yamlSyntax, sourceMap.span(at), message, HINTS[error.code]));
  }
  return found;
}

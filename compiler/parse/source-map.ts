import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { SourceSpan } from '../diagnostics/index.js';

export type PathSegment = string | number;

/** Where to point for a path: at its key (`tasks.process:`) or at its value. */
export type LocateTarget = 'key' | 'value';

/** A scalar as written in the file: a value's text differs from it by quotes, escapes and line folding. */
export interface ScalarSource {
  readonly style: Scalar.Type;
  /** The scalar's text in the file, quotes and block header included. */
  readonly raw: string;
  /** Where `raw` starts in the file (a UTF-16 offset into the source text). */
  readonly offset: number;
}

/**
 * Maps a path in the parsed value (as zod reports it) back to a span in workflow.yaml. A path that does not
 * exist in the file (a missing key) resolves to the deepest part that does, so the user is pointed at the
 * mapping that lacks it.
 */
export class SourceMap {
  private readonly pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    /** The file's text; without it `scalarSource` knows nothing. */
    private readonly text?: string,
  ) {}

  /**
   * The scalar at a path as it is written, for pointing inside its value (a `when:` expression's tokens);
   * undefined when the path holds no scalar.
   */
  scalarSource(path: readonly PathSegment[]): ScalarSource | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) node = this.pairs(node).get(String(segment))?.value;
      else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
      else return undefined;
    }
    if (this.text === undefined || !isScalar(node) || !node.range || !node.type) return undefined;
    return { style: node.type, raw: this.text.slice(node.range[0], node.range[1]), offset: node.range[0] };
  }

  locate(path: readonly PathSegment[], target: LocateTarget = 'value'): SourceSpan {
    let node: unknown = this.doc.contents;
    let best: { start: number; end: number } | undefined = rangeOf(node);
    for (let depth = 0; depth < path.length; depth++) {
      const segment = path[depth];
      if (isAlias(node)) node = node.resolve(this.doc);
      let next: unknown;
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(segment));
        if (!pair) break;
        const isLast = depth === path.length - 1;
        const keyRange = rangeOf(pair.key);
        if (isLast && target === 'key' && keyRange) return this.span(keyRange);
        next = pair.value;
        best = rangeOf(next) ?? keyRange ?? best;
        if (next === null || next === undefined || isEmptyScalar(next)) {
          // `tasks:` with nothing after it: point at the key, not past the end of its line.
          if (keyRange) best = keyRange;
          if (!isLast) break;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
        if (next === undefined) break;
        best = rangeOf(next) ?? best;
      } else {
        break;
      }
      node = next;
    }
    return this.span(best ?? { start: 0, end: 0 });
  }

  /**
   * The pairs of a mapping by key, built once per mapping: rules locate every task and setting, and a scan
   * per lookup made workflows with thousands of tasks quadratic. A key written twice maps to its last pair,
   * the one whose value the parsed data holds.
   */
  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.pairIndex.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        if (!isPair(item)) continue;
        const key = keyText(item.key);
        if (key !== undefined) index.set(key, item);
      }
      this.pairIndex.set(map, index);
    }
    return index;
  }

  /** Span of a byte range in the source text. */
  span(range: { start: number; end: number }): SourceSpan {
    const start = this.lineCounter.linePos(range.start);
    const end = this.lineCounter.linePos(Math.max(range.start, range.end));
    return { file: this.file, start: { line: start.line, col: start.col }, end: { line: end.line, col: end.col } };
  }
}

/** A key as the parsed data spells it: the yaml library turns a null key (`~:`, `null:`) into ''. */
export function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

/** The null the yaml library puts after a key with no value: a scalar with no text. */
function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && (node.range === undefined || node.range === null || node.range[0] === node.range[1]);
}

function rangeOf(node: unknown): { start: number; end: number } | undefined {
  const range = (node as Node | null | undefined)?.range;
  if (!range) return undefined;
  const start = range[0];
  let end = range[1];
  // Block scalars and maps end at the start of the next line; trim trailing whitespace for a tidy caret.
  if (end < start) end = start;
  return { start, end };
}

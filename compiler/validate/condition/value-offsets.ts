import type { ScalarSource } from '../../parse/index.js';

/**
 * Where each UTF-16 unit of a scalar's value was written in the file, plus one entry for the end of the
 * value: offsets into `scalar.raw`. The value differs from the text by its quotes, escapes (`''`, `\"`,
 * `\u00e9`), line folding and a block scalar's indentation, so a token's column cannot be found by adding
 * its index to the scalar's start. Undefined when the rebuilt value is not `value` (a style this does not
 * follow, e.g. an explicit block indentation): callers then point at the whole scalar.
 */
export function valueOffsets(scalar: ScalarSource, value: string): number[] | undefined {
  const built =
    scalar.style === 'BLOCK_LITERAL' || scalar.style === 'BLOCK_FOLDED' ? blockScalar(scalar.raw, scalar.style === 'BLOCK_FOLDED') : flowScalar(scalar);
  if (!built || built.text.length < value.length || built.text.slice(0, value.length) !== value) return undefined;
  // A block scalar's chomping drops trailing line breaks from what was built; nothing else may differ.
  if (!/^\n*$/.test(built.text.slice(value.length))) return undefined;
  return [...built.offsets.slice(0, value.length), built.offsets[value.length] ?? built.end];
}

interface Built {
  text: string;
  /** One per unit of `text`. */
  offsets: number[];
  /** Where the value ends in the raw text (a closing quote, or the end). */
  end: number;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Plain, 'single-quoted' and "double-quoted" scalars: a line break and the indentation after it fold to a space. */
function flowScalar(scalar: ScalarSource): Built | undefined {
  const { raw, style } = scalar;
  const quoted = style === 'QUOTE_SINGLE' || style === 'QUOTE_DOUBLE';
  const end = quoted ? raw.length - 1 : raw.length;
  const text: string[] = [];
  const offsets: number[] = [];
  // Units written as escapes are kept when trailing white space is trimmed before a line break.
  const escaped: boolean[] = [];
  const emit = (chars: string, at: number, isEscape = false): void => {
    for (const unit of chars.split('')) {
      text.push(unit);
      offsets.push(at);
      escaped.push(isEscape);
    }
  };
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r';
  let i = quoted ? 1 : 0;
  while (i < end) {
    const c = raw[i] ?? '';
    if (c === '\n') {
      while (text.length > 0 && isSpace(text[text.length - 1]) && !escaped[escaped.length - 1]) {
        text.pop();
        offsets.pop();
        escaped.pop();
      }
      const at = i;
      let blank = 0;
      i++;
      for (;;) {
        while (i < end && isSpace(raw[i])) i++;
        if (raw[i] !== '\n' || i >= end) break;
        blank++;
        i++;
      }
      emit(blank > 0 ? '\n'.repeat(blank) : ' ', at);
      continue;
    }
    if (style === 'QUOTE_SINGLE' && c === "'" && raw[i + 1] === "'") {
      emit("'", i, true);
      i += 2;
      continue;
    }
    if (style === 'QUOTE_DOUBLE' && c === '\\') {
      const next = raw[i + 1] ?? '';
      if (next === '\n' || next === '\r') {
        // An escaped line break joins the lines with nothing between them.
        i += next === '\r' && raw[i + 2] === '\n' ? 3 : 2;
        while (i < end && isSpace(raw[i])) i++;
        continue;
      }
      const digits = HEX_ESCAPES[next];
      if (digits !== undefined) {
        const hex = raw.slice(i + 2, i + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return undefined;
        emit(String.fromCodePoint(Number.parseInt(hex, 16)), i, true);
        i += 2 + digits;
        continue;
      }
      const simple = SIMPLE_ESCAPES[next];
      if (simple === undefined) return undefined;
      emit(simple, i, true);
      i += 2;
      continue;
    }
    emit(c, i);
    i++;
  }
  return { text: text.join(''), offsets, end };
}

/** `|` and `>` scalars: a header line, then lines at one indentation; `>` folds a break between two plain lines into a space. */
function blockScalar(raw: string, folded: boolean): Built | undefined {
  const headerEnd = raw.indexOf('\n');
  if (headerEnd < 0) return { text: '', offsets: [], end: raw.length };
  // An explicit indentation indicator counts from the parent's indentation, which is not known here.
  if (/[1-9]/.test(raw.slice(0, headerEnd).replace(/#.*$/, ''))) return undefined;
  const lines: { start: number; text: string }[] = [];
  let start = headerEnd + 1;
  while (start <= raw.length) {
    const stop = raw.indexOf('\n', start);
    const lineEnd = stop < 0 ? raw.length : stop;
    lines.push({ start, text: raw.slice(start, lineEnd).replace(/\r$/, '') });
    if (stop < 0) break;
    start = stop + 1;
  }
  if (lines.length > 0 && lines[lines.length - 1]?.text === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l.text.trim() !== '').map((l) => l.text.length - l.text.trimStart().length));
  if (!Number.isFinite(indent)) return { text: '', offsets: [], end: raw.length };
  const text: string[] = [];
  const offsets: number[] = [];
  const emit = (chars: string, at: number): void => {
    for (const unit of chars.split('')) {
      text.push(unit);
      offsets.push(at);
    }
  };
  let blank = 0;
  let previous: 'none' | 'plain' | 'indented' = 'none';
  let previousEnd = 0;
  for (const line of lines) {
    const content = line.text.length > indent ? line.text.slice(indent) : '';
    if (content.trim() === '' && content.length === 0) {
      blank++;
      continue;
    }
    const kind = content.startsWith(' ') || content.startsWith('\t') ? 'indented' : 'plain';
    if (previous !== 'none') {
      if (folded && previous === 'plain' && kind === 'plain') emit(blank > 0 ? '\n'.repeat(blank) : ' ', previousEnd);
      else emit('\n'.repeat(blank + 1), previousEnd);
    } else {
      emit('\n'.repeat(blank), line.start);
    }
    blank = 0;
    for (let k = 0; k < content.length; k++) emit(content[k] ?? '', line.start + indent + k);
    previous = kind;
    previousEnd = line.start + line.text.length;
  }
  if (previous !== 'none') emit('\n'.repeat(blank + 1), previousEnd);
  return { text: text.join(''), offsets, end: previousEnd };
}

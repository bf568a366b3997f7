import type { ComparisonOperator } from '../../model/index.js';

/** Words with a meaning of their own; any other bare word is a mistake (a reference has a dot). */
export const CONDITION_KEYWORDS = ['and', 'or', 'not', 'in', 'true', 'false', 'null'] as const;
export type ConditionKeyword = (typeof CONDITION_KEYWORDS)[number];

/** `start`/`end` index the expression's text (UTF-16 units, end exclusive). */
export type ConditionToken = { readonly start: number; readonly end: number } & (
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'keyword'; readonly word: ConditionKeyword }
  /** `params.mode`, `discover.count`, or a bare word (an error for the parser to explain). */
  | { readonly kind: 'path'; readonly segments: readonly string[]; readonly text: string }
  | { readonly kind: 'operator'; readonly operator: ComparisonOperator }
  | { readonly kind: 'punctuation'; readonly char: '(' | ')' | '[' | ']' | ',' }
  | { readonly kind: 'end' }
);

/** Why the text does not tokenize, where (indexes into the text), and how to fix it. */
export interface TokenProblem {
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly hint?: string;
}

/** On a problem, `tokens` are those before it, then an `end` where it starts. */
export interface TokenizeResult {
  readonly tokens: readonly ConditionToken[];
  readonly problem?: TokenProblem;
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const STRING_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '/': '/' };
/** Operators people bring from other languages, and what to write instead. */
const FOREIGN_OPERATORS: readonly [string, string][] = [
  ['&&', 'and'],
  ['||', 'or'],
  ['===', '=='],
  ['!==', '!='],
  ['<>', '!='],
  ['=<', '<='],
  ['=>', '>='],
];

/** Splits a `when:` expression into tokens; the first problem stops it. The last token is always `end`. */
export function tokenizeCondition(text: string): TokenizeResult {
  const tokens: ConditionToken[] = [];
  let i = 0;
  const fail = (start: number, end: number, message: string, hint?: string): TokenizeResult => ({
    tokens: [...tokens, { kind: 'end', start, end: start }],
    problem: { start, end, message, ...(hint ? { hint } : {}) },
  });
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const foreign = FOREIGN_OPERATORS.find(([written]) => text.startsWith(written, i));
    if (foreign) return fail(start, start + foreign[0].length, `'${foreign[0]}' is not an operator here`, `did you mean \`${foreign[1]}\`?`);
    if (DIGIT.test(c) || ((c === '-' || c === '+') && DIGIT.test(text[i + 1] ?? '')) || (c === '.' && DIGIT.test(text[i + 1] ?? ''))) {
      const match = /^[-+]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/.exec(text.slice(i));
      const written = match?.[0] ?? '';
      let end = i + written.length;
      if (written === '' || c === '.' || c === '+' || /[A-Za-z0-9_.]/.test(text[end] ?? '')) {
        while (end < text.length && /[A-Za-z0-9_.+-]/.test(text[end] ?? '')) end++;
        return fail(start, Math.max(end, start + 1), `'${text.slice(start, end)}' is not a number`, 'write numbers as 3, -2 or 0.5');
      }
      const value = Number(written);
      if (!Number.isFinite(value)) return fail(start, end, `'${written}' is too large a number`);
      tokens.push({ kind: 'number', value, start, end });
      i = end;
      continue;
    }
    if (c === "'" || c === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const d = text[j];
        if (d === undefined) return fail(start, text.length, 'unterminated string', `end it with ${c}`);
        if (d === c) break;
        if (d === '\\') {
          const escape = STRING_ESCAPES[text[j + 1] ?? ''];
          if (escape === undefined) {
            if (text[j + 1] === undefined) return fail(start, text.length, 'unterminated string', `end it with ${c}`);
            return fail(j, j + 2, `unknown escape '\\${text[j + 1]}' in a string`, 'write \\\\ for a backslash; the escapes are \\\\ \\\' \\" \\n \\t \\r');
          }
          value += escape;
          j += 2;
          continue;
        }
        value += d;
        j++;
      }
      tokens.push({ kind: 'string', value, start, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (IDENTIFIER_START.test(c)) {
      const segments: string[] = [];
      let j = i;
      for (;;) {
        const segmentStart = j;
        while (j < text.length && IDENTIFIER_PART.test(text[j] ?? '')) j++;
        segments.push(text.slice(segmentStart, j));
        if (text[j] !== '.') break;
        if (!IDENTIFIER_START.test(text[j + 1] ?? '')) {
          const after = text[j + 1];
          return fail(
            j + 1,
            j + 2,
            after === undefined || /\s/.test(after) ? `expected a field name after '${text.slice(start, j + 1)}'` : `'${after}' cannot start a field name`,
            'field names are letters, digits and _, not starting with a digit',
          );
        }
        j++;
      }
      const written = text.slice(start, j);
      const keyword = segments.length === 1 ? CONDITION_KEYWORDS.find((k) => k === written) : undefined;
      tokens.push(keyword ? { kind: 'keyword', word: keyword, start, end: j } : { kind: 'path', segments, text: written, start, end: j });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'operator', operator: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '<' || c === '>') {
      tokens.push({ kind: 'operator', operator: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === ',') {
      tokens.push({ kind: 'punctuation', char: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '=') return fail(start, start + 1, "'=' is not a comparison", 'did you mean `==`?');
    if (c === '!') return fail(start, start + 1, "'!' is not an operator here", 'write `not x == 1`, or `!=` to compare');
    if (c === '&' || c === '|') return fail(start, start + 1, `'${c}' is not an operator here`, `did you mean \`${c === '&' ? 'and' : 'or'}\`?`);
    const codePoint = String.fromCodePoint(text.codePointAt(i) ?? 0);
    return fail(start, start + codePoint.length, `unexpected character '${codePoint}'`, "strings go in quotes: 'text'");
  }
  tokens.push({ kind: 'end', start: text.length, end: text.length });
  return { tokens };
}

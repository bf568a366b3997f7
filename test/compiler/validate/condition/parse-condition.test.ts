import { describe, expect, it } from 'vitest';
import type { SourceSpan } from '../../../../compiler/diagnostics/index.js';
import type { Condition } from '../../../../compiler/model/index.js';
import { parseCondition, tokenizeCondition } from '../../../../compiler/validate/condition/index.js';

/** Columns are the expression's indexes + 1, so positions can be read off the text. */
const spanOf = (start: number, end: number): SourceSpan => ({ file: 'w.yaml', start: { line: 1, col: start + 1 }, end: { line: 1, col: end + 1 } });
const at = (start: number, end: number): SourceSpan => spanOf(start, end);

function parsed(text: string): Condition {
  const result = parseCondition(text, spanOf);
  if (!result.ok) throw new Error(`${result.problem.message} (${result.problem.hint ?? ''})`);
  return result.condition;
}

function problem(text: string): { code: string; col: number; endCol: number; message: string; hint?: string } {
  const result = parseCondition(text, spanOf);
  if (result.ok) throw new Error(`'${text}' parsed`);
  const { code, span, message, hint } = result.problem;
  return { code: code.code, col: span.start.col, endCol: span.end.col, message, ...(hint ? { hint } : {}) };
}

describe('tokenizeCondition', () => {
  it('reads literals, references, operators and punctuation with their positions', () => {
    const { tokens, problem: bad } = tokenizeCondition(`a.b >= -2.5 and not params.x in ['q\\'s', "d\\"q", 1e3, true, null]`);
    expect(bad).toBeUndefined();
    expect(tokens.map((t) => [t.kind, t.start, t.end])).toEqual([
      ['path', 0, 3],
      ['operator', 4, 6],
      ['number', 7, 11],
      ['keyword', 12, 15],
      ['keyword', 16, 19],
      ['path', 20, 28],
      ['keyword', 29, 31],
      ['punctuation', 32, 33],
      ['string', 33, 39],
      ['punctuation', 39, 40],
      ['string', 41, 47],
      ['punctuation', 47, 48],
      ['number', 49, 52],
      ['punctuation', 52, 53],
      ['keyword', 54, 58],
      ['punctuation', 58, 59],
      ['keyword', 60, 64],
      ['punctuation', 64, 65],
      ['end', 65, 65],
    ]);
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.kind === 'string' && t.value)).toEqual(["q's", 'd"q']);
    expect(tokens.filter((t) => t.kind === 'number').map((t) => t.kind === 'number' && t.value)).toEqual([-2.5, 1000]);
  });

  it('stops at the first bad character and ends the tokens there', () => {
    const { tokens, problem: bad } = tokenizeCondition('a.b = 1');
    expect(bad).toEqual({ start: 4, end: 5, message: "'=' is not a comparison", hint: 'did you mean `==`?' });
    expect(tokens.map((t) => t.kind)).toEqual(['path', 'end']);
  });
});

describe('parseCondition', () => {
  it('builds a comparison with the spans of its operands', () => {
    expect(parsed('discover.count > 0')).toStrictEqual({
      kind: 'compare',
      operator: '>',
      left: { kind: 'reference', source: { kind: 'task', task: 'discover' }, path: ['count'], text: 'discover.count', span: at(0, 14) },
      right: { kind: 'literal', value: 0, span: at(17, 18) },
      span: at(0, 18),
    });
  });

  it('reads params and nested fields', () => {
    const condition = parsed("params.a.b_c == 'x'");
    expect(condition.kind === 'compare' && condition.left).toStrictEqual({
      kind: 'reference',
      source: { kind: 'params' },
      path: ['a', 'b_c'],
      text: 'params.a.b_c',
      span: at(0, 12),
    });
  });

  it('binds not tighter than and, and tighter than or', () => {
    const shape = (c: Condition): unknown =>
      c.kind === 'and' || c.kind === 'or'
        ? { [c.kind]: c.operands.map(shape) }
        : c.kind === 'not'
          ? { not: shape(c.operand) }
          : c.kind === 'compare' && c.left.kind === 'reference'
            ? c.left.text
            : c.kind;
    expect(shape(parsed('a.x == 1 or not b.y == 2 and c.z == 3'))).toEqual({ or: ['a.x', { and: [{ not: 'b.y' }, 'c.z'] }] });
    expect(shape(parsed('(a.x == 1 or b.y == 2) and c.z == 3'))).toEqual({ and: [{ or: ['a.x', 'b.y'] }, 'c.z'] });
    expect(shape(parsed('a.x == 1 and b.y == 2 and c.z == 3'))).toEqual({ and: ['a.x', 'b.y', 'c.z'] });
  });

  it('reads in and not in, literals on either side, and true/false alone', () => {
    const inList = parsed("params.mode in ['a', 2]");
    expect(inList.kind === 'in' && inList.values.map((v) => v.value)).toEqual(['a', 2]);
    expect(inList.span).toEqual(at(0, 23));
    const notIn = parsed('params.mode not in [null]');
    expect(notIn.kind === 'not' && notIn.operand.kind).toBe('in');
    expect(parsed('true')).toStrictEqual({ kind: 'constant', value: true, span: at(0, 4) });
    expect(parsed('0 < a.n').kind).toBe('compare');
    expect(parsed('true == a.flag').kind).toBe('compare');
  });

  it.each([
    ['a.x = 1', 'ORK230', 5, 6, "'=' is not a comparison", 'did you mean `==`?'],
    ['a.x == 1 && b.y == 2', 'ORK230', 10, 12, "'&&' is not an operator here", 'did you mean `and`?'],
    ["a.x == 'open", 'ORK230', 8, 13, 'unterminated string', "end it with '"],
    ['a.x == "o\\q"', 'ORK230', 10, 12, "unknown escape '\\q' in a string", 'escapes'],
    ['a.x == 1 adn b.y == 2', 'ORK231', 10, 13, "unknown word 'adn'", "did you mean 'and'?"],
    ['a.x == 1 oor b.y == 2', 'ORK231', 10, 13, "unknown word 'oor'", "did you mean 'or'?"],
    ['a.x == ture', 'ORK231', 8, 12, "unknown word 'ture'", "did you mean 'true'?"],
    ['a.x == open', 'ORK231', 8, 12, "unknown word 'open'", "text goes in quotes: 'open'"],
    ['discover.ready', 'ORK232', 1, 15, "'discover.ready' alone is not a condition", '`discover.ready == true`'],
    ['a.x == 1 and b.ok', 'ORK232', 14, 18, "'b.ok' alone is not a condition", '`b.ok == true`'],
    ['a.x < null', 'ORK233', 7, 11, "'<' orders numbers or strings, not null", '`== null`'],
    ['true >= a.x', 'ORK233', 1, 5, "'>=' orders numbers or strings, not true", '`== true`'],
    ['(a.x == 1', 'ORK230', 1, 2, "'(' is never closed", 'add `)`'],
    ['a.x == 1)', 'ORK230', 9, 10, "unexpected ')'", 'expected `and`'],
    ['a.x == ', 'ORK230', 8, 8, 'the condition ends where a value was expected', 'complete'],
    ['', 'ORK230', 1, 1, 'the condition is empty', 'remove `when:`'],
    ['a.x < b.y < 3', 'ORK230', 11, 12, 'comparisons cannot be chained', 'and'],
    ['a.x in [b.y]', 'ORK230', 9, 12, "'b.y' in a list: the list after `in` holds values", '`==`'],
    ['a.x in []', 'ORK230', 8, 10, '`in []` never holds', 'at least one'],
    ['a.x in [1, 2', 'ORK230', 8, 9, "'[' is never closed", 'add `]`'],
    ['a. == 1', 'ORK230', 3, 4, "expected a field name after 'a.'", 'field names'],
    ['a.x == 5kg', 'ORK230', 8, 11, "'5kg' is not a number", 'numbers'],
    ['a.x == 1 and', 'ORK230', 13, 13, 'the condition ends where a value was expected', 'complete'],
    ['a.x == 1 €', 'ORK230', 10, 11, "unexpected character '€'", 'quotes'],
  ])('%s → %s at column %i', (text, code, col, endCol, message, hint) => {
    const found = problem(text);
    expect(found).toMatchObject({ code, col, endCol, message });
    expect(found.hint).toContain(hint);
  });
});

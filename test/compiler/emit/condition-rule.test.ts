import { describe, expect, it } from 'vitest';
import type { SourceSpan } from '../../../compiler/diagnostics/index.js';
import { ALWAYS_RULE, conditionReferences, conditionRule, NEVER_RULE } from '../../../compiler/emit/condition-rule.js';
import type { Condition, ConditionReference } from '../../../compiler/model/index.js';
import { parseCondition } from '../../../compiler/validate/condition/index.js';

const spanOf = (start: number, end: number): SourceSpan => ({ file: 'w.yaml', start: { line: 1, col: start + 1 }, end: { line: 1, col: end + 1 } });
const pathOf = (r: ConditionReference): string => [r.source.kind === 'params' ? '$.params' : `$.results.${r.source.task}`, ...r.path].join('.');

function condition(text: string): Condition {
  const result = parseCondition(text, spanOf);
  if (!result.ok) throw new Error(result.problem.message);
  return result.condition;
}

const rule = (text: string) => conditionRule(condition(text), pathOf);
const X = '$.results.a.x';
const present = { Variable: X, IsPresent: true };

describe('conditionRule', () => {
  it('== on a string, number or boolean tests presence and type first', () => {
    expect(rule("a.x == 'on'")).toStrictEqual({ And: [present, { Variable: X, IsString: true }, { Variable: X, StringEquals: 'on' }] });
    expect(rule('a.x == 1.5')).toStrictEqual({ And: [present, { Variable: X, IsNumeric: true }, { Variable: X, NumericEquals: 1.5 }] });
    expect(rule('a.x == false')).toStrictEqual({ And: [present, { Variable: X, IsBoolean: true }, { Variable: X, BooleanEquals: false }] });
  });

  it('== null holds for a missing field too; != is Not(==)', () => {
    const isNull = { Or: [{ Not: present }, { Variable: X, IsNull: true }] };
    expect(rule('a.x == null')).toStrictEqual(isNull);
    expect(rule('a.x != null')).toStrictEqual({ Not: isNull });
  });

  it('orders numbers with numbers and strings with strings; a literal on the left flips the operator', () => {
    expect(rule('a.x < 5')).toStrictEqual({ And: [present, { Variable: X, IsNumeric: true }, { Variable: X, NumericLessThan: 5 }] });
    expect(rule("a.x >= 'm'")).toStrictEqual({ And: [present, { Variable: X, IsString: true }, { Variable: X, StringGreaterThanEquals: 'm' }] });
    expect(rule('5 < a.x')).toStrictEqual({ And: [present, { Variable: X, IsNumeric: true }, { Variable: X, NumericGreaterThan: 5 }] });
  });

  it('compares two fields with the Path comparators, per type, with missing ≡ null on ==', () => {
    const Y = '$.params.y';
    const both = (type: string, comparator: string) => ({
      And: [
        present,
        { Variable: X, [`Is${type}`]: true },
        { Variable: Y, IsPresent: true },
        { Variable: Y, [`Is${type}`]: true },
        { Variable: X, [comparator]: Y },
      ],
    });
    expect(rule('a.x == params.y')).toStrictEqual({
      Or: [
        {
          And: [{ Or: [{ Not: present }, { Variable: X, IsNull: true }] }, { Or: [{ Not: { Variable: Y, IsPresent: true } }, { Variable: Y, IsNull: true }] }],
        },
        both('String', 'StringEqualsPath'),
        both('Numeric', 'NumericEqualsPath'),
        both('Boolean', 'BooleanEqualsPath'),
      ],
    });
    expect(rule('a.x <= params.y')).toStrictEqual({ Or: [both('Numeric', 'NumericLessThanEqualsPath'), both('String', 'StringLessThanEqualsPath')] });
  });

  it('in is an Or of ==, not in its Not; and, or, not map one to one', () => {
    const eq = (value: string) => ({ And: [present, { Variable: X, IsString: true }, { Variable: X, StringEquals: value }] });
    expect(rule("a.x in ['p', 'q']")).toStrictEqual({ Or: [eq('p'), eq('q')] });
    expect(rule("a.x not in ['p']")).toStrictEqual({ Not: eq('p') });
    expect(rule("not a.x == 'p' or a.x == 'q' and a.x == 'p'")).toStrictEqual({ Or: [{ Not: eq('p') }, { And: [eq('q'), eq('p')] }] });
  });

  it('folds constants, and writes a constant condition as a rule that always (or never) holds', () => {
    expect(ALWAYS_RULE).toStrictEqual({ Variable: '$', IsPresent: true });
    expect(NEVER_RULE).toStrictEqual({ Not: ALWAYS_RULE });
    expect(rule('true')).toStrictEqual(ALWAYS_RULE);
    expect(rule('not true')).toStrictEqual(NEVER_RULE);
    expect(rule("1 == 1.0 and 'a' < 'b'")).toStrictEqual(ALWAYS_RULE);
    expect(rule("1 == '1'")).toStrictEqual(NEVER_RULE);
    expect(rule("null in [1, 'x']")).toStrictEqual(NEVER_RULE);
    expect(rule('false or a.x == 1')).toStrictEqual(rule('a.x == 1'));
    expect(rule('true and a.x == 1 and 2 > 1')).toStrictEqual(rule('a.x == 1'));
    expect(rule('a.x == 1 or not false')).toStrictEqual(ALWAYS_RULE);
  });
});

describe('conditionReferences', () => {
  it('lists every reference in the order written', () => {
    expect(conditionReferences(condition("a.x == 1 or (params.m in ['q'] and not 2 < b.y.z)")).map((r) => r.text)).toEqual(['a.x', 'params.m', 'b.y.z']);
  });
});

/**
 * Property test of `when:` conditions: for random conditions and random state (fields missing, null,
 * numbers, strings, booleans, lists, objects), the Choice rule conditionRule emits, run by
 * aws-local-stepfunctions, picks the same branch as a direct evaluation of the documented semantics
 * (docs/conditions.md): missing ≡ null, type-strict ==, ordering only between two numbers or two strings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../../lib/local/promise-polyfill.js';
import type { SourceSpan } from '../../../compiler/diagnostics/index.js';
import { conditionRule } from '../../../compiler/emit/condition-rule.js';
import type {
  ComparisonOperator,
  Condition,
  ConditionConstant,
  ConditionLiteral,
  ConditionOperand,
  ConditionReference,
} from '../../../compiler/model/index.js';

const SPAN: SourceSpan = { file: 'w.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 1 } };

const reference = (source: 'params' | string, ...path: string[]): ConditionReference => ({
  kind: 'reference',
  source: source === 'params' ? { kind: 'params' } : { kind: 'task', task: source },
  path,
  text: [source, ...path].join('.'),
  span: SPAN,
});
const REFERENCES = [reference('params', 'a'), reference('params', 'b'), reference('t', 'x'), reference('t', 'y', 'z')];
const pathOf = (r: ConditionReference): string => [r.source.kind === 'params' ? '$.params' : `$.results.${r.source.task}`, ...r.path].join('.');

/** Few distinct values, so that equal and ordered pairs come up often. */
const STRINGS = ['', 'a', 'b', 'B', 'ab', 'é', '1', '10', '2'];
const NUMBERS = [-1, 0, 0.5, 1, 2, 10];
const literalArb: fc.Arbitrary<ConditionLiteral> = fc.oneof(fc.constant(null), fc.boolean(), fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS));
const constantArb: fc.Arbitrary<ConditionConstant> = literalArb.map((value) => ({ kind: 'literal', value, span: SPAN }));
const operandArb: fc.Arbitrary<ConditionOperand> = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...REFERENCES) }, { weight: 2, arbitrary: constantArb });
const operatorArb = fc.constantFrom<ComparisonOperator>('==', '!=', '<', '<=', '>', '>=');

const { condition: conditionArb } = fc.letrec<{ condition: Condition; leaf: Condition }>((tie) => ({
  leaf: fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(operandArb, operatorArb, operandArb)
        .map(([left, operator, right]): Condition => ({ kind: 'compare', operator, left, right, span: SPAN })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(operandArb, fc.array(constantArb, { minLength: 1, maxLength: 3 }))
        .map(([operand, values]): Condition => ({ kind: 'in', operand, values, span: SPAN })),
    },
    { weight: 1, arbitrary: fc.boolean().map((value): Condition => ({ kind: 'constant', value, span: SPAN })) },
  ),
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: tie('leaf') },
    { weight: 1, arbitrary: tie('condition').map((operand): Condition => ({ kind: 'not', operand, span: SPAN })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(tie('condition'), { minLength: 2, maxLength: 3 }))
        .map(([kind, operands]): Condition => ({ kind, operands, span: SPAN })),
    },
  ),
}));

/** Absent from its object. */
const MISSING = Symbol('missing');
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(MISSING),
  literalArb,
  fc.constantFrom([], [1], ['a', null]),
  fc.constantFrom({}, { z: 1 }, { x: 'a' }),
);
const objectOf = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(entries.filter(([, v]) => v !== MISSING));

/** The state a Choice reads: params a and b; the result of t (an object with x and y, whose z may be set, or null). */
const stateArb = fc
  .record({
    a: valueArb,
    b: valueArb,
    x: valueArb,
    y: fc.oneof(
      valueArb,
      valueArb.map((z) => objectOf([['z', z]])),
    ),
    tIsNull: fc.boolean().map((b) => b && Math.random() < 0.2),
  })
  .map(({ a, b, x, y, tIsNull }) => ({
    params: objectOf([
      ['a', a],
      ['b', b],
    ]),
    results: {
      t: tIsNull
        ? null
        : objectOf([
            ['x', x],
            ['y', y],
          ]),
    },
  }));

type State = { params: Record<string, unknown>; results: Record<string, unknown> };

/** The semantics, directly: what a reference reads (missing → null), ==, and ordering. */
function read(state: State, r: ConditionReference): unknown {
  let value: unknown = r.source.kind === 'params' ? state.params : state.results[r.source.task];
  for (const segment of r.path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(segment in value)) return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return value === undefined ? null : value;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === null || typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') return a === b;
  return false;
}

function holds(condition: Condition, state: State): boolean {
  const value = (o: ConditionOperand): unknown => (o.kind === 'literal' ? o.value : read(state, o));
  switch (condition.kind) {
    case 'constant':
      return condition.value;
    case 'and':
      return condition.operands.every((c) => holds(c, state));
    case 'or':
      return condition.operands.some((c) => holds(c, state));
    case 'not':
      return !holds(condition.operand, state);
    case 'in':
      return condition.values.some((v) => equal(value(condition.operand), v.value));
    case 'compare': {
      const [a, b] = [value(condition.left), value(condition.right)];
      if (condition.operator === '==') return equal(a, b);
      if (condition.operator === '!=') return !equal(a, b);
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[condition.operator];
    }
  }
}

/** Runs the condition's Choice on each state: which took the branch the rule matches. */
async function choicesTaken(condition: Condition, states: readonly State[]): Promise<boolean[]> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const definition = {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ ...conditionRule(condition, pathOf), Next: 'Yes' }], Default: 'No' },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
    },
  };
  // Built once per condition: validating the definition costs far more than running it.
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: true, checkArn: false } });
  const taken: boolean[] = [];
  // Strings, not booleans: aws-local-stepfunctions takes a Pass's `Result: false` for no Result.
  for (const state of states) taken.push((await machine.run(state as never).result) === 'yes');
  return taken;
}

describe('the Choice rule of a condition holds exactly when the condition does', () => {
  it('for random conditions and states, run in aws-local-stepfunctions', async () => {
    await fc.assert(
      fc.asyncProperty(conditionArb, fc.array(stateArb, { minLength: 1, maxLength: 12 }), async (condition, states) => {
        expect(await choicesTaken(condition, states)).toEqual(states.map((state) => holds(condition, state)));
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('including the cases that matter most (controls the generators may miss)', async () => {
    const compare = (left: ConditionOperand, operator: ComparisonOperator, right: ConditionOperand): Condition => ({
      kind: 'compare',
      operator,
      left,
      right,
      span: SPAN,
    });
    const literal = (value: ConditionLiteral): ConditionConstant => ({ kind: 'literal', value, span: SPAN });
    const [a, b] = [REFERENCES[0] as ConditionReference, REFERENCES[1] as ConditionReference];
    const cases: [Condition, State, boolean][] = [
      [compare(a, '==', literal(null)), { params: {}, results: {} }, true],
      [compare(a, '==', b), { params: {}, results: {} }, true],
      [compare(a, '==', b), { params: { a: null }, results: {} }, true],
      [compare(a, '==', b), { params: { a: [1], b: [1] }, results: {} }, false],
      [compare(a, '==', literal('1')), { params: { a: 1 }, results: {} }, false],
      [compare(a, '<', literal(5)), { params: { a: '3' }, results: {} }, false],
      [{ kind: 'not', operand: compare(a, '<', literal(5)), span: SPAN }, { params: { a: '3' }, results: {} }, true],
      [compare(a, '<', b), { params: { a: 'B', b: 'a' }, results: {} }, true],
      [compare(reference('t', 'y', 'z'), '!=', literal(null)), { params: {}, results: { t: null } }, false],
    ];
    for (const [condition, state, expected] of cases) {
      expect(holds(condition, state)).toBe(expected);
      expect(await choicesTaken(condition, [state])).toEqual([expected]);
    }
  });
});

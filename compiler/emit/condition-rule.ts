import type { ComparisonOperator, Condition, ConditionConstant, ConditionLiteral, ConditionOperand, ConditionReference } from '../model/index.js';
import type { ChoiceRule } from './asl-types.js';

export { conditionReferences } from '../model/index.js';

/**
 * A rule that holds whatever the state: Step Functions has no literal true, and every state's input is an
 * object, so `$` is always present.
 */
export const ALWAYS_RULE: ChoiceRule = { Variable: '$', IsPresent: true };
export const NEVER_RULE: ChoiceRule = { Not: ALWAYS_RULE };

/**
 * The Choice rule that matches exactly when `condition` holds (docs/conditions.md): a missing field reads as
 * null, `==` is type-strict, `<` and friends hold only between two numbers or two strings. Each comparison
 * tests presence and type before comparing, so a Choice never fails on a missing field or a value of another
 * type (a comparator on either fails the execution with States.Runtime). Parts made only of constants are
 * folded; `pathOf` gives the JSONPath a reference is read at.
 */
export function conditionRule(condition: Condition, pathOf: (reference: ConditionReference) => string): ChoiceRule {
  const folded = foldCondition(condition);
  if (folded.kind === 'constant') return folded.value ? ALWAYS_RULE : NEVER_RULE;
  return ruleOf(folded, pathOf);
}

/** The condition with its constant parts evaluated: what is left has no `constant` inside, unless it is one. */
export function foldCondition(condition: Condition): Condition {
  const constant = (value: boolean): Condition => ({ kind: 'constant', value, span: condition.span });
  switch (condition.kind) {
    case 'constant':
      return condition;
    case 'compare': {
      const { left, right, operator } = condition;
      return left.kind === 'literal' && right.kind === 'literal' ? constant(compareLiterals(left.value, operator, right.value)) : condition;
    }
    case 'in': {
      const { operand, values } = condition;
      if (operand.kind === 'literal') return constant(values.some((v) => equalLiterals(operand.value, v.value)));
      return values.length === 0 ? constant(false) : condition;
    }
    case 'not': {
      const operand = foldCondition(condition.operand);
      return operand.kind === 'constant' ? constant(!operand.value) : { ...condition, operand };
    }
    case 'and':
    case 'or': {
      // `and` stops at the first false, `or` at the first true; the other constant drops out.
      const decisive = condition.kind === 'or';
      const operands: Condition[] = [];
      for (const part of condition.operands.map(foldCondition)) {
        if (part.kind === 'constant') {
          if (part.value === decisive) return constant(decisive);
          continue;
        }
        operands.push(part);
      }
      if (operands.length === 0) return constant(!decisive);
      if (operands.length === 1) return operands[0] ?? constant(!decisive);
      return { ...condition, operands };
    }
  }
}

/** `==` on values: type-strict, and a list or an object equals nothing (a Choice rule cannot compare them). */
export function equalLiterals(a: ConditionLiteral, b: ConditionLiteral): boolean {
  return a === b;
}

/** The comparison between two constants, by the same rules as the emitted Choice. */
export function compareLiterals(a: ConditionLiteral, operator: ComparisonOperator, b: ConditionLiteral): boolean {
  switch (operator) {
    case '==':
      return equalLiterals(a, b);
    case '!=':
      return !equalLiterals(a, b);
    default:
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
  }
}

type ValueType = 'Numeric' | 'String' | 'Boolean';
type Ordering = '<' | '<=' | '>' | '>=';
const SUFFIX: Readonly<Record<Exclude<ComparisonOperator, '!='>, string>> = {
  '==': 'Equals',
  '<': 'LessThan',
  '<=': 'LessThanEquals',
  '>': 'GreaterThan',
  '>=': 'GreaterThanEquals',
};
/** `1 < x` is `x > 1`. */
const FLIPPED: Readonly<Record<ComparisonOperator, ComparisonOperator>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function ruleOf(condition: Condition, pathOf: (reference: ConditionReference) => string): ChoiceRule {
  switch (condition.kind) {
    case 'constant':
      return condition.value ? ALWAYS_RULE : NEVER_RULE;
    case 'and':
      return { And: condition.operands.map((c) => ruleOf(c, pathOf)) };
    case 'or':
      return { Or: condition.operands.map((c) => ruleOf(c, pathOf)) };
    case 'not':
      return { Not: ruleOf(condition.operand, pathOf) };
    case 'in': {
      const { operand } = condition;
      // foldCondition leaves no `in` on a literal.
      if (operand.kind !== 'reference') return NEVER_RULE;
      const rules = condition.values.map((v) => equalsLiteral(pathOf(operand), v.value));
      return rules.length === 1 ? (rules[0] ?? NEVER_RULE) : { Or: rules };
    }
    case 'compare':
      return compareRule(condition.left, condition.operator, condition.right, pathOf);
  }
}

function compareRule(
  left: ConditionOperand,
  operator: ComparisonOperator,
  right: ConditionOperand,
  pathOf: (reference: ConditionReference) => string,
): ChoiceRule {
  if (operator === '!=') return { Not: compareRule(left, '==', right, pathOf) };
  if (left.kind === 'literal' && right.kind === 'literal') return compareLiterals(left.value, operator, right.value) ? ALWAYS_RULE : NEVER_RULE;
  if (left.kind === 'literal') return compareRule(right, FLIPPED[operator], left, pathOf);
  const path = pathOf(left);
  if (right.kind === 'literal') return operator === '==' ? equalsLiteral(path, right.value) : orderedLiteral(path, operator, right);
  const other = pathOf(right);
  const types: ValueType[] = operator === '==' ? ['String', 'Numeric', 'Boolean'] : ['Numeric', 'String'];
  const typed = types.map((type): ChoiceRule => ({
    And: [
      present(path),
      { Variable: path, [`Is${type}`]: true },
      present(other),
      { Variable: other, [`Is${type}`]: true },
      comparator(path, type, operator, other, true),
    ],
  }));
  return { Or: operator === '==' ? [{ And: [missingOrNull(path), missingOrNull(other)] }, ...typed] : typed };
}

function present(path: string): ChoiceRule {
  return { Variable: path, IsPresent: true };
}

function missingOrNull(path: string): ChoiceRule {
  // Or stops at its first match, so IsNull (which fails on a missing field) only sees a present one.
  return { Or: [{ Not: present(path) }, { Variable: path, IsNull: true }] };
}

function typeOf(value: ConditionLiteral): ValueType | undefined {
  if (typeof value === 'number') return 'Numeric';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  return undefined;
}

function equalsLiteral(path: string, value: ConditionLiteral): ChoiceRule {
  const type = typeOf(value);
  if (value === null || type === undefined) return missingOrNull(path);
  return { And: [present(path), { Variable: path, [`Is${type}`]: true }, comparator(path, type, '==', value, false)] };
}

function orderedLiteral(path: string, operator: Ordering, literal: ConditionConstant): ChoiceRule {
  const type = typeOf(literal.value);
  // The parser refuses ordering against null or a boolean; such a comparison never holds.
  if (type === undefined || type === 'Boolean' || literal.value === null) return NEVER_RULE;
  return { And: [present(path), { Variable: path, [`Is${type}`]: true }, comparator(path, type, operator, literal.value, false)] };
}

/** `NumericLessThan: 5` or (comparing with another field) `NumericLessThanPath: '$.params.max'`. */
function comparator(path: string, type: ValueType, operator: Exclude<ComparisonOperator, '!='>, value: string | number | boolean, isPath: boolean): ChoiceRule {
  return { Variable: path, [`${type}${SUFFIX[operator]}${isPath ? 'Path' : ''}`]: value };
}

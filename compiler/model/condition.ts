import type { Diagnostic, SourceSpan } from '../diagnostics/index.js';

/** A constant of a `when:` expression. */
export type ConditionLiteral = string | number | boolean | null;

/**
 * `params.mode` or `discover.count`: a value of the workflow's params, or a field of an upstream task's
 * output. A field that is absent reads as null.
 */
export interface ConditionReference {
  readonly kind: 'reference';
  /** `params`, or the name of the upstream task. */
  readonly source: { readonly kind: 'params' } | { readonly kind: 'task'; readonly task: string };
  /** The path under it; at least one segment. */
  readonly path: readonly string[];
  /** As written, e.g. `discover.count`. */
  readonly text: string;
  readonly span: SourceSpan;
}

export interface ConditionConstant {
  readonly kind: 'literal';
  readonly value: ConditionLiteral;
  readonly span: SourceSpan;
}

export type ConditionOperand = ConditionReference | ConditionConstant;

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A `when:` expression, parsed. */
export type Condition =
  | {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: ConditionOperand;
      readonly right: ConditionOperand;
      readonly span: SourceSpan;
    }
  | { readonly kind: 'in'; readonly operand: ConditionOperand; readonly values: readonly ConditionConstant[]; readonly span: SourceSpan }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Condition[]; readonly span: SourceSpan }
  | { readonly kind: 'not'; readonly operand: Condition; readonly span: SourceSpan }
  | { readonly kind: 'constant'; readonly value: boolean; readonly span: SourceSpan };

/** A task's `when:` as written, and parsed when it parses. */
export interface WhenSpec {
  readonly text: string;
  readonly span: SourceSpan;
  /** Absent when the expression does not parse (`problems` say why). */
  readonly condition?: Condition;
  /** Why it does not parse, each at its line and column; reported by the validate stage. */
  readonly problems: readonly Diagnostic[];
}

/** Every reference in a condition, in the order written. */
export function conditionReferences(condition: Condition): ConditionReference[] {
  switch (condition.kind) {
    case 'compare':
      return [condition.left, condition.right].filter((o): o is ConditionReference => o.kind === 'reference');
    case 'in':
      return condition.operand.kind === 'reference' ? [condition.operand] : [];
    case 'and':
    case 'or':
      return condition.operands.flatMap(conditionReferences);
    case 'not':
      return conditionReferences(condition.operand);
    case 'constant':
      return [];
  }
}

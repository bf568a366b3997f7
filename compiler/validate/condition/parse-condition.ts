import { Codes, didYouMean, type DiagnosticCode, type SourceSpan } from '../../diagnostics/index.js';
import type { ComparisonOperator, Condition, ConditionConstant, ConditionOperand } from '../../model/index.js';
import { CONDITION_KEYWORDS, tokenizeCondition, type ConditionToken } from './tokenize-condition.js';

/** Why an expression does not parse, and where in the file. */
export interface ConditionProblem {
  readonly code: DiagnosticCode;
  readonly span: SourceSpan;
  readonly message: string;
  readonly hint?: string;
}

export type ParseConditionResult = { readonly ok: true; readonly condition: Condition } | { readonly ok: false; readonly problem: ConditionProblem };

/** Turns a range of the text (UTF-16 indexes, end exclusive) into where it is in the file. */
export type SpanOf = (start: number, end: number) => SourceSpan;

const ORDERINGS: ReadonlySet<ComparisonOperator> = new Set(['<', '<=', '>', '>=']);

class Failure extends Error {
  constructor(
    readonly problem: ConditionProblem,
    /** Whether the parser had reached the last token (where a bad character stopped the tokenizer). */
    readonly atEnd: boolean,
  ) {
    super(problem.message);
  }
}

/**
 * Parses a `when:` expression (docs/conditions.md):
 *
 *   or         := and ('or' and)*
 *   and        := not ('and' not)*
 *   not        := 'not' not | '(' or ')' | 'true' | 'false' | comparison
 *   comparison := operand (('==' | '!=' | '<' | '<=' | '>' | '>=') operand | 'not'? 'in' '[' literal (',' literal)* ','? ']')
 *   operand    := reference | literal
 *
 * so `not` applies to the comparison after it, which binds tighter than `and`, which binds tighter than `or`.
 * The first problem stops it: later ones are seldom more than echoes of the first.
 */
export function parseCondition(text: string, spanOf: SpanOf): ParseConditionResult {
  const tokenized = tokenizeCondition(text);
  let parsed: ParseConditionResult;
  let atEnd = true;
  try {
    parsed = { ok: true, condition: new Parser(tokenized.tokens, spanOf).parse() };
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    parsed = { ok: false, problem: error.problem };
    atEnd = error.atEnd;
  }
  const bad = tokenized.problem;
  // The tokens before a bad character are parsed first, so the problem reported is the first one written.
  if (bad && atEnd) {
    const { start, end, message, hint } = bad;
    return { ok: false, problem: { code: Codes.conditionSyntax, span: spanOf(start, end), message, ...(hint ? { hint } : {}) } };
  }
  return parsed;
}

/** `adn` for `and`, `ture` for `true`: swapped letters are two edits, too many for didYouMean on short words. */
function anagramOf(word: string): string | undefined {
  const sorted = (w: string): string => [...w.toLowerCase()].sort().join('');
  const match = CONDITION_KEYWORDS.find((k) => sorted(k) === sorted(word));
  return match === undefined ? undefined : `did you mean '${match}'?`;
}

function describe(token: ConditionToken): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the condition';
    case 'number':
      return `number ${token.value}`;
    case 'string':
      return `string ${JSON.stringify(token.value)}`;
    case 'keyword':
      return `'${token.word}'`;
    case 'path':
      return `'${token.text}'`;
    case 'operator':
      return `'${token.operator}'`;
    case 'punctuation':
      return `'${token.char}'`;
  }
}

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly ConditionToken[],
    private readonly spanOf: SpanOf,
  ) {}

  parse(): Condition {
    const first = this.peek();
    if (first.kind === 'end') this.fail(Codes.conditionSyntax, first, 'the condition is empty', 'write one, e.g. `discover.count > 0`, or remove `when:`');
    const condition = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') this.unexpected(rest, 'expected `and`, `or` or the end of the condition');
    return condition;
  }

  private peek(): ConditionToken {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1] ?? { kind: 'end', start: 0, end: 0 };
  }

  private next(): ConditionToken {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private isKeyword(token: ConditionToken, word: string): boolean {
    return token.kind === 'keyword' && token.word === word;
  }

  private isPunctuation(token: ConditionToken, char: string): boolean {
    return token.kind === 'punctuation' && token.char === char;
  }

  private fail(code: DiagnosticCode, at: { start: number; end: number }, message: string, hint?: string): never {
    this.failAt(code, this.span(at.start, Math.max(at.end, at.start)), message, hint);
  }

  private failAt(code: DiagnosticCode, span: SourceSpan, message: string, hint?: string): never {
    throw new Failure({ code, span, message, ...(hint ? { hint } : {}) }, this.index >= this.tokens.length - 1);
  }

  private unexpected(token: ConditionToken, hint: string): never {
    if (token.kind === 'path' && token.segments.length === 1) this.unknownWord(token);
    this.fail(Codes.conditionSyntax, token, `unexpected ${describe(token)}`, hint);
  }

  private unknownWord(token: ConditionToken & { kind: 'path' }): never {
    const suggestion = didYouMean(token.text, CONDITION_KEYWORDS) ?? anagramOf(token.text);
    this.fail(
      Codes.conditionUnknownWord,
      token,
      `unknown word '${token.text}'`,
      suggestion ?? `a value is \`params.<name>\` or \`<task>.<field>\`; text goes in quotes: '${token.text}'`,
    );
  }

  private span(start: number, end: number): SourceSpan {
    return this.spanOf(start, end);
  }

  private or(): Condition {
    return this.chain('or', () => this.and());
  }

  private and(): Condition {
    return this.chain('and', () => this.not());
  }

  private chain(word: 'and' | 'or', operand: () => Condition): Condition {
    const first = operand();
    const operands = [first];
    while (this.isKeyword(this.peek(), word)) {
      this.next();
      operands.push(operand());
    }
    if (operands.length === 1) return first;
    const last = operands[operands.length - 1] ?? first;
    return { kind: word, operands, span: this.spanBetween(first.span, last.span) };
  }

  private spanBetween(first: SourceSpan, last: SourceSpan): SourceSpan {
    return { file: first.file, start: first.start, end: last.end };
  }

  private not(): Condition {
    const token = this.peek();
    if (this.isKeyword(token, 'not')) {
      this.next();
      if (this.peek().kind === 'end') this.fail(Codes.conditionSyntax, this.peek(), 'expected a condition after `not`');
      const operand = this.not();
      return { kind: 'not', operand, span: { ...this.span(token.start, token.end), end: operand.span.end } };
    }
    if (this.isPunctuation(token, '(')) {
      this.next();
      const inner = this.or();
      const close = this.peek();
      if (!this.isPunctuation(close, ')')) {
        if (close.kind === 'end') this.fail(Codes.conditionSyntax, token, "'(' is never closed", 'add `)`');
        this.unexpected(close, 'expected `)`, `and` or `or`');
      }
      this.next();
      return inner;
    }
    if ((this.isKeyword(token, 'true') || this.isKeyword(token, 'false')) && !this.startsComparison(this.tokens[this.index + 1])) {
      this.next();
      return { kind: 'constant', value: this.isKeyword(token, 'true'), span: this.span(token.start, token.end) };
    }
    return this.comparison();
  }

  private startsComparison(token: ConditionToken | undefined): boolean {
    return token !== undefined && (token.kind === 'operator' || this.isKeyword(token, 'in') || this.isKeyword(token, 'not'));
  }

  private comparison(): Condition {
    const left = this.operand();
    const token = this.peek();
    if (token.kind === 'operator') {
      this.next();
      const right = this.operand();
      const after = this.peek();
      if (after.kind === 'operator')
        this.fail(
          Codes.conditionSyntax,
          after,
          'comparisons cannot be chained',
          `join them with \`and\`: \`... ${token.operator} x and x ${after.operator} ...\``,
        );
      if (ORDERINGS.has(token.operator)) {
        for (const side of [left, right])
          if (side.kind === 'literal' && typeof side.value !== 'number' && typeof side.value !== 'string')
            this.failAt(
              Codes.conditionOrdering,
              side.span,
              `'${token.operator}' orders numbers or strings, not ${JSON.stringify(side.value)}`,
              side.value === null ? 'to test for a missing value write `== null`' : `write \`== ${String(side.value)}\` or \`!= ${String(side.value)}\``,
            );
      }
      return { kind: 'compare', operator: token.operator, left, right, span: this.spanBetween(left.span, right.span) };
    }
    if (this.isKeyword(token, 'in') || (this.isKeyword(token, 'not') && this.isKeyword(this.tokens[this.index + 1] ?? token, 'in'))) {
      const negated = this.isKeyword(token, 'not');
      this.next();
      if (negated) this.next();
      const { values, end } = this.list();
      const condition: Condition = { kind: 'in', operand: left, values, span: this.spanBetween(left.span, end) };
      return negated ? { kind: 'not', operand: condition, span: condition.span } : condition;
    }
    if (left.kind === 'reference') {
      this.failAt(
        Codes.conditionNeedsComparison,
        left.span,
        `'${left.text}' alone is not a condition`,
        `compare it: write \`${left.text} == true\`, \`${left.text} > 0\` or \`${left.text} != null\``,
      );
    }
    if (token.kind === 'path' && token.segments.length === 1) this.unknownWord(token);
    this.failAt(
      Codes.conditionNeedsComparison,
      left.span,
      `${JSON.stringify(left.value)} alone is not a condition`,
      'compare a value with it, e.g. `params.mode == "full"`',
    );
  }

  private list(): { values: ConditionConstant[]; end: SourceSpan } {
    const open = this.peek();
    if (!this.isPunctuation(open, '[')) this.unexpected(open, "`in` takes a list of values: `in ['a', 'b']`");
    this.next();
    const values: ConditionConstant[] = [];
    for (;;) {
      const token = this.peek();
      if (this.isPunctuation(token, ']')) break;
      if (token.kind === 'end') this.fail(Codes.conditionSyntax, open, "'[' is never closed", 'add `]`');
      const operand = this.operand();
      if (operand.kind !== 'literal')
        this.failAt(
          Codes.conditionSyntax,
          operand.span,
          `'${operand.text}' in a list: the list after \`in\` holds values`,
          'compare with `==` instead, joined by `or`',
        );
      values.push(operand);
      const separator = this.peek();
      if (this.isPunctuation(separator, ',')) {
        this.next();
        continue;
      }
      if (!this.isPunctuation(separator, ']')) {
        if (separator.kind === 'end') this.fail(Codes.conditionSyntax, open, "'[' is never closed", 'add `]`');
        this.unexpected(separator, 'expected `,` or `]`');
      }
    }
    const close = this.next();
    if (values.length === 0) this.fail(Codes.conditionSyntax, { start: open.start, end: close.end }, '`in []` never holds', 'list at least one value');
    return { values, end: this.span(close.start, close.end) };
  }

  private operand(): ConditionOperand {
    const token = this.next();
    const span = this.span(token.start, token.end);
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, span };
      case 'keyword':
        if (token.word === 'true' || token.word === 'false') return { kind: 'literal', value: token.word === 'true', span };
        if (token.word === 'null') return { kind: 'literal', value: null, span };
        return this.unexpected(token, 'expected a value: `params.<name>`, `<task>.<field>`, a number, a quoted string, true, false or null');
      case 'path': {
        const [head, ...path] = token.segments;
        if (head === undefined || path.length === 0) return this.unknownWord(token as ConditionToken & { kind: 'path' });
        const source = head === 'params' ? ({ kind: 'params' } as const) : ({ kind: 'task', task: head } as const);
        return { kind: 'reference', source, path, text: token.text, span };
      }
      default:
        if (token.kind === 'end')
          this.fail(Codes.conditionSyntax, token, 'the condition ends where a value was expected', 'complete the comparison, e.g. `discover.count > 0`');
        return this.unexpected(token, 'expected a value: `params.<name>`, `<task>.<field>`, a number, a quoted string, true, false or null');
    }
  }
}

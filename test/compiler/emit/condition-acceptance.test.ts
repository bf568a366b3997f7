import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { SourceSpan } from '../../../compiler/diagnostics/index.js';
import { conditionRule } from '../../../compiler/emit/condition-rule.js';
import type { ConditionReference } from '../../../compiler/model/index.js';
import { parseCondition } from '../../../compiler/validate/condition/index.js';
import { motoSuitesRun } from '../../support/moto-server.js';
import { PARSER_REJECTION, useMotoParser } from '../../support/moto-parser.js';

/**
 * The Choice rules conditions compile to load in asl-validator and in moto's ASL parser (the strictest reader
 * available offline), the constant rules (`IsPresent` on `$`) and the `...Path` comparators included.
 */

const spanOf = (start: number, end: number): SourceSpan => ({ file: 'w.yaml', start: { line: 1, col: start + 1 }, end: { line: 1, col: end + 1 } });
const pathOf = (r: ConditionReference): string => [r.source.kind === 'params' ? '$.params' : `$.results.${r.source.task}`, ...r.path].join('.');

const CONDITIONS = [
  "discover.count > 0 and params.mode != 'dry-run'",
  'discover.ready == true or discover.count == null',
  "params.mode in ['a', 'b', 3, null] and params.n not in [1.5]",
  'discover.count >= params.min and params.name < discover.name',
  'discover.x == params.y',
  'true',
  'false',
  "not (discover.count <= -2 or discover.label >= 'm')",
];

function machine(text: string): unknown {
  const parsed = parseCondition(text, spanOf);
  if (!parsed.ok) throw new Error(parsed.problem.message);
  return {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ ...conditionRule(parsed.condition, pathOf), Next: 'Run' }], Default: 'Skip' },
      Run: { Type: 'Pass', End: true },
      Skip: { Type: 'Pass', End: true },
    },
  };
}

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errors: unknown[] };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

describe('asl-validator accepts the Choice of', () => {
  for (const text of CONDITIONS) {
    it(text, () => {
      const result = aslValidator(structuredClone(machine(text)), { checkPaths: true, checkArn: true });
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });
  }
});

const runMoto = motoSuitesRun();

describe.skipIf(!runMoto)("moto's Step Functions parser accepts the Choice of", () => {
  const createStateMachine = useMotoParser();
  let counter = 0;

  const create = (definition: unknown) => createStateMachine(`condition-${++counter}`, definition);

  for (const text of CONDITIONS) {
    it(text, async () => {
      const response = await create(machine(text));
      expect(response.text).not.toMatch(PARSER_REJECTION);
      expect(response.status).toBe(200);
    });
  }

  it('refuses a comparator it does not know (control: the parser reads Choice rules)', async () => {
    const definition = machine('discover.count > 0') as { States: { Check: { Choices: Record<string, unknown>[] } } };
    definition.States.Check.Choices = [{ Variable: '$.x', NumericBiggerThan: 1, Next: 'Run' }];
    const response = await create(definition);
    expect(response.text).toMatch(PARSER_REJECTION);
  });
});

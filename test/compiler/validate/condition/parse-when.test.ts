import { describe, expect, it } from 'vitest';
import type { Condition, ConditionReference } from '../../../../compiler/model/index.js';
import { parseWorkflow } from '../../../../compiler/parse/index.js';
import { parseWhen } from '../../../../compiler/validate/condition/index.js';

/** Lines of a workflow whose task `p` has the `when:` given as the following lines. */
function whenOf(...lines: string[]) {
  const source = ['tasks:', '  p:', '    file: tasks/a.py', ...lines, ''].join('\n');
  const { parsed } = parseWorkflow('workflow.yaml', source);
  if (!parsed) throw new Error('does not parse');
  const tasks = (parsed.value as { tasks: Record<string, { when: string }> }).tasks;
  return parseWhen(tasks.p?.when ?? '', parsed.sourceMap, ['tasks', 'p', 'when']);
}

function references(condition: Condition | undefined): ConditionReference[] {
  if (!condition) return [];
  if (condition.kind === 'compare') return [condition.left, condition.right].filter((o): o is ConditionReference => o.kind === 'reference');
  if (condition.kind === 'and' || condition.kind === 'or') return condition.operands.flatMap(references);
  if (condition.kind === 'not') return references(condition.operand);
  if (condition.kind === 'in' && condition.operand.kind === 'reference') return [condition.operand];
  return [];
}

/** `line:col-line:col` of each reference. */
function placed(when: ReturnType<typeof whenOf>): string[] {
  return references(when.condition).map((r) => `${r.text}@${r.span.start.line}:${r.span.start.col}-${r.span.end.line}:${r.span.end.col}`);
}

function firstProblem(when: ReturnType<typeof whenOf>): string {
  const p = when.problems[0];
  return p ? `${p.code}@${p.span.start.line}:${p.span.start.col}-${p.span.end.line}:${p.span.end.col}` : 'none';
}

describe('parseWhen points into the YAML scalar', () => {
  it('plain', () => {
    const when = whenOf('    when: d.count > 0 and params.mode != 1');
    expect(when.problems).toEqual([]);
    expect(when.text).toBe('d.count > 0 and params.mode != 1');
    expect(placed(when)).toEqual(['d.count@4:11-4:18', 'params.mode@4:27-4:38']);
    expect(firstProblem(whenOf('    when: d.count > 0 and params.mode = 1'))).toBe('ORK230@4:39-4:40');
  });

  it('plain, over two lines (folded to a space)', () => {
    const when = whenOf('    when: d.count > 0 and', '      params.mode != 1');
    expect(placed(when)).toEqual(['d.count@4:11-4:18', 'params.mode@5:7-5:18']);
    expect(firstProblem(whenOf('    when: d.count > 0', '      adn params.mode != 1'))).toBe('ORK231@5:7-5:10');
  });

  it('single-quoted, with a doubled quote inside', () => {
    const when = whenOf(`    when: 'params.mode == "it''s" and d.x == 1'`);
    expect(when.problems).toEqual([]);
    expect(placed(when)).toEqual(['params.mode@4:12-4:23', 'd.x@4:39-4:42']);
    expect(firstProblem(whenOf("    when: 'params.mode == ''a'' = d.x'"))).toBe('ORK230@4:33-4:34');
  });

  it('double-quoted, after escapes that are longer in the file than in the value', () => {
    // \u00e9 is one character of the value and six of the file; \" is one and two.
    const when = whenOf('    when: "params.a == \'\\u00e9\\"\' and d.x == 1"');
    expect(when.problems).toEqual([]);
    expect(when.text).toBe("params.a == 'é\"' and d.x == 1");
    expect(placed(when)).toEqual(['params.a@4:12-4:20', 'd.x@4:39-4:42']);
    expect(firstProblem(whenOf('    when: "params.a == \'\\u00e9\' adn d.x == 1"'))).toBe('ORK231@4:33-4:36');
  });

  it('double-quoted, with an escaped line break', () => {
    const when = whenOf('    when: "d.count > 0 and para\\', '      ms.mode == 1"');
    expect(when.text).toBe('d.count > 0 and params.mode == 1');
    expect(placed(when)).toEqual(['d.count@4:12-4:19', 'params.mode@4:28-5:14']);
  });

  it('folded block scalar (>-)', () => {
    const when = whenOf('    when: >-', '      d.count > 0', '      and params.mode != "x"');
    expect(when.problems).toEqual([]);
    expect(placed(when)).toEqual(['d.count@5:7-5:14', 'params.mode@6:11-6:22']);
    expect(firstProblem(whenOf('    when: >', '      d.count > 0', '', '      and params.mode = "x"'))).toBe('ORK230@7:23-7:24');
  });

  it('literal block scalar (|)', () => {
    const when = whenOf('    when: |', '      d.count > 0', '        or params.mode != "x"');
    expect(when.problems).toEqual([]);
    expect(placed(when)).toEqual(['d.count@5:7-5:14', 'params.mode@6:12-6:23']);
    expect(firstProblem(whenOf('    when: |-', '      d.count > 0', '      or params.mode', '      == ture'))).toBe('ORK231@7:10-7:14');
  });

  it('a folded block that keeps its final line breaks (>+), and a file with CRLF line ends', () => {
    expect(firstProblem(whenOf('    when: >+', '      d.count > 0', '      adn d.x == 1', '', '  q:', '    file: tasks/a.py'))).toBe('ORK231@6:7-6:10');
    const source = ['tasks:', '  p:', '    file: tasks/a.py', "    when: 'd.count > 0", "      and d.x = 1'", ''].join('\r\n');
    const { parsed } = parseWorkflow('workflow.yaml', source);
    if (!parsed) throw new Error('does not parse');
    const text = (parsed.value as { tasks: { p: { when: string } } }).tasks.p.when;
    expect(firstProblem(parseWhen(text, parsed.sourceMap, ['tasks', 'p', 'when']))).toBe('ORK230@5:15-5:16');
  });

  it('a block scalar with an explicit indentation points at the whole value rather than a wrong column', () => {
    const when = whenOf('    when: |2', '        d.count = 0');
    expect(firstProblem(when)).toBe('ORK230@4:11-6:1');
  });

  it('names the task in the message and keeps the hint', () => {
    const when = whenOf('    when: d.ready');
    expect(when.problems).toEqual([
      {
        code: 'ORK232',
        severity: 'error',
        message: "task 'p': when: 'd.ready' alone is not a condition",
        span: { file: 'workflow.yaml', start: { line: 4, col: 11 }, end: { line: 4, col: 18 } },
        hint: 'compare it: write `d.ready == true`, `d.ready > 0` or `d.ready != null`',
      },
    ]);
  });
});

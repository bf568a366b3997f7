/** Stage 3, checkGraph: the task DAG, its topological order, and references and cycles checked. */
import { describe, expect, it } from 'vitest';
import { permissiveHost, type Diagnostic } from '../../compiler/index.js';
// The stages' own entry points, by path: they are not the compiler's public API.
import { sortDiagnostics } from '../../compiler/diagnostics/index.js';
import { buildTaskGraph, checkGraph, type GraphResult } from '../../compiler/graph/index.js';
import type { TaskSpec, WorkflowSpec } from '../../compiler/model/index.js';
import { parseWorkflow } from '../../compiler/parse/index.js';
import { validateWorkflow } from '../../compiler/validate/index.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** A workflow whose tasks have these dependencies, in this file order: `{ b: ['a'] }` is b depends_on [a]. */
function workflow(dependencies: Record<string, readonly string[]>): string {
  return yaml(
    'tasks:',
    ...Object.entries(dependencies).flatMap(([name, deps]) => [
      `  ${name}:`,
      `    file: ${name}.py`,
      ...(deps.length > 0 ? [`    depends_on: [${deps.join(', ')}]`] : []),
    ]),
  );
}

function graphOf(source: string): GraphResult & { validation: readonly Diagnostic[] } {
  const parse = parseWorkflow('workflow.yaml', source);
  if (!parse.parsed) throw new Error(`did not parse: ${JSON.stringify(parse.diagnostics)}`);
  const validation = validateWorkflow(parse.parsed, permissiveHost());
  const tasks = (parse.parsed.value as { tasks?: object }).tasks ?? {};
  const result = checkGraph(validation.spec, new Set(Object.keys(tasks)));
  return { ...result, diagnostics: sortDiagnostics(result.diagnostics), validation: validation.diagnostics };
}

/** A graph straight from names and edges, without YAML (the planner and order only need these). */
function graphFromEdges(dependencies: Record<string, readonly string[]>) {
  const span = { file: 'workflow.yaml', start: { line: 1, col: 1 }, end: { line: 1, col: 2 } };
  const tasks = Object.entries(dependencies).map(
    ([name, deps]) => ({ name, dependsOn: deps.map((task) => ({ task, span, implicit: false })) }) as unknown as TaskSpec,
  );
  return buildTaskGraph({ name: 'w', params: {}, triggers: [], tasks, file: 'workflow.yaml' } as WorkflowSpec);
}

describe('the task graph', () => {
  it('records upstream and downstream tasks in the order written', () => {
    const { graph, diagnostics } = graphOf(workflow({ a: [], b: [], c: ['b', 'a'], d: ['c', 'a'] }));
    expect(diagnostics).toEqual([]);
    expect(Object.fromEntries(graph.upstream)).toEqual({ a: [], b: [], c: ['b', 'a'], d: ['c', 'a'] });
    expect(Object.fromEntries(graph.downstream)).toEqual({ a: ['c', 'd'], b: ['c'], c: ['d'], d: [] });
    expect([...graph.tasks.keys()]).toEqual(['a', 'b', 'c', 'd']);
  });

  it('counts fan-out sources as dependencies, once', () => {
    const { graph } = graphOf(
      yaml(
        'tasks:',
        '  src:',
        '    file: s.py',
        '  n:',
        '    file: n.py',
        '  fan:',
        '    file: f.py',
        '    depends_on: [src]',
        '    foreach: src.items',
        '    parallel: n.count',
      ),
    );
    expect(graph.upstream.get('fan')).toEqual(['src', 'n']);
    expect(graph.downstream.get('src')).toEqual(['fan']);
  });

  it('leaves unknown tasks and self-references out of the edges', () => {
    const { graph } = graphOf(workflow({ a: ['a', 'ghost'], b: ['a', 'a'] }));
    expect(Object.fromEntries(graph.upstream)).toEqual({ a: [], b: ['a'] });
  });
});

describe('topological order', () => {
  it('keeps file order when nothing forces another', () => {
    expect(graphFromEdges({ c: [], a: [], b: [] }).order).toEqual(['c', 'a', 'b']);
  });

  it('puts every task after its dependencies, written before or after it', () => {
    expect(graphFromEdges({ report: ['load'], load: ['extract'], extract: [] }).order).toEqual(['extract', 'load', 'report']);
  });

  it('breaks ties by file order', () => {
    // After a, both d and b are ready: b comes first because it is written first.
    expect(graphFromEdges({ d: ['a'], c: ['b', 'd'], b: ['a'], a: [] }).order).toEqual(['a', 'd', 'b', 'c']);
  });

  it('orders a diamond', () => {
    expect(graphFromEdges({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }).order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('orders independent components by file order', () => {
    expect(graphFromEdges({ x2: ['x1'], y1: [], x1: [], y2: ['y1'] }).order).toEqual(['y1', 'x1', 'x2', 'y2']);
  });

  it('is a valid order for a large random DAG', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const names = Array.from({ length: 400 }, (_, i) => `t${i}`);
    const dependencies: Record<string, string[]> = {};
    // Edges only from lower to higher index keep it acyclic; the file order is shuffled.
    for (const [i, name] of names.entries()) dependencies[name] = names.slice(0, i).filter(() => random() < 0.02);
    const shuffled = Object.fromEntries([...names].sort(() => random() - 0.5).map((n) => [n, dependencies[n] ?? []]));
    const { order } = graphFromEdges(shuffled);
    expect([...order].sort()).toEqual([...names].sort());
    const position = new Map(order.map((n, i) => [n, i]));
    for (const [name, deps] of Object.entries(dependencies)) for (const dep of deps) expect(position.get(dep)).toBeLessThan(position.get(name) ?? -1);
  });

  it('leaves tasks on or after a cycle out of the order', () => {
    expect(graphFromEdges({ a: [], b: ['a', 'c'], c: ['b'], d: ['c'], e: ['a'] }).order).toEqual(['a', 'e']);
  });
});

describe('cycles', () => {
  it('names a two-task cycle, at the first task in the file', () => {
    const { diagnostics } = graphOf(workflow({ a: ['b'], b: ['a'] }));
    expect(diagnostics).toMatchObject([
      {
        code: 'ORK303',
        span: { start: { line: 4, col: 18 } },
        message: 'dependency cycle: a → b → a (each depends on the next)',
        hint: "remove one of these dependencies; for example 'b' from the dependencies of 'a'",
      },
    ]);
  });

  it('names the cycle in order, following depends_on from the first task in the file', () => {
    // x → z → y → x: x depends on z, z on y, y on x.
    const { diagnostics } = graphOf(workflow({ start: [], x: ['start', 'z'], y: ['x'], z: ['y'] }));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toBe('dependency cycle: x → z → y → x (each depends on the next)');
    // At `z` in x's depends_on (line 6).
    expect(diagnostics[0]?.span.start).toEqual({ line: 6, col: 25 });
  });

  it('names the shortest cycle through the first task of a tangled component', () => {
    const { diagnostics } = graphOf(workflow({ a: ['b', 'd'], b: ['c'], c: ['a'], d: ['a'] }));
    expect(diagnostics.map((d) => d.message)).toEqual(['dependency cycle: a → d → a (each depends on the next)']);
  });

  it('reports each separate cycle', () => {
    const { diagnostics } = graphOf(workflow({ a: ['b'], b: ['a'], ok: [], c: ['d'], d: ['e'], e: ['c'] }));
    expect(diagnostics.map((d) => d.message)).toEqual([
      'dependency cycle: a → b → a (each depends on the next)',
      'dependency cycle: c → d → e → c (each depends on the next)',
    ]);
  });

  it('finds cycles through fan-out references, at the reference', () => {
    const { diagnostics } = graphOf(yaml('tasks:', '  a:', '    file: a.py', '    parallel: b.count', '  b:', '    file: b.py', '    depends_on: [a]'));
    expect(diagnostics).toMatchObject([{ code: 'ORK303', span: { start: { line: 4, col: 15 } }, message: expect.stringContaining('a → b → a') }]);
  });

  it('reports a self-reference as such, not as a cycle', () => {
    const { diagnostics } = graphOf(workflow({ a: ['a'] }));
    expect(diagnostics).toMatchObject([{ code: 'ORK302', span: { start: { line: 4, col: 18 } }, message: "task 'a' depends on itself (depends_on 'a')" }]);
  });

  it('handles a cycle of thousands of tasks without deep recursion, and names its ends', () => {
    const n = 2000;
    const dependencies = Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, [`t${(i + 1) % n}`]]));
    const started = performance.now();
    const { diagnostics } = graphOf(workflow(dependencies));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toBe(
      `dependency cycle: t0 → t1 → t2 → t3 → t4 → t5 → t6 → t7 → … (${n - 10} more) → t1998 → t1999 → t0 (each depends on the next)`,
    );
  });
});

describe('references', () => {
  it('reports unknown tasks with a suggestion', () => {
    const { diagnostics } = graphOf(workflow({ discover: [], process: ['discovr'] }));
    expect(diagnostics).toMatchObject([
      {
        code: 'ORK301',
        span: { start: { line: 6, col: 18 } },
        message: "task 'process': unknown task 'discovr' in depends_on",
        hint: "did you mean 'discover'?",
      },
    ]);
  });

  it('does not call a task unknown because its own settings were invalid', () => {
    const { diagnostics, validation } = graphOf(yaml('tasks:', '  a: not-a-mapping', '  b:', '    file: b.py', '    depends_on: [a]'));
    expect(validation.map((d) => d.code)).toEqual(['ORK200']);
    expect(diagnostics).toEqual([]);
  });

  it('warns about a dependency listed twice', () => {
    const { diagnostics } = graphOf(workflow({ a: [], b: ['a', 'a'] }));
    expect(diagnostics).toMatchObject([{ code: 'ORK305', severity: 'warning', span: { start: { line: 6, col: 21 } } }]);
  });

  it('does not warn when a dependency is both listed and a fan-out source', () => {
    const { diagnostics } = graphOf(yaml('tasks:', '  a:', '    file: a.py', '  b:', '    file: b.py', '    depends_on: [a]', '    foreach: a.items'));
    expect(diagnostics).toEqual([]);
  });

  it('refuses a fan-out over a task that itself fans out', () => {
    const { diagnostics } = graphOf(
      yaml('tasks:', '  a:', '    file: a.py', '    foreach: src.items', '  src:', '    file: s.py', '  b:', '    file: b.py', '    parallel: a.count'),
    );
    expect(diagnostics).toMatchObject([
      { code: 'ORK304', span: { start: { line: 9, col: 15 } }, message: expect.stringContaining("reads a field of 'a', which fans out") },
    ]);
  });
});

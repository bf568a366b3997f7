/**
 * Property test of skipping over a whole workflow (issue 15, docs/conditions.md): random DAGs with random
 * `when:` conditions over params and upstream outputs, `if: always` edges, a few static fan-outs and
 * sometimes an `on_failure:` handler, compiled by compile() and executed by aws-local-stepfunctions for
 * random params. Each run is checked against a reference model, evaluated in topological order: a task is
 * skipped when a required upstream (depends_on without `if: always`) was skipped, else when its condition
 * is false; otherwise it runs. So no task runs whose condition is false or whose required upstream was
 * skipped, none that should run is skipped, a skipped task's result is null (in the output and in the
 * inputs of its `if: always` dependents), and the execution succeeds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import '../../lib/local/promise-polyfill.js';
import { compile, permissiveHost, type CompileResult } from '../../compiler/index.js';
import { substitutePlaceholders } from '../support/workflows.js';

const MAX_TASKS = 10;

// ---------------------------------------------------------------------------------------------------------
// Values and conditions
// ---------------------------------------------------------------------------------------------------------

type Literal = string | number | boolean | null;

/** Absent from its object: reads as null. */
const MISSING = Symbol('missing');
type Value = Literal | typeof MISSING;

/** Few distinct values, so that equal and ordered pairs come up often. */
const LITERALS: readonly Literal[] = [null, true, false, 0, 1, 2, 'x', 'y'];
const valueArb: fc.Arbitrary<Value> = fc.constantFrom<Value>(MISSING, ...LITERALS);

const PARAMS = ['a', 'b'] as const;

/** An operand: a reference picked (modulo) among the params or among the upstreams' fields, or a literal. */
type OperandGene = { readonly pick: number; readonly upstream: boolean } | { readonly literal: Literal };
type ExprGene =
  | { readonly kind: 'compare'; readonly operator: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly left: OperandGene; readonly right: OperandGene }
  | { readonly kind: 'in'; readonly operand: OperandGene; readonly values: readonly Literal[] }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly ExprGene[] }
  | { readonly kind: 'not'; readonly operand: ExprGene };

const operandArb: fc.Arbitrary<OperandGene> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ pick: fc.nat(), upstream: fc.boolean() }) },
  { weight: 2, arbitrary: fc.constantFrom(...LITERALS).map((literal) => ({ literal })) },
);

const { expr: exprArb } = fc.letrec<{ expr: ExprGene; leaf: ExprGene }>((tie) => ({
  leaf: fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(operandArb, fc.constantFrom<'==' | '!=' | '<' | '<=' | '>' | '>='>('==', '!=', '<', '<=', '>', '>='), operandArb)
        .map(([left, operator, right]): ExprGene => ({ kind: 'compare', operator, left, right })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(operandArb, fc.array(fc.constantFrom(...LITERALS), { minLength: 1, maxLength: 3 }))
        .map(([operand, values]): ExprGene => ({ kind: 'in', operand, values })),
    },
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: tie('leaf') },
    { weight: 1, arbitrary: tie('expr').map((operand): ExprGene => ({ kind: 'not', operand })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), fc.array(tie('expr'), { minLength: 2, maxLength: 3 }))
        .map(([kind, operands]): ExprGene => ({ kind, operands })),
    },
  ),
}));

/** A condition with its references resolved: `params.a`, or `t3.v` (a field of an upstream's output). */
type Operand = { readonly params: string } | { readonly task: string } | { readonly literal: Literal };
type Expr =
  | { readonly kind: 'compare'; readonly operator: string; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'in'; readonly operand: Operand; readonly values: readonly Literal[] }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Expr[] }
  | { readonly kind: 'not'; readonly operand: Expr };

/** Ordering a literal that is neither a number nor a string is refused (ORK233): such a literal becomes one. */
const ORDERABLE = new Map<Literal, Literal>([
  [null, 'x'],
  [true, 1],
  [false, 0],
]);

function resolve(gene: ExprGene, readable: { readonly params: readonly Operand[]; readonly upstream: readonly Operand[] }): Expr {
  const operand = (o: OperandGene, ordering = false): Operand => {
    if ('literal' in o) return ordering && ORDERABLE.has(o.literal) ? { literal: ORDERABLE.get(o.literal) ?? 0 } : o;
    const from = o.upstream && readable.upstream.length > 0 ? readable.upstream : readable.params;
    return from[o.pick % from.length] as Operand;
  };
  switch (gene.kind) {
    case 'compare': {
      const ordering = gene.operator !== '==' && gene.operator !== '!=';
      return { ...gene, left: operand(gene.left, ordering), right: operand(gene.right, ordering) };
    }
    case 'in':
      return { ...gene, operand: operand(gene.operand) };
    case 'and':
    case 'or':
      return { kind: gene.kind, operands: gene.operands.map((g) => resolve(g, readable)) };
    case 'not':
      return { kind: 'not', operand: resolve(gene.operand, readable) };
  }
}

function literalText(value: Literal): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function operandText(o: Operand): string {
  return 'params' in o ? `params.${o.params}` : 'task' in o ? `${o.task}.v` : literalText(o.literal);
}

/** As a user writes it; every sub-expression in parentheses so precedence never decides. */
function exprText(e: Expr): string {
  switch (e.kind) {
    case 'compare':
      return `${operandText(e.left)} ${e.operator} ${operandText(e.right)}`;
    case 'in':
      return `${operandText(e.operand)} in [${e.values.map(literalText).join(', ')}]`;
    case 'and':
    case 'or':
      return e.operands.map((o) => `(${exprText(o)})`).join(` ${e.kind} `);
    case 'not':
      return `not (${exprText(e.operand)})`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Generated workflows
// ---------------------------------------------------------------------------------------------------------

interface GenTask {
  readonly name: string;
  /** Direct dependencies; `always` is `{task, if: always}`. */
  readonly deps: readonly { readonly task: string; readonly always: boolean }[];
  /** `parallel:` (a static count), or none. */
  readonly parallel?: number;
  readonly when?: Expr;
  /** What each instance returns as `v`; MISSING leaves it out. */
  readonly v: Value;
}

interface GenWorkflow {
  readonly tasks: readonly GenTask[];
  readonly onFailure: boolean;
}

interface TaskGenes {
  readonly edgeRolls: readonly number[];
  readonly alwaysRolls: readonly number[];
  readonly parallel: number | null;
  readonly when: ExprGene | null;
  readonly v: Value;
}

const genesArb: fc.Arbitrary<TaskGenes> = fc.record({
  edgeRolls: fc.array(fc.nat(99), { minLength: MAX_TASKS, maxLength: MAX_TASKS }),
  alwaysRolls: fc.array(fc.nat(99), { minLength: MAX_TASKS, maxLength: MAX_TASKS }),
  parallel: fc.option(fc.integer({ min: 1, max: 2 }), { freq: 5 }),
  when: fc.option(exprArb, { freq: 3, nil: null }),
  v: valueArb,
});

/** Transitive upstreams of each task, through any edge (a condition may read any of them). */
function ancestorsOf(tasks: readonly GenTask[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const t of tasks) {
    const set = new Set<string>();
    for (const d of t.deps) {
      set.add(d.task);
      for (const a of found.get(d.task) ?? []) set.add(a);
    }
    found.set(t.name, set);
  }
  return found;
}

/** Each edge goes from an earlier task to a later one, so the names' order is a topological order. */
const workflowArb: fc.Arbitrary<GenWorkflow> = fc
  .record({
    density: fc.integer({ min: 10, max: 60 }),
    alwaysShare: fc.integer({ min: 0, max: 50 }),
    genes: fc.array(genesArb, { minLength: 1, maxLength: MAX_TASKS }),
    onFailure: fc.boolean(),
  })
  .map(({ density, alwaysShare, genes, onFailure }) => {
    const tasks: GenTask[] = [];
    genes.forEach((g, j) => {
      const deps = tasks.flatMap((t, i) => ((g.edgeRolls[i] ?? 100) < density ? [{ task: t.name, always: (g.alwaysRolls[i] ?? 100) < alwaysShare }] : []));
      const ancestors = ancestorsOf([...tasks, { name: `t${j}`, deps, v: null }]).get(`t${j}`) ?? new Set<string>();
      // A fan-out's output is a list: a condition may not read it (ORK313).
      const readable = {
        params: PARAMS.map((p) => ({ params: p })),
        upstream: tasks.filter((t) => ancestors.has(t.name) && t.parallel === undefined).map((t) => ({ task: t.name })),
      };
      tasks.push({
        name: `t${j}`,
        deps,
        ...(g.parallel !== null ? { parallel: g.parallel } : {}),
        ...(g.when !== null ? { when: resolve(g.when, readable) } : {}),
        v: g.v,
      });
    });
    return { tasks, onFailure };
  });

function toYaml(w: GenWorkflow): string {
  const tasks: Record<string, unknown> = {};
  for (const t of w.tasks) {
    const doc: Record<string, unknown> = { file: `tasks/${t.name}.py` };
    if (t.deps.length > 0) doc.depends_on = t.deps.map((d) => (d.always ? { task: d.task, if: 'always' } : d.task));
    if (t.parallel !== undefined) doc.parallel = t.parallel;
    if (t.when) doc.when = exprText(t.when);
    tasks[t.name] = doc;
  }
  return stringify({ name: 'conditions', tasks, ...(w.onFailure ? { on_failure: { file: 'tasks/alert.py' } } : {}) });
}

function compiled(w: GenWorkflow): CompileResult & { readonly yaml: string } {
  const yaml = toYaml(w);
  const result = compile({ file: '/workflow/workflow.yaml', source: yaml, host: permissiveHost('/workflow') });
  expect(
    result.diagnostics.filter((d) => d.severity === 'error'),
    `compile errors for\n${yaml}`,
  ).toEqual([]);
  return { ...result, yaml };
}

// ---------------------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------------------

type Params = Record<string, Literal>;

function outputOf(task: GenTask, parallelIndex: number): Record<string, unknown> {
  return { id: `${task.name}/${parallelIndex}`, ...(task.v === MISSING ? {} : { v: task.v }) };
}

/** A task's result when it runs: its output, or the list of its instances' outputs. */
function resultOf(task: GenTask): unknown {
  return task.parallel === undefined ? outputOf(task, 0) : Array.from({ length: task.parallel }, (_, p) => outputOf(task, p));
}

function equal(a: Literal, b: Literal): boolean {
  return a === b;
}

/** docs/conditions.md: missing ≡ null, == type-strict, ordering only between two numbers or two strings. */
function holds(e: Expr, params: Params, results: Readonly<Record<string, unknown>>): boolean {
  const value = (o: Operand): Literal => {
    if ('literal' in o) return o.literal;
    const from = 'params' in o ? params[o.params] : (results[o.task] as Record<string, Literal> | null)?.v;
    return from === undefined ? null : from;
  };
  switch (e.kind) {
    case 'and':
      return e.operands.every((o) => holds(o, params, results));
    case 'or':
      return e.operands.some((o) => holds(o, params, results));
    case 'not':
      return !holds(e.operand, params, results);
    case 'in':
      return e.values.some((v) => equal(value(e.operand), v));
    case 'compare': {
      const [a, b] = [value(e.left), value(e.right)];
      if (e.operator === '==') return equal(a, b);
      if (e.operator === '!=') return !equal(a, b);
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      return { '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b }[e.operator] ?? false;
    }
  }
}

/** Which tasks run, and every task's result (null when skipped), in topological order. */
function expected(w: GenWorkflow, params: Params): { ran: Set<string>; results: Record<string, unknown> } {
  const ran = new Set<string>();
  const results: Record<string, unknown> = {};
  for (const t of w.tasks) {
    const upstreamSkipped = t.deps.some((d) => !d.always && !ran.has(d.task));
    const runs = !upstreamSkipped && (!t.when || holds(t.when, params, results));
    if (runs) ran.add(t.name);
    results[t.name] = runs ? resultOf(t) : null;
  }
  return { ran, results };
}

// ---------------------------------------------------------------------------------------------------------
// Execution in aws-local-stepfunctions
// ---------------------------------------------------------------------------------------------------------

interface Invocation {
  readonly task: string;
  readonly payload: Record<string, unknown>;
}

async function runAll(w: GenWorkflow, result: CompileResult & { readonly yaml: string }, paramSets: readonly Params[]): Promise<void> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  if (!result.definition || !result.manifest) throw new Error('did not compile');
  const byName = new Map(w.tasks.map((t) => [t.name, t]));
  let invocations: Invocation[] = [];
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const entry of result.manifest.tasks) {
    for (const stateName of entry.stateNames) {
      handlers[stateName] = (input) => {
        const payload = input as Record<string, unknown>;
        invocations.push({ task: entry.name, payload });
        const task = byName.get(entry.name);
        return Promise.resolve(task ? outputOf(task, payload.parallel_index as number) : {});
      };
    }
  }
  // Not validated: asl-validator takes ten times as long as the runs (test/compiler/asl-acceptance.test.ts
  // validates what emit produces).
  const machine = new StateMachine(substitutePlaceholders(result.definition) as never, { validationOptions: { noValidate: true } });
  for (const params of paramSets) {
    invocations = [];
    const model = expected(w, params);
    const context = `params ${JSON.stringify(params)}, workflow\n${result.yaml}`;
    const execution = machine.run(params as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: 'exec-1' }, State: { RetryCount: 0 } } as never,
    });
    // A failed execution rejects: the run must succeed, skipped tasks and all.
    const output = await execution.result;
    expect(output, `output: every task's result, null when skipped; ${context}`).toEqual(model.results);
    expect([...new Set(invocations.map((i) => i.task))].sort(), `tasks that ran; ${context}`).toEqual([...model.ran].sort());
    for (const invocation of invocations) {
      const task = byName.get(invocation.task) as GenTask;
      expect(invocation.payload.params, context).toEqual(params);
      // An if: always dependent receives null for a skipped upstream.
      expect(invocation.payload.inputs, `inputs of ${task.name}; ${context}`).toEqual(
        Object.fromEntries(task.deps.map((d) => [d.task, model.results[d.task]])),
      );
    }
    for (const t of w.tasks) {
      if (model.ran.has(t.name))
        expect(
          invocations.filter((i) => i.task === t.name),
          `instances of ${t.name}; ${context}`,
        ).toHaveLength(t.parallel ?? 1);
    }
  }
}

const paramsArb: fc.Arbitrary<Params> = fc
  .record({ a: valueArb, b: valueArb })
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== MISSING)) as Params);

describe('skipping over a whole workflow', () => {
  it('random DAGs with conditions, if: always edges and static fan-outs run exactly the tasks the semantics says, in aws-local-stepfunctions', async () => {
    await fc.assert(
      fc.asyncProperty(workflowArb, fc.array(paramsArb, { minLength: 1, maxLength: 4 }), async (w, paramSets) => {
        await runAll(w, compiled(w), paramSets);
      }),
      // Shrinking runs executions too: bound it so a failure is reported, not timed out.
      { numRuns: 200, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: true },
    );
  }, 60_000);

  it('the generators produce what matters: skips that carry, if: always past a skip, conditions that read a skipped upstream', () => {
    const seen = { carried: 0, alwaysPastSkip: 0, readsSkipped: 0 };
    fc.assert(
      fc.property(workflowArb, paramsArb, (w, params) => {
        const { ran } = expected(w, params);
        for (const t of w.tasks) {
          const skippedRequired = t.deps.some((d) => !d.always && !ran.has(d.task));
          if (skippedRequired && !t.when) seen.carried++;
          if (ran.has(t.name) && t.deps.some((d) => d.always && !ran.has(d.task))) seen.alwaysPastSkip++;
          const readsSkipped = exprText(t.when ?? { kind: 'in', operand: { literal: null }, values: [null] })
            .match(/t\d+\.v/g)
            ?.some((r) => !ran.has(r.slice(0, -2)));
          if (!skippedRequired && readsSkipped) seen.readsSkipped++;
        }
      }),
      // Counting only (nothing runs): enough cases, and a fixed seed, that the counts do not depend on the draw.
      { numRuns: 2000, seed: 15 },
    );
    expect(seen.carried).toBeGreaterThan(20);
    expect(seen.alwaysPastSkip).toBeGreaterThan(20);
    expect(seen.readsSkipped).toBeGreaterThan(5);
  });
});

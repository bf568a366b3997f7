import '../../lib/local/promise-polyfill.js';
import { describe, expect, it } from 'vitest';
import { compile, permissiveHost, type StateMachineDefinition } from '../../compiler/index.js';

/**
 * Inline fan-outs check tolerate_failures in the machine itself (ASL has no multiplication, so a
 * percentage is compared with repeated, flattened lists: compiler/emit/tolerated-failures.ts). These run
 * the compiled definition in aws-local-stepfunctions with stub tasks that fail chosen instances.
 */

type Outcome = { status: 'SUCCEEDED'; results: Record<string, unknown> } | { status: 'FAILED'; error: string; cause: string };

function compileWork(fanOut: string, tolerance: string): StateMachineDefinition {
  const source = [
    'name: tolerant',
    'tasks:',
    '  make:',
    '    file: tasks/make.py',
    '  work:',
    '    file: tasks/work.py',
    ...fanOut.split('\n').map((l) => `    ${l}`),
    `    tolerate_failures: ${tolerance}`,
    '  report:',
    '    file: tasks/report.py',
    '    depends_on: work',
  ].join('\n');
  const result = compile({ file: 'workflow.yaml', source, host: permissiveHost() });
  if (!result.ok || !result.definition) throw new Error(JSON.stringify(result.diagnostics));
  return result.definition;
}

async function run(
  definition: StateMachineDefinition,
  make: Record<string, unknown>,
  failing: (payload: Record<string, unknown>) => boolean,
): Promise<Outcome> {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const text = JSON.stringify(definition).replace(/\$\{OrkFunction_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1');
  const local = JSON.parse(text) as StateMachineDefinition;
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const stateNames = JSON.stringify(local).match(/"(work[\w-]*|make|report)":\{"Type":"Task"/g) ?? [];
  for (const entry of stateNames) {
    const name = entry.slice(1, entry.indexOf('"', 1));
    handlers[name] = async (input) => {
      const payload = input as Record<string, unknown>;
      if (payload.task === 'make') return make;
      if (payload.task === 'report') return { received: (payload.inputs as Record<string, unknown>).work };
      if (failing(payload)) {
        const error = new Error(`instance ${String(payload.parallel_index ?? payload.item_index)} failed`);
        error.name = 'ValueError';
        throw error;
      }
      return { index: payload.parallel_index, item: payload.item ?? null };
    };
  }
  const machine = new StateMachine(local as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(
    {},
    {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:tolerant:1' }, State: { RetryCount: 0 } } as never,
    },
  );
  try {
    const results = (await execution.result) as Record<string, unknown>;
    return { status: 'SUCCEEDED', results };
  } catch (thrown) {
    const error = thrown as Error & { cause?: unknown };
    const cause = error.cause instanceof Error ? error.cause : error;
    return { status: 'FAILED', error: cause.name, cause: cause.message };
  }
}

const failIndexes =
  (...indexes: number[]) =>
  (payload: Record<string, unknown>): boolean =>
    indexes.includes(payload.parallel_index as number);

describe('tolerate_failures in inline mode', () => {
  const percent = compileWork('parallel: make.n\nmode: inline', '10%');

  it('a percentage of a run-time count: at the threshold the fan-out succeeds, failures in place', async () => {
    const outcome = await run(percent, { n: 20 }, failIndexes(3, 17));
    expect(outcome.status).toBe('SUCCEEDED');
    if (outcome.status !== 'SUCCEEDED') return;
    const work = outcome.results.work as Record<string, unknown>[];
    expect(work).toHaveLength(20);
    expect(work[3]).toEqual({ ork_failed: { error: 'ValueError', cause: expect.stringContaining('instance 3 failed'), parallel_index: 3 } });
    expect(work[4]).toEqual({ index: 4, item: null });
  });

  it('one failure above the percentage fails the run with AWS’s error name, under Ork’s prefix', async () => {
    const outcome = await run(percent, { n: 20 }, failIndexes(1, 2, 3));
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'Ork.ExceedToleratedFailureThreshold', cause: expect.stringContaining('tolerate_failures: 10%') });
  });

  it('no failure at all skips the arithmetic', async () => {
    const outcome = await run(percent, { n: 7 }, () => false);
    expect(outcome.status).toBe('SUCCEEDED');
  });

  it('an uneven percentage (33% of 10 → 3 tolerated)', async () => {
    const third = compileWork('parallel: make.n\nmode: inline', '33%');
    expect((await run(third, { n: 10 }, failIndexes(0, 5, 9))).status).toBe('SUCCEEDED');
    expect((await run(third, { n: 10 }, failIndexes(0, 5, 8, 9))).status).toBe('FAILED');
  });

  it('a count, on a foreach', async () => {
    const definition = compileWork('foreach: make.files\nmode: inline', '2');
    const files = ['a', 'b', 'c', 'd', 'e'];
    const failItems =
      (...names: string[]) =>
      (p: Record<string, unknown>) =>
        names.includes(p.item as string);
    expect((await run(definition, { files }, failItems('b', 'd'))).status).toBe('SUCCEEDED');
    expect(await run(definition, { files }, failItems('a', 'b', 'd'))).toMatchObject({ status: 'FAILED', error: 'Ork.ExceedToleratedFailureThreshold' });
  });

  it('a percentage of a static count becomes a count at compile time', async () => {
    const definition = compileWork('parallel: 10', '20%');
    expect(JSON.stringify(definition)).not.toContain('failure-scale');
    expect((await run(definition, {}, failIndexes(1, 2))).status).toBe('SUCCEEDED');
    expect((await run(definition, {}, failIndexes(1, 2, 3))).status).toBe('FAILED');
  });

  it('foreach × parallel: failures counted over every instance', async () => {
    const definition = compileWork('foreach: make.files\nparallel: 3\nmode: inline', '1');
    const files = ['a', 'b'];
    const outcome = await run(definition, { files }, (p) => p.item === 'b' && p.parallel_index === 2);
    expect(outcome.status).toBe('SUCCEEDED');
    if (outcome.status === 'SUCCEEDED') expect((outcome.results.work as unknown[])[5]).toMatchObject({ ork_failed: { item_index: 1, parallel_index: 2 } });
    expect((await run(definition, { files }, (p) => p.parallel_index === 2)).status).toBe('FAILED');
  });
});

import '../../lib/local/promise-polyfill.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, permissiveHost, Placeholders, type CompileResult } from '../../compiler/index.js';
import { createDistributedMapHandlers } from '../../lib/local/distributed-map-runner.js';
import { adaptForLocal } from '../../lib/local/local-adaptation.js';
import { withMovedParameters } from '../../lib/local/task-parameters-in-handler.js';
import { substitutePlaceholders } from '../../lib/local/substitute-placeholders.js';
import type { TaskHandler } from '../../lib/local/task-handlers.js';

/**
 * Issue 7's bound: whatever the fan-out's size, no state of the parent execution carries more than a small,
 * fixed payload, and the parent's history does not grow with the item count. The compiled definition of
 * an automatic `foreach` runs in the local engine with its Distributed Map runner; stub tasks keep to the
 * runtimes' contract (docs/scale.md) — the upstream stores the list when its payload asks — so that
 * 100,000 children take seconds, not minutes. Every parent event's state input and output is measured,
 * and so is every child's payload.
 */

const WORKFLOW = `name: bounded
tasks:
  make:
    file: tasks/make.py
  each:
    file: tasks/each.py
    foreach: make.items
    timeout: 30s
  report:
    file: tasks/report.py
    depends_on: each
`;

/** The most any state of the parent may carry: the outputs are references, not lists. */
const PARENT_STATE_BYTES = 4 * 1024;
const CHILD_PAYLOAD_BYTES = 1024;

let work: string;
let compiled: CompileResult;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-bounded-'));
  compiled = compile({ file: 'workflow.yaml', source: WORKFLOW, host: permissiveHost() });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Measured {
  readonly parentEvents: number;
  readonly largestParentState: number;
  readonly largestChildPayload: number;
  readonly children: number;
  readonly reportInput: Record<string, unknown>;
}

async function runWith(items: number): Promise<Measured> {
  const bucket = path.join(work, `payloads-${items}`);
  mkdirSync(bucket, { recursive: true });
  const definition = substitutePlaceholders(compiled.definition!, {
    [Placeholders.function('make')]: 'arn:aws:lambda:us-east-1:000000000000:function:make',
    [Placeholders.function('each')]: 'arn:aws:lambda:us-east-1:000000000000:function:each',
    [Placeholders.function('report')]: 'arn:aws:lambda:us-east-1:000000000000:function:report',
    [Placeholders.payloadBucket]: bucket,
  });
  const { definition: local, distributedMaps } = adaptForLocal(definition);
  let largestChildPayload = 0;
  let children = 0;
  let reportInput: Record<string, unknown> = {};
  const handlers: Record<string, TaskHandler> = {
    make: async (payload) => {
      // The runtime's side of the contract: the payload says which field feeds a distributed foreach.
      const fields = (payload as { fan_out_fields?: { path: string[]; above: number }[] }).fan_out_fields;
      expect(fields).toEqual([{ path: ['items'], above: 40 }]);
      const list = Array.from({ length: items }, (_, i) => `s3://data/file-${i}.csv`);
      writeFileSync(path.join(bucket, 'items.json'), JSON.stringify(list));
      return { items: { ork_items: { bucket, key: 'items.json', count: items } } };
    },
    'each-child': async (payload) => {
      children++;
      largestChildPayload = Math.max(largestChildPayload, JSON.stringify(payload).length);
      return { rows: (payload as { item_index: number }).item_index % 97 };
    },
    report: async (payload) => {
      reportInput = (payload as { inputs: Record<string, unknown> }).inputs;
      return { ok: true };
    },
  };
  const parentContext = {
    Execution: { Id: `arn:aws:states:us-east-1:000000000000:execution:bounded:${items}` },
    StateMachine: { Name: 'bounded' },
    State: { RetryCount: 0 },
  };
  const all = withMovedParameters(definition, handlers);
  Object.assign(
    all,
    createDistributedMapHandlers({ maps: distributedMaps, handlers: all, StateMachine, manifest: compiled.manifest!, parentContext, observer: {} }),
  );
  const machine = new StateMachine(local as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run({} as never, { overrides: { taskResourceLocalHandlers: all as never }, context: parentContext as never });
  let parentEvents = 0;
  let largestParentState = 0;
  const watched = (async () => {
    for await (const event of execution.eventLogs as AsyncIterable<{ state?: { input?: unknown; output?: unknown } }>) {
      parentEvents++;
      for (const data of [event.state?.input, event.state?.output])
        if (data !== undefined) largestParentState = Math.max(largestParentState, JSON.stringify(data).length);
    }
  })();
  await execution.result;
  await watched;
  return { parentEvents, largestParentState, largestChildPayload, children, reportInput };
}

describe('a 100,000-item fan-out', () => {
  it('keeps every parent state and every child payload small, and the parent history as long as for 1,000 items', async () => {
    const small = await runWith(1_000);
    const large = await runWith(100_000);
    expect(large.children).toBe(100_000);
    expect(large.largestParentState).toBeLessThan(PARENT_STATE_BYTES);
    expect(large.largestChildPayload).toBeLessThan(CHILD_PAYLOAD_BYTES);
    expect(large.parentEvents).toBe(small.parentEvents);
    // The downstream task receives the outputs as a reference its runtime reads (docs/scale.md).
    expect(large.reportInput.each).toEqual({ ork_results: { bucket: expect.any(String), key: expect.stringMatching(/manifest\.json$/), per_child: 'one' } });
  }, 240_000);
});

/**
 * The runtime contract's shared cases (lambdas/contract/cases), which the Python SDK runs too
 * (lambdas/python/tests/test_contract_cases.py): payloads and what the Node SDK's parser and the zod schema
 * make of them, instance labels and tolerated failures. A case that passes here and fails there, or the
 * other way round, is a drift between the SDKs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instanceLabel, payloadInstanceLabel, payloadSchema } from '../../lambdas/contract/index.js';
import { errorName } from '../../lambdas/node/ork/errors.js';
import { splitFailures, type ToleratedFailure } from '../../lambdas/node/ork/failures.js';
import { elementPayload, parsePayload, type Payload } from '../../lambdas/node/ork/payload.js';

const CASES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lambdas/contract/cases');
const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(CASES, name), 'utf8')) as T;

interface PayloadCases {
  readonly defaults: Record<string, unknown>;
  readonly valid: readonly { name: string; payload: unknown; element?: number; expect: Record<string, unknown> }[];
  readonly invalid: readonly { name: string; payload: unknown; error: string; names: string }[];
}
interface LabelCases {
  readonly labels: readonly { task: string; item_index?: number; parallel_index?: number; label: string }[];
  readonly payload_labels: readonly { task: string; item_index: number | null; parallel_index: number; parallel_count: number; label: string }[];
}
interface FailureCases {
  readonly cases: readonly { name: string; value: unknown; kept: unknown; failures: readonly Record<string, unknown>[] }[];
}

const payloads = load<PayloadCases>('payloads.json');
const labels = load<LabelCases>('instance-labels.json');
const failures = load<FailureCases>('failures.json');

/** The parsed payload in the payload's own field names, as the cases write it. */
function asJson(payload: Payload): Record<string, unknown> {
  return {
    workflow: payload.workflow,
    task: payload.task,
    execution_id: payload.executionId,
    attempt: payload.attempt,
    params: payload.params,
    inputs: payload.inputs,
    parallel_index: payload.parallelIndex,
    parallel_count: payload.parallelCount,
    has_item: payload.hasItem,
    item: payload.item,
    item_index: payload.itemIndex ?? null,
    fan_out_fields: payload.fanOutFields.map((f) => ({ path: f.path, above: f.above })),
    output_spill_bytes: payload.outputSpillBytes ?? null,
    batch: payload.batch ?? null,
    condition_fields: payload.conditionFields,
    failure: payload.failure ?? null,
    instance: payload.instance,
  };
}

function failureJson(failure: ToleratedFailure): Record<string, unknown> {
  const { itemIndex, parallelIndex, start, ...rest } = failure;
  return {
    ...rest,
    ...(itemIndex !== undefined ? { item_index: itemIndex } : {}),
    ...(parallelIndex !== undefined ? { parallel_index: parallelIndex } : {}),
    ...(start !== undefined ? { start } : {}),
  };
}

describe('payload cases', () => {
  it.each(payloads.valid.map((c) => [c.name, c] as const))('valid: %s', (_, c) => {
    const parsed = parsePayload(c.payload);
    expect(asJson(c.element === undefined ? parsed : elementPayload(parsed, c.element))).toStrictEqual({ ...payloads.defaults, ...c.expect });
    expect(payloadSchema.safeParse(c.payload).success).toBe(true);
  });

  it.each(payloads.invalid.map((c) => [c.name, c] as const))('invalid: %s', (_, c) => {
    let thrown: unknown;
    try {
      parsePayload(c.payload);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(errorName(thrown)).toBe(c.error);
    expect((thrown as Error).message).toContain(c.names);
    expect(payloadSchema.safeParse(c.payload).success).toBe(false);
  });
});

describe('instance label cases', () => {
  it.each(labels.labels.map((c) => [c.label, c] as const))('%s', (_, c) => {
    expect(instanceLabel({ task: c.task, itemIndex: c.item_index, parallelIndex: c.parallel_index })).toBe(c.label);
  });

  it.each(labels.payload_labels.map((c) => [c.label, c] as const))('of a payload: %s', (_, c) => {
    expect(payloadInstanceLabel(c.task, c.item_index ?? undefined, c.parallel_index, c.parallel_count)).toBe(c.label);
  });
});

describe('tolerated failure cases', () => {
  it.each(failures.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { kept, failures: found } = splitFailures(c.value);
    expect({ kept, failures: found.map(failureJson) }).toStrictEqual({ kept: c.kept, failures: c.failures });
  });
});

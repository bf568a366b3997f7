import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instanceKey, instanceLabel, instanceOf } from '../../lib/local/instance-key.js';

/**
 * The local engine's instance labels and keys (lib/local/instance-key.ts): a payload's label is the one both
 * SDKs give it (lambdas/contract/cases/instance-labels.json), and its key is the one earlier run records hold,
 * which --resume matches by.
 */

interface PayloadLabelCase {
  readonly task: string;
  readonly item_index: number | null;
  readonly parallel_index: number;
  readonly parallel_count: number;
  readonly label: string;
}

const CASES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lambdas/contract/cases/instance-labels.json');
const { payload_labels: payloadLabels } = JSON.parse(readFileSync(CASES, 'utf8')) as { payload_labels: readonly PayloadLabelCase[] };

/** The payload fields of a case, as the machine sends them (no item_index outside a `foreach:`). */
function payloadOf(c: PayloadLabelCase): Record<string, unknown> {
  const { label: _, item_index: itemIndex, ...fields } = c;
  return itemIndex === null ? fields : { ...fields, item_index: itemIndex };
}

describe('instance labels', () => {
  it.each(payloadLabels.map((c) => [c.label, c] as const))('of a payload of a parallel: task, as the SDKs label it: %s', (_, c) => {
    expect(instanceLabel(instanceOf(payloadOf(c), true))).toBe(c.label);
  });

  it('parallel: 1 is labelled like a task that does not fan out, as in the SDKs', () => {
    expect(instanceLabel(instanceOf({ task: 'p', parallel_index: 0, parallel_count: 1 }, true))).toBe('p');
    expect(instanceLabel(instanceOf({ task: 'p', item_index: 4, parallel_index: 0, parallel_count: 1 }, true))).toBe('p[item 4]');
  });

  it('a task without parallel: shows no parallel index, whatever the payload holds', () => {
    expect(instanceLabel(instanceOf({ task: 'p', item_index: 2, parallel_index: 0, parallel_count: 1 }, false))).toBe('p[item 2]');
  });

  it('a batch is named by its first and last instance', () => {
    const batch = [0, 1, 2].map((i) => ({ item_index: 5 + i, parallel_index: 0, parallel_count: 1 }));
    expect(instanceLabel(instanceOf({ task: 'p', batch }, false))).toBe('p[items 5…7]');
  });
});

describe('instance keys', () => {
  it('keep the parallel index of a parallel: task even when its label does not show it, as run records before the labels changed hold it', () => {
    expect(instanceKey(instanceOf({ task: 'p', parallel_index: 0, parallel_count: 1 }, true))).toBe('p.p-0');
    expect(instanceKey(instanceOf({ task: 'p', item_index: 3, parallel_index: 2, parallel_count: 4 }, true))).toBe('p.item-3.p-2');
    expect(instanceKey(instanceOf({ task: 'p', item_index: 3, parallel_index: 0, parallel_count: 1 }, false))).toBe('p.item-3');
  });
});

/**
 * docs/payload.md (with docs/scale.md) explains the contract without defining it: its tables must name exactly the payload
 * fields the schema has and the environment variables contract.json lists, so that a field or variable added
 * to the contract and not documented (or documented and gone) fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Environment, Markers, payloadSchema } from '../../lambdas/contract/index.js';
import { ROOT } from '../support/workflows.js';

const doc = readFileSync(path.join(ROOT, 'docs', 'payload.md'), 'utf8');
const scale = readFileSync(path.join(ROOT, 'docs', 'scale.md'), 'utf8');

/** The backquoted names in the first column of the first table at or after `heading`. */
function firstColumnNames(heading: string): string[] {
  const lines = doc.slice(doc.indexOf(heading)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  // Past the header row and the separator row.
  const rows = lines.slice(start + 2, end === -1 ? undefined : end);
  return rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('docs/payload.md', () => {
  it('its field table names every payload field of the schema, and no other', () => {
    expect(sorted(firstColumnNames('| field | meaning |'))).toStrictEqual(sorted(Object.keys(payloadSchema.shape)));
  });

  it('its environment table names every variable of contract.json, and no other', () => {
    expect(sorted(firstColumnNames('## Environment variables'))).toStrictEqual(sorted(Object.values(Environment)));
  });

  it('names every marker key, or docs/scale.md does', () => {
    for (const key of Object.values(Markers)) expect(`${doc}\n${scale}`).toContain(`{"${key}"`);
  });
});

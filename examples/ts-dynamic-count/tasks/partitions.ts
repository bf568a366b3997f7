// The table both tasks look at: one CSV file per date partition, in a stable order.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
export const TABLE_DIR = `${WORKFLOW_DIR}data/events`;
export const OUTPUT_DIR = `${WORKFLOW_DIR}.ork/output/ts-dynamic-count`;

/** File names, e.g. `date=2024-01-13.csv`, sorted. */
export function listPartitions(): string[] {
  return readdirSync(TABLE_DIR)
    .filter((name) => name.startsWith('date=') && name.endsWith('.csv'))
    .sort();
}

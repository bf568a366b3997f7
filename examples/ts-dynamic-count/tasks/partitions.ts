// The table both tasks look at: one CSV file per date partition, in a stable order.
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
export const TABLE_DIR = `${WORKFLOW_DIR}data/events`;
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
export const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-dynamic-count');

/** File names, e.g. `date=2024-01-13.csv`, sorted. */
export function listPartitions(): string[] {
  return readdirSync(TABLE_DIR)
    .filter((name) => name.startsWith('date=') && name.endsWith('.csv'))
    .sort();
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

// Paths are relative to the workflow directory (the folder holding workflow.yaml).
const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
const DATA_FILE = `${WORKFLOW_DIR}data/sales.csv`;
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-static-parallel');

type Month = Record<string, string>;

/** Every month of the year, in file order: the same list in every instance. */
function getAllItems(): Month[] {
  const [header = '', ...rows] = readFileSync(DATA_FILE, 'utf8').trim().split('\n');
  const names = header.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [names[i], value])));
}

/** Write one small summary per month; return the files written. */
function processItems(items: Month[]): string[] {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return items.map((item) => {
    const orders = Number(item.orders);
    const revenue = Number(item.revenue);
    const summary = { month: item.month, orders, revenue, average_order: Math.round((revenue / orders) * 100) / 100 };
    const file = path.join(OUTPUT_DIR, `${item.month}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    return file;
  });
}

export default defineTask({
  input: z.object({}),
  output: z.object({ processed: z.number().int() }),
  handler: async (_input, ctx) => {
    // Divide work by index
    const allItems = getAllItems();
    const myItems = allItems.filter((_, i) => i % ctx.parallelCount === ctx.parallelIndex);

    const results = processItems(myItems);

    ctx.log.info(`Instance ${ctx.parallelIndex}/${ctx.parallelCount} processed ${results.length} items`);

    return { processed: results.length };
  },
});

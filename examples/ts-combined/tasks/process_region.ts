// tasks/process_region.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-combined');

export default defineTask({
  input: z.object({
    item: z.string(), // the region this instance works on
  }),
  output: z.object({
    region: z.string(),
    worker: z.number().int(),
    stores: z.number().int(),
    sales: z.number().int(),
  }),
  handler: (input, ctx) => {
    const [header = '', ...lines] = readFileSync(path.join(WORKFLOW_DIR, 'data', 'regions', `${input.item}.csv`), 'utf8')
      .trim()
      .split('\n');
    const columns = header.split(',');
    const stores = lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i], value])));
    // Four workers per region: each takes every fourth store of its region.
    const mine = stores.filter((_, i) => i % ctx.parallelCount === ctx.parallelIndex);
    const sales = mine.reduce((sum, s) => sum + Number(s.sales), 0);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const summary = { region: input.item, worker: ctx.parallelIndex, stores: mine.map((s) => s.store), sales };
    writeFileSync(path.join(OUTPUT_DIR, `${input.item}-${ctx.parallelIndex}.json`), `${JSON.stringify(summary, null, 2)}\n`);

    ctx.log.info(`Region ${input.item}, worker ${ctx.parallelIndex}/${ctx.parallelCount}: ${mine.length} stores`);
    return { region: input.item, worker: ctx.parallelIndex, stores: mine.length, sales };
  },
});

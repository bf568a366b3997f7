// tasks/region_sales.ts (node): one region of the python task's list.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));

export default defineTask({
  input: z.object({
    item: z.string(), // a region, from the python task `regions`
    regions: z.object({ regions: z.array(z.string()) }), // that task's whole output
  }),
  output: z.object({ region: z.string(), stores: z.number().int(), sales: z.number().int() }),
  handler: (input, ctx) => {
    const [, ...lines] = readFileSync(path.join(WORKFLOW_DIR, 'data', 'regions', `${input.item}.csv`), 'utf8')
      .trim()
      .split('\n');
    const sales = lines.reduce((sum, line) => sum + Number(line.split(',')[1]), 0);
    ctx.log.info(`region ${ctx.itemIndex! + 1}/${input.regions.regions.length}: ${input.item} sold ${sales}`, { region: input.item });
    ctx.metrics.record('stores_read', lines.length);
    return { region: input.item, stores: lines.length, sales };
  },
});

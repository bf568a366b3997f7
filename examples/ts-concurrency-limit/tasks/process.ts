// tasks/process.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-concurrency-limit');

// The saved page, checked as it is read: a malformed page fails its instance with a ZodError naming the field.
const Page = z.object({
  page: z.number().int(),
  customers: z.array(z.object({ id: z.number(), name: z.string(), orders: z.number().int() })),
});

export default defineTask({
  input: z.object({
    item: z.string(), // one page file, e.g. data/pages/page-01.json
  }),
  output: z.object({
    page: z.number().int(),
    customers: z.number().int(),
    orders: z.number().int(),
  }),
  handler: async (input, ctx) => {
    const page = Page.parse(JSON.parse(readFileSync(path.join(WORKFLOW_DIR, input.item), 'utf8')));
    const orders = page.customers.reduce((sum, c) => sum + c.orders, 0);

    // Stand-in for a slow API call, so the cap of 4 running instances is visible in `ork run`.
    await sleep(500);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const summary = { page: page.page, customers: page.customers.length, orders };
    writeFileSync(path.join(OUTPUT_DIR, path.basename(input.item)), `${JSON.stringify(summary, null, 2)}\n`);

    ctx.log.info(`Item ${ctx.itemIndex}: page ${page.page} has ${orders} orders`);
    return summary;
  },
});

// tasks/load.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineTask, z } from 'ork/task';

// The local stand-in for a warehouse table, in the temporary directory (Lambda's code folder is read-only).
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-on-failure');

const orderSchema = z.object({ order_id: z.string(), product: z.string(), total: z.number().int() });

/** The class name is the error name: what retries, Catch and the on_failure handler see. */
class WarehouseUnavailable extends Error {}

export default defineTask({
  input: z.object({
    params: z.object({ fail: z.boolean().default(false) }),
    extract: z.object({ orders: z.array(orderSchema) }),
  }),
  output: z.object({ loaded: z.number().int(), revenue: z.number().int() }),
  handler: (input, ctx) => {
    if (input.params.fail) throw new WarehouseUnavailable(`warehouse unreachable (attempt ${ctx.attempt})`);
    const { orders } = input.extract;
    const target = path.join(OUTPUT_DIR, 'warehouse', 'orders.json');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, JSON.stringify(orders, null, 2) + '\n');
    return { loaded: orders.length, revenue: orders.reduce((sum, o) => sum + o.total, 0) };
  },
});

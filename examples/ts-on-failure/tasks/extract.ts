// tasks/extract.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));

const orderSchema = z.object({ order_id: z.string(), product: z.string(), total: z.number().int() });

export default defineTask({
  output: z.object({ orders: z.array(orderSchema) }),
  handler: () => {
    const [header = '', ...lines] = readFileSync(path.join(WORKFLOW_DIR, 'data', 'orders.csv'), 'utf8')
      .trim()
      .split('\n');
    const columns = header.split(',');
    const orders = lines.map((line) => {
      const row: Record<string, string> = Object.fromEntries(line.split(',').map((value, i) => [columns[i], value]));
      return { order_id: row.order_id ?? '', product: row.product ?? '', total: Number(row.quantity) * Number(row.unit_price) };
    });
    return { orders };
  },
});

// tasks/orders.ts: the order record extract hands load (a module the two tasks share, not a task).
import { z } from 'ork/task';

export const orderSchema = z.object({ order_id: z.string(), product: z.string(), total: z.number().int() });

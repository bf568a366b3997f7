// tasks/share.ts (node): one element of the python task's ranking, and that task's whole output.
import { defineTask, z } from 'ork/task';

const Ranked = z.object({ region: z.string(), sales: z.number().int() });

export default defineTask({
  input: z.object({
    item: Ranked,
    rank: z.object({ total_sales: z.number().int(), ranking: z.array(Ranked) }),
    params: z.object({ currency: z.string() }),
  }),
  output: z.object({ region: z.string(), position: z.number().int(), percent: z.number(), label: z.string() }),
  handler: (input, ctx) => {
    const position = (ctx.itemIndex ?? 0) + 1;
    const percent = Math.round((input.item.sales / input.rank.total_sales) * 1000) / 10;
    return {
      region: input.item.region,
      position,
      percent,
      label: `#${position} ${input.item.region}: ${input.item.sales} ${input.params.currency} (${percent}%)`,
    };
  },
});

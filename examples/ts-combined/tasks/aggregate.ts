// tasks/aggregate.ts
import { defineTask, z } from 'ork/task';

const ProcessRegionOutput = z.object({
  region: z.string(),
  worker: z.number().int(),
  stores: z.number().int(),
  sales: z.number().int(),
});

export default defineTask({
  input: z.object({
    // Every instance's output: regions in order, then the 4 workers of each region.
    process_region: z.array(ProcessRegionOutput),
  }),
  output: z.object({
    instances: z.number().int(),
    stores: z.number().int(),
    total_sales: z.number().int(),
    sales_by_region: z.record(z.string(), z.number().int()),
  }),
  handler: (input) => {
    const byRegion: Record<string, number> = {};
    for (const p of input.process_region) byRegion[p.region] = (byRegion[p.region] ?? 0) + p.sales;
    return {
      instances: input.process_region.length,
      stores: input.process_region.reduce((sum, p) => sum + p.stores, 0),
      total_sales: input.process_region.reduce((sum, p) => sum + p.sales, 0),
      sales_by_region: byRegion,
    };
  },
});

// tasks/discover.ts
import { defineTask, z } from 'ork/task';
import { listPartitions } from './partitions.js';

/** One unit of work per date partition of the events table. */
function countItemsToProcess(): number {
  return listPartitions().length;
}

export default defineTask({
  output: z.object({ count: z.number().int() }),
  handler: () => {
    const count = countItemsToProcess();
    return { count };
  },
});

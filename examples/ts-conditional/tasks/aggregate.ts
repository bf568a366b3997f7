// tasks/aggregate.ts
import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({
    process: z.array(z.object({ rows: z.number().int() })), // every process output; this task never runs when process was skipped
  }),
  output: z.object({
    total_rows: z.number().int(),
    files_processed: z.number().int(),
  }),
  handler: (input) => ({
    total_rows: input.process.reduce((sum, p) => sum + p.rows, 0),
    files_processed: input.process.length,
  }),
});

// tasks/aggregate.ts
import { defineTask, z } from 'ork/task';

const ProcessOutput = z.object({
  input_file: z.string(),
  output_file: z.string(),
  rows: z.number().int(),
});

export default defineTask({
  input: z.object({
    process: z.array(ProcessOutput), // All process outputs
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

// tasks/report.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineTask, z } from 'ork/task';

const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-conditional');

export default defineTask({
  input: z.object({
    params: z.object({ mode: z.string(), day: z.string() }),
    discover: z.object({ count: z.number().int() }),
    // `{task: aggregate, if: always}`: null when aggregate was skipped (and process with it).
    aggregate: z.object({ total_rows: z.number().int(), files_processed: z.number().int() }).nullable(),
  }),
  output: z.object({
    day: z.string(),
    mode: z.string(),
    files_found: z.number().int(),
    processed: z.boolean(),
    total_rows: z.number().int().nullable(),
  }),
  handler: (input) => {
    const summary = {
      day: input.params.day,
      mode: input.params.mode,
      files_found: input.discover.count,
      processed: input.aggregate !== null,
      total_rows: input.aggregate?.total_rows ?? null,
    };
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(path.join(OUTPUT_DIR, `report-${input.params.day}.json`), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  },
});

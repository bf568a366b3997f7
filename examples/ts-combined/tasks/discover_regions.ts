// tasks/discover_regions.ts
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));

export default defineTask({
  output: z.object({ regions: z.array(z.string()) }),
  handler: () => {
    // One CSV of store sales per region: data/regions/<region>.csv
    const regions = readdirSync(`${WORKFLOW_DIR}data/regions`)
      .filter((name) => name.endsWith('.csv'))
      .map((name) => name.replace(/\.csv$/, ''))
      .sort();
    return { regions };
  },
});

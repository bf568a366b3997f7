// tasks/discover.ts
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

// The local stand-in for a bucket: the data/ folder beside workflow.yaml.
const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
const PREFIX = 'data/raw/2024-01-15/';

export default defineTask({
  output: z.object({ files: z.array(z.string()) }),
  handler: () => {
    const blobs = readdirSync(`${WORKFLOW_DIR}${PREFIX}`)
      .filter((name) => name.endsWith('.csv'))
      .sort();
    const files = blobs.map((name) => `${PREFIX}${name}`);
    return { files };
  },
});

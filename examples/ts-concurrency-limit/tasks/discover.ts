// tasks/discover.ts
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));

export default defineTask({
  output: z.object({ files: z.array(z.string()) }),
  handler: () => {
    // Ten pages of an API export, saved as JSON: more items than the concurrency limit.
    const pages = readdirSync(`${WORKFLOW_DIR}data/pages`)
      .filter((name) => /^page-.*\.json$/.test(name))
      .sort();
    return { files: pages.map((name) => `data/pages/${name}`) };
  },
});

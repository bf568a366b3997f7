// tasks/discover.ts
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

// The local stand-in for a bucket: the data/ folder beside workflow.yaml.
const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));

export default defineTask({
  input: z.object({ params: z.object({ day: z.string() }) }),
  output: z.object({
    files: z.array(z.string()),
    count: z.number().int(), // what process's `when:` tests: a condition reads a field, not the length of a list
  }),
  handler: (input) => {
    const prefix = `data/raw/${input.params.day}/`;
    const folder = `${WORKFLOW_DIR}${prefix}`;
    const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.csv')) : [];
    const files = names.sort().map((name) => `${prefix}${name}`);
    return { files, count: files.length };
  },
});

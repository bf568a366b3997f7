// tasks/alert.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineTask, failureSchema, z } from 'ork/task';

// Where a real handler would page someone or post to a channel, this one writes the alert to a file.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-on-failure');

export default defineTask({
  input: z.object({
    failure: failureSchema, // which task failed, its error name and cause, the execution
    params: z.record(z.string(), z.unknown()),
  }),
  handler: ({ failure }, ctx) => {
    ctx.log.error('workflow failed', { failed_task: failure.task, error: failure.error });
    const target = path.join(OUTPUT_DIR, 'alerts', 'alert.json');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, JSON.stringify(failure, null, 2) + '\n');
  },
});

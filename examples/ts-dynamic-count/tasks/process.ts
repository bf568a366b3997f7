// tasks/process.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineTask, z } from 'ork/task';
import { listPartitions, OUTPUT_DIR, TABLE_DIR } from './partitions.js';

export default defineTask({
  input: z.object({}),
  output: z.object({ partition: z.string(), rows: z.number().int() }),
  handler: (_input, ctx) => {
    // discover counted the partitions; instance N of that count takes the N-th one.
    const file = listPartitions()[ctx.parallelIndex];
    if (file === undefined) throw new RangeError(`no partition ${ctx.parallelIndex}: the table changed since discover counted it`);
    const partition = file.replace(/\.csv$/, '');
    const [header = '', ...lines] = readFileSync(`${TABLE_DIR}/${file}`, 'utf8').trim().split('\n');
    const kindColumn = header.split(',').indexOf('kind');
    const rows = lines.map((line) => line.split(','));

    const byKind: Record<string, number> = {};
    for (const kind of rows.map((r) => r[kindColumn] ?? '').sort()) byKind[kind] = (byKind[kind] ?? 0) + 1;
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(path.join(OUTPUT_DIR, `${partition}.json`), `${JSON.stringify({ partition, rows: rows.length, by_kind: byKind }, null, 2)}\n`);

    ctx.log.info(`Instance ${ctx.parallelIndex}/${ctx.parallelCount}: ${partition} has ${rows.length} rows`);
    return { partition, rows: rows.length };
  },
});

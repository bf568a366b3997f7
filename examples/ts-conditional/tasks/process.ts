// tasks/process.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-conditional');

export default defineTask({
  input: z.object({
    item: z.string(), // one file path of discover.files
  }),
  output: z.object({
    input_file: z.string(),
    output_file: z.string(),
    rows: z.number().int(),
  }),
  handler: (input) => {
    const [header = '', ...lines] = readFileSync(path.join(WORKFLOW_DIR, input.item), 'utf8').trim().split('\n');
    const columns = header.split(',');
    const rows = lines.map((line): Record<string, string | number> => {
      const row: Record<string, string | number> = Object.fromEntries(line.split(',').map((value, i) => [columns[i], value]));
      return { ...row, total: Number(row.quantity) * Number(row.unit_price) };
    });

    // data/raw/… → processed/…, under OUTPUT_DIR.
    const outputPath = input.item.replace('data/raw/', 'processed/');
    const target = path.join(OUTPUT_DIR, outputPath);
    mkdirSync(path.dirname(target), { recursive: true });
    const names = rows.length > 0 ? [...columns, 'total'] : ['order_id'];
    writeFileSync(target, [names.join(','), ...rows.map((row) => names.map((c) => row[c]).join(','))].join('\n') + '\n');

    return { input_file: input.item, output_file: outputPath, rows: rows.length };
  },
});

// tasks/process.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, z } from 'ork/task';

const WORKFLOW_DIR = fileURLToPath(new URL('..', import.meta.url));
// Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
const OUTPUT_DIR = path.join(tmpdir(), 'ork-examples', 'ts-foreach-aggregate');

type Row = Record<string, string | number>;

function readCsv(file: string): { columns: string[]; rows: Row[] } {
  const [header = '', ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  return { columns, rows: lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i], value]))) };
}

/** Add each order line's total. */
function transform(rows: Row[]): Row[] {
  return rows.map((r) => ({ ...r, total: Number(r.quantity) * Number(r.unit_price) }));
}

export default defineTask({
  input: z.object({
    item: z.string(), // Automatically populated with one file path
  }),
  output: z.object({
    input_file: z.string(),
    output_file: z.string(),
    rows: z.number().int(),
  }),
  handler: (input, ctx) => {
    const { columns, rows } = readCsv(path.join(WORKFLOW_DIR, input.item));
    const df = transform(rows);

    // data/raw/… → processed/…, under OUTPUT_DIR.
    const outputPath = input.item.replace('data/raw/', 'processed/');
    const target = path.join(OUTPUT_DIR, outputPath);
    mkdirSync(path.dirname(target), { recursive: true });
    const header = df.length > 0 ? [...columns, 'total'] : ['order_id'];
    writeFileSync(target, [header.join(','), ...df.map((row) => header.map((c) => row[c]).join(','))].join('\n') + '\n');

    ctx.metrics.record('rows_processed', df.length);

    return {
      input_file: input.item,
      output_file: outputPath,
      rows: df.length,
    };
  },
});

import type { Writable } from 'node:stream';

/** Rows under a header, each column as wide as its widest cell, two spaces apart (`ork runs`, `ork executions`). */
export function writeTable(stream: Writable, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows])
    stream.write(
      `${row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}

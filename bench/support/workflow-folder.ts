/** A bench's workflow written to a temporary folder of its own (`ork/task` resolves to this package from anywhere). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Writes `files` (paths in the folder: `workflow.yaml`, `tasks/noop.py` …) into a new folder whose name starts with `prefix`. */
export function writeWorkflowFolder(prefix: string, files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

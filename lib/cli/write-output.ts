import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './cli-error.js';

/** Writes through a temporary file and a rename, so a failed write never leaves a half-written file behind. */
export function writeFileAtomic(target: string, text: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (error) {
    throw new UsageError(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

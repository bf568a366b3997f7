import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pythonSdkPath } from '../package-root.js';

/** What never belongs in a deployed bundle: local run records, build output, caches. */
export const BUNDLE_EXCLUDES = ['.ork', 'cdk.out', 'node_modules', '__pycache__', '*.pyc', '.git', '.venv', '.pytest_cache'];
const SKIPPED_NAMES = new Set(['.ork', 'cdk.out', 'node_modules', '__pycache__', '.git', '.venv', '.pytest_cache']);

const keep = (source: string): boolean => !SKIPPED_NAMES.has(path.basename(source)) && !source.endsWith('.pyc');

/** Copies the workflow directory and the Ork SDK (`ork/`) into `outputDir`: what runs on Lambda or ECS. */
export function copyWorkflowBundle(workflowDir: string, outputDir: string): void {
  copyWorkflowFiles(workflowDir, outputDir);
  cpSync(path.join(pythonSdkPath(), 'ork'), path.join(outputDir, 'ork'), { recursive: true, filter: keep });
}

/** Copies the workflow directory into `outputDir`, leaving out what never belongs in a bundle. */
export function copyWorkflowFiles(workflowDir: string, outputDir: string): void {
  // Entry by entry: the output may lie inside the workflow directory (cdk.out of an `ork init` project),
  // and cpSync refuses to copy a directory into itself even when a filter would skip that part.
  mkdirSync(outputDir, { recursive: true });
  for (const entry of readdirSync(workflowDir)) {
    const source = path.join(workflowDir, entry);
    if (keep(source)) cpSync(source, path.join(outputDir, entry), { recursive: true, filter: keep });
  }
}

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic, type CompileResult } from '../../compiler/index.js';
import { compileWorkflowFile } from '../../lib/file-system-host.js';

/** The repository root (this file is test/support/workflows.ts). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = path.join(ROOT, 'test', 'fixtures');
export const EXAMPLES_DIR = path.join(ROOT, 'examples');

/** Compile `<directory>/workflow.yaml` against the real file system. */
export function compileDirectory(directory: string): CompileResult {
  const file = path.join(directory, 'workflow.yaml');
  return compileWorkflowFile(file, path.relative(ROOT, file));
}

/** Compile and insist on a clean result (no errors, no warnings); the message lists what was reported. */
export function compileCleanly(directory: string): Required<Pick<CompileResult, 'definition' | 'manifest'>> & CompileResult {
  const result = compileDirectory(directory);
  if (!result.ok || !result.definition || !result.manifest || result.diagnostics.length > 0) {
    throw new Error(`${path.relative(ROOT, directory)} did not compile cleanly:\n${result.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  return result as Required<Pick<CompileResult, 'definition' | 'manifest'>> & CompileResult;
}

/** Sub-directories of `parent` that hold a workflow.yaml, sorted by name. */
export function workflowDirectories(parent: string): { name: string; directory: string }[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(parent, entry.name, 'workflow.yaml')))
    .map((entry) => ({ name: entry.name, directory: path.join(parent, entry.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Fill in the `${…}` placeholders the compiler leaves for the deploy constructs, with values a real
 * account could have: Lambda ARNs for `${OrkFunction_<task>}`, plausible ids for the rest.
 */
export function substitutePlaceholders<T>(definition: T): T {
  const plausible = (name: string): string => {
    if (name === 'OrkCluster') return 'arn:aws:ecs:us-east-1:123456789012:cluster/ork';
    if (name === 'OrkSubnets') return 'subnet-0123456789abcdef0,subnet-0fedcba9876543210';
    if (name === 'OrkSecurityGroups') return 'sg-0123456789abcdef0';
    if (name === 'OrkAssignPublicIp') return 'DISABLED';
    const taskDefinition = /^OrkTaskDefinition_(\w+)$/.exec(name);
    if (taskDefinition) return `arn:aws:ecs:us-east-1:123456789012:task-definition/ork-${taskDefinition[1]}:1`;
    const container = /^OrkContainer_(\w+)$/.exec(name);
    if (container) return `ork-${container[1]}`;
    return `ork-${name}`;
  };
  const text = JSON.stringify(definition)
    .replace(/\$\{OrkFunction_(\w+)\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:$1')
    .replace(/\$\{(\w+)\}/g, (_, name: string) => plausible(name));
  if (/\$\{/.test(text)) throw new Error(`unsubstituted placeholder left in ${text}`);
  return JSON.parse(text) as T;
}

/** Writes a workflow's files (paths relative to `directory`, folders created) and returns `directory`. */
export function writeWorkflowFiles(directory: string, files: Readonly<Record<string, string>>): string {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, file)), { recursive: true });
    writeFileSync(path.join(directory, file), text);
  }
  return directory;
}

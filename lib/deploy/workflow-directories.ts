import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Workflow directories under `root`: the root itself when it holds workflow.yaml, else its children that do. */
export function findWorkflowDirectories(root: string): string[] {
  if (existsSync(path.join(root, 'workflow.yaml'))) return [root];
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(root, entry.name, 'workflow.yaml')))
    .map((entry) => path.join(root, entry.name))
    .sort();
}

/** A CloudFormation stack name for a workflow: letters, digits and hyphens, starting with a letter. */
export function stackNameFor(workflow: string): string {
  const cleaned = workflow.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `Ork-${cleaned || 'workflow'}`.slice(0, 128);
}

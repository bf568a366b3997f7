import { readFileSync } from 'node:fs';
import path from 'node:path';
import { orkDependency } from './ork-dependency.js';
import type { ProjectDependencies } from './workflow-template.js';

/**
 * The devDependencies of a project `ork init` creates with the ork of `packageRoot`: ork itself (orkDependency), and
 * the CDK CLI, TypeScript and Node's types in the ranges Ork's own package.json has them (devDependencies are kept
 * in a packed package.json), else the major versions Ork is tested with.
 */
export function projectDependencies(packageRoot: string): { dependencies: ProjectDependencies; note?: string } {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
    devDependencies?: Record<string, string>;
  };
  const dev = pkg.devDependencies ?? {};
  const ork = orkDependency(packageRoot, pkg.version);
  return {
    dependencies: {
      ork: ork.spec,
      awsCdk: dev['aws-cdk'] ?? '^2',
      typescript: dev.typescript ?? '^5',
      typesNode: dev['@types/node'] ?? '^20',
    },
    ...(ork.note ? { note: ork.note } : {}),
  };
}

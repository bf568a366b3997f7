import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** What `ork init` writes as the project's `ork` dependency, and a note for the user when it had to guess. */
export interface OrkDependency {
  /** The package.json value: `^1.2.3`, `file:/abs/ork-1.2.3.tgz`, `file:/abs/checkout`, or a URL. */
  readonly spec: string;
  /** Why the spec may be wrong (printed by `ork init` on stderr); absent when the install said where it came from. */
  readonly note?: string;
}

interface LockEntry {
  readonly resolved?: string;
  readonly version?: string;
}

/**
 * The dependency on the running ork that a new project should declare, so that its `npm install` gets this
 * same ork:
 * - a folder that is not inside a `node_modules` (a checkout, or a folder `npm install` linked): `file:` that folder;
 * - a package npm installed into `<project>/node_modules`: where that project's lockfile
 *   (`node_modules/.package-lock.json`, else `package-lock.json`) or the installed package.json's `_resolved` says it
 *   came from: a registry tarball (`…/ork/-/ork-<version>.tgz`) is a published version, `^<version>`; a
 *   `file:` tarball or folder becomes an absolute `file:` path; any other URL (git, a tarball on a server) is kept;
 * - no record (a global install, other package managers): `^<version>`, with a note saying it was assumed.
 * Never a path into another project's node_modules: that copy disappears with the project that installed it.
 */
export function orkDependency(packageRoot: string, version: string): OrkDependency {
  const root = realpathSync(packageRoot);
  const parts = root.split(path.sep);
  const nodeModules = parts.indexOf('node_modules');
  if (nodeModules < 0) return { spec: `file:${root}` };
  // npm's lockfiles name an installed package by its path from the project: node_modules/ork, or
  // node_modules/a/node_modules/ork when nested.
  const projectParts = parts.slice(0, nodeModules);
  const project = projectParts.join(path.sep) || path.sep;
  const key = parts.slice(projectParts.length).join('/');
  const resolved =
    lockResolved(path.join(project, 'node_modules', '.package-lock.json'), key) ??
    lockResolved(path.join(project, 'package-lock.json'), key) ??
    installedResolved(root);
  if (resolved === undefined)
    return {
      spec: `^${version}`,
      note: `cannot tell where ork ${version} was installed from (no npm lockfile records it): assumed a published version; if it is not, set "ork" in package.json to the tarball or folder you installed it from`,
    };
  return fromResolved(resolved, project, version);
}

function fromResolved(resolved: string, project: string, version: string): OrkDependency {
  if (/^https?:\/\//.test(resolved) && /\/ork\/-\/ork-[^/]+\.tgz(?:[?#].*)?$/.test(resolved)) return { spec: `^${version}` };
  if (resolved.startsWith('file:')) {
    const target = path.resolve(project, resolved.slice('file:'.length));
    return existsSync(target)
      ? { spec: `file:${target}` }
      : { spec: `file:${target}`, note: `ork was installed from ${target}, which no longer exists: npm install will fail until it does` };
  }
  return { spec: resolved };
}

function lockResolved(lockfile: string, key: string): string | undefined {
  const entry = readJson<{ packages?: Record<string, LockEntry> }>(lockfile)?.packages?.[key];
  return typeof entry?.resolved === 'string' ? entry.resolved : undefined;
}

/** npm before v7 (and some tools) recorded the source in the installed package.json itself. */
function installedResolved(root: string): string | undefined {
  const resolved = readJson<{ _resolved?: unknown }>(path.join(root, 'package.json'))?._resolved;
  return typeof resolved === 'string' && resolved !== '' ? resolved : undefined;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

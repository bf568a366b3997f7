/**
 * Module resolution hooks of the local node worker (registered by worker.ts with `module.register`, after
 * tsx's), so that a node workflow runs wherever it lies, as a Python one does with the SDK on PYTHONPATH:
 *
 * - `ork` / `ork/task` that the workflow cannot resolve itself (no `node_modules/ork`: a workflow outside a
 *   project, a copy in a temporary directory) resolve to the Ork package running the worker. A workflow that
 *   has its own `node_modules/ork` keeps it.
 * - A `.ts` file outside node_modules whose package scope does not set `"type"` is loaded as an ES module.
 *   Task files are ES modules (`export default defineTask(…)`); tsx would otherwise compile such a file to
 *   CommonJS, and the import failed with "Cannot require() ES Module … in a cycle". An explicit
 *   `"type": "commonjs"` is respected.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HooksData {
  /** file: URL of Ork's package.json: `ork/…` resolved from there is the package's own export. */
  readonly orkPackageJson: string;
}

interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}

interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
  importAttributes?: Record<string, string>;
}

type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

let orkPackageJson: string | undefined;

export function initialize(data: HooksData): void {
  orkPackageJson = data.orkPackageJson;
}

/** The `type` of the package.json that governs `file` (undefined when none says), cached per folder. */
const scopeTypes = new Map<string, string | undefined>();
function packageType(file: string): string | undefined {
  const dir = path.dirname(file);
  if (scopeTypes.has(dir)) return scopeTypes.get(dir);
  let type: string | undefined;
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    type = typeof manifest.type === 'string' ? manifest.type : undefined;
  } catch {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(dir);
  }
  scopeTypes.set(dir, type);
  return type;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  let resolved: ResolveResult;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    const isOrk = specifier === 'ork' || specifier.startsWith('ork/');
    if (isOrk && orkPackageJson && (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') {
      return nextResolve(specifier, { ...context, parentURL: orkPackageJson });
    }
    throw error;
  }
  if (resolved.format === 'commonjs' && resolved.url.startsWith('file:') && /\.tsx?$/.test(resolved.url) && !resolved.url.includes('/node_modules/')) {
    if (packageType(fileURLToPath(resolved.url)) === undefined) return { ...resolved, format: 'module' };
  }
  return resolved;
}

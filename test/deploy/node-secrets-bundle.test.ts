import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NODE_RUNTIME } from '../../lib/deploy/index.js';
import { bundleNodeTasks, nodeTarget } from '../../lib/deploy/node-bundle.js';
import { temporaryDirectory } from '../support/temporary-directory.js';
import { writeWorkflowFiles } from '../support/workflows.js';

/**
 * The deployed node bundle holds the AWS SDK clients `ctx.secrets` uses, and loads them only when a task first
 * reads a secret (docs/node-sdk.md, "Secrets"): they are chunks reached from the handler module by dynamic
 * `import()` alone, so a cold start that reads no secret does not load or parse them.
 */

let tmp: ReturnType<typeof temporaryDirectory>;
let handler = '';
let out = '';

beforeAll(() => {
  tmp = temporaryDirectory('ork-node-secrets-bundle-');
  const workflow = writeWorkflowFiles(path.join(tmp.dir, 'wf'), {
    'tasks/reads.ts': `import { defineTask } from 'ork/task';
export default defineTask({ handler: async (_input, ctx) => ({ length: (await ctx.secrets.get('prod/db')).length }) });
`,
  });
  out = path.join(tmp.dir, 'out');
  const { bundles } = bundleNodeTasks(workflow, [{ name: 'reads', file: 'tasks/reads.ts' }], out, { target: nodeTarget(DEFAULT_NODE_RUNTIME.name) });
  handler = bundles.get('reads')!;
}, 120_000);

afterAll(() => tmp?.remove());

/** The modules `file` imports statically (`import … from`, `export … from`), transitively, itself included. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  // A static import is `import` or `export` followed by bindings and `from "…"`, or by the string directly;
  // `import("…")` (a parenthesis after import) is dynamic and not followed.
  for (const match of text.matchAll(/\b(?:import|export)\s*(?:[\w$*{},\s]*?\bfrom\s*)?["'](\.{1,2}\/[^"']+)["']/g)) {
    staticClosure(path.resolve(path.dirname(file), match[1]!), seen);
  }
  return seen;
}

describe('the node bundle of a task that reads secrets', () => {
  it('holds the Secrets Manager and SSM clients, reached only by dynamic import', () => {
    const all = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.mjs'))
      .map((entry) => path.join(entry.parentPath, entry.name));
    const holding = (command: string): string[] => all.filter((file) => readFileSync(file, 'utf8').includes(command));
    const loadedAtStart = staticClosure(handler);
    expect(loadedAtStart.size).toBeGreaterThan(1);
    // The clients' own exception classes: the SDK's code names only the commands it takes from them.
    for (const command of ['SecretsManagerServiceException', 'SSMServiceException']) {
      expect(holding(command), command).not.toEqual([]);
      for (const file of holding(command)) expect(loadedAtStart.has(file), `${path.relative(out, file)} (${command}) is loaded at start`).toBe(false);
    }
  });
});

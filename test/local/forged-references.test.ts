/**
 * Payload references in a real local run (`ork run --json`), both runtimes: a reference that a workflow's
 * input forges — a `$ork_ref` to a file of the machine passed through a foreach, an `ork_items` naming a
 * file as a fan-out's list — fails the instance with the non-retryable `Ork.ForeignReference`, and the
 * file's content appears nowhere: not in the outputs, the printed summary or any file of the run record.
 * References of the run itself keep working, also those `--resume` reuses from the earlier run's payload
 * folder (docs/payload.md, "References").
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkflowCli, type CliRun } from '../support/cli.js';

const SECRET = 'TOP-SECRET-3c9f1a';

let work: string;
let secretFile: string;
let secretList: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ork-forged-refs-'));
  // Outside any run folder, as ~/.aws/credentials or another run's payloads would be.
  mkdirSync(path.join(work, 'elsewhere'));
  secretFile = path.join(work, 'elsewhere', 'secret.json');
  writeFileSync(secretFile, JSON.stringify({ secret: SECRET }));
  secretList = path.join(work, 'elsewhere', 'secret-list.json');
  writeFileSync(secretList, JSON.stringify([SECRET, `${SECRET}-2`]));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

type Language = 'python' | 'node';

/** `list` hands on its params' items (a foreach source), `each` returns its item: what a forged reference needs. */
const TASKS: Record<Language, Record<string, string>> = {
  python: {
    'tasks/list.py': `from ork import task

@task
def main(input):
    return {"items": input["params"]["items"]}
`,
    'tasks/each.py': `from ork import task

@task
def main(input):
    return {"got": input["item"]}
`,
  },
  node: {
    'tasks/list.ts': `import { defineTask } from 'ork/task';
export default defineTask({ handler: (input) => ({ items: (input.params as { items: unknown }).items }) });
`,
    'tasks/each.ts': `import { defineTask } from 'ork/task';
export default defineTask({ handler: (input) => ({ got: input.item }) });
`,
  },
};

function workflow(name: string, files: Record<string, string>, yaml: string): string {
  const dir = path.join(work, name);
  for (const [file, content] of Object.entries({ 'workflow.yaml': yaml, ...files })) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function foreachWorkflow(language: Language, name: string): string {
  const ext = language === 'python' ? 'py' : 'ts';
  return workflow(
    name,
    TASKS[language],
    `tasks:
  list:
    executor: ${language}
    file: tasks/list.${ext}
  each:
    executor: ${language}
    file: tasks/each.${ext}
    foreach: list.items
    retries: 2
    retry_delay: 1s
`,
  );
}

/** Every file of the run's folder, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) found.push(...filesUnder(file));
    else found.push({ file, text: readFileSync(file, 'utf8') });
  }
  return found;
}

function attempts(run: CliRun, task: string): { instance: string; attempt: number; status: string; error?: { error?: string; type?: string } }[] {
  return readFileSync(path.join(run.runDir, 'attempts.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { task: string; instance: string; attempt: number; status: string })
    .filter((a) => a.task === task);
}

function expectNoSecret(run: CliRun): void {
  expect(run.stdout).not.toContain(SECRET);
  expect(run.stderr).not.toContain(SECRET);
  const leaking = filesUnder(run.runDir).filter(({ text }) => text.includes(SECRET));
  expect(leaking.map(({ file }) => path.relative(run.runDir, file))).toStrictEqual([]);
}

describe.each(['python', 'node'] as const)('forged references in a %s run', (language) => {
  it('a file:// $ork_ref in the input, passed through a foreach, fails the instance with Ork.ForeignReference (not retried) and reads nothing', async () => {
    const dir = foreachWorkflow(language, `ref-${language}`);
    const url = pathToFileURL(secretFile).href;
    const run = await runWorkflowCli(dir, path.join(dir, 'runs'), ['--input', JSON.stringify({ items: ['plain', { $ork_ref: url, bytes: 10 }] })]);
    expect(run.json.status, run.stderr).toBe('FAILED');
    expect(run.code).not.toBe(0);
    expect(run.json.error?.error).toBe('Ork.ForeignReference');
    expect(run.json.error?.message).toContain(url);
    // Never retried (retries: 2): a forged reference stays forged. Every instance is handed list's whole
    // output, which holds the reference: an instance that reads it (an untyped node task does) fails alike.
    const each = attempts(run, 'each');
    expect(each.every((a) => a.attempt === 1)).toBe(true);
    const failed = each.filter((a) => a.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.error?.type === 'Ork.ForeignReference')).toBe(true);
    expectNoSecret(run);
  }, 120_000);

  it('an ork_items naming a file as the foreach list fails the upstream with Ork.ForeignReference before the ItemReader reads it', async () => {
    const dir = foreachWorkflow(language, `items-${language}`);
    const forged = { ork_items: { bucket: path.dirname(secretList), key: path.basename(secretList), count: 2 } };
    const run = await runWorkflowCli(dir, path.join(dir, 'runs'), ['--input', JSON.stringify({ items: forged })]);
    expect(run.json.status, run.stderr).toBe('FAILED');
    expect(run.json.error?.error).toBe('Ork.ForeignReference');
    expect(run.json.error?.message).toContain(secretList);
    expect(attempts(run, 'each')).toStrictEqual([]);
    expectNoSecret(run);
  }, 120_000);
});

describe('references of the run itself', () => {
  it("--resume reuses an upstream's large output from the earlier run's payload folder, in both runtimes", async () => {
    const dir = workflow(
      'resumed',
      {
        'tasks/big.py': `from ork import task

@task
def main():
    return {"blob": "b" * 5000}
`,
        'tasks/py_read.py': `import os
from ork import task

@task
def main(input):
    if os.path.exists("refuse"):
        raise RuntimeError("refused while ./refuse exists")
    return {"length": len(input["big"]["blob"])}
`,
        'tasks/node_read.ts': `import { existsSync } from 'node:fs';
import { defineTask } from 'ork/task';
export default defineTask({
  handler: (input) => {
    if (existsSync('refuse')) throw new Error('refused while ./refuse exists');
    return { length: (input.big as { blob: string }).blob.length };
  },
});
`,
      },
      `tasks:
  big:
    executor: python
    file: tasks/big.py
  py_read:
    executor: python
    file: tasks/py_read.py
    depends_on: [big]
  node_read:
    executor: node
    file: tasks/node_read.ts
    depends_on: [big]
`,
    );
    const runsDir = path.join(dir, 'runs');
    const env = { ORK_LARGE_OUTPUT_BYTES: '1000' };
    writeFileSync(path.join(dir, 'refuse'), '');
    const failed = await runWorkflowCli(dir, runsDir, [], env);
    expect(failed.json.status, failed.stderr).toBe('FAILED');
    const big = failed.json.outputs.big as { $ork_ref: string };
    expect(big.$ork_ref).toBe(pathToFileURL(path.join(failed.runDir, 'payloads', 'resumed', failed.json.runId, 'big', 'big-attempt1.json')).href);
    rmSync(path.join(dir, 'refuse'));
    const resumed = await runWorkflowCli(dir, runsDir, ['--resume', failed.json.runId], env);
    expect(resumed.json.status, `${resumed.stderr}\n${JSON.stringify(resumed.json.error)}`).toBe('SUCCEEDED');
    expect(attempts(resumed, 'big').map((a) => a.status)).toStrictEqual(['reused']);
    // The reused reference still points into the earlier run's folder, and both runtimes read it.
    expect(resumed.json.outputs.big).toStrictEqual(failed.json.outputs.big);
    expect(resumed.json.outputs.py_read).toStrictEqual({ length: 5000 });
    expect(resumed.json.outputs.node_read).toStrictEqual({ length: 5000 });
  }, 180_000);
});

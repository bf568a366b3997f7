import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSecrets, secretEnvName } from '../../lib/local/local-secrets.js';
import { jsonLines, runOrk, runWorkflowCli, type CliRun } from '../support/cli.js';
import { temporaryDirectory } from '../support/temporary-directory.js';

/**
 * Secrets in `ork run` (docs/local-engine.md, "Secrets"): values from the workflow's .ork/secrets.json (or
 * --secrets FILE) and ORK_SECRET_<NAME>, the environment winning; each task gets only its own declared
 * secrets, with each request; nothing of them reaches .ork/runs or the command's output, and ctx.log shows
 * them as ***; a secret with no value fails the task that reads it with Ork.SecretNotFound and a hint.
 */

const PASSWORD = 'pw-SENTINEL-7f3a91';
const TOKEN = 'tok-SENTINEL-c04e2b';
const FILE_TOKEN = 'file-token-never-used';

const WORKFLOW = `name: secrets-run
tasks:
  extract:
    file: tasks/extract.py
    secrets: [prod/warehouse, /ork/api-token]
  report:
    file: tasks/report.ts
    executor: node
    depends_on: [extract]
    secrets: [prod/warehouse]
  other:
    file: tasks/other.py
    depends_on: [extract]
`;

const EXTRACT = `import os
from ork import task, Context

@task
def main(ctx: Context):
    warehouse = ctx.secrets.json("prod/warehouse")
    token = ctx.secrets["/ork/api-token"]
    ctx.log.info(f"connecting as {warehouse['user']} with {warehouse['password']}", token=token)
    return {
        "user": warehouse["user"],
        "password_length": len(warehouse["password"]),
        "token_from_env": token.startswith("tok-"),
        "declared": list(ctx.secrets.declared),
    }
`;

const REPORT = `import { defineTask } from 'ork/task';

export default defineTask({
  handler: async (_input, ctx) => {
    const warehouse = await ctx.secrets.json<{ user: string; password: string }>('prod/warehouse');
    ctx.log.info('report connects with ' + warehouse.password);
    return { password_length: warehouse.password.length };
  },
});
`;

const OTHER = `import os
from ork import task, Context, SecretNotDeclaredError

@task
def main(ctx: Context):
    try:
        ctx.secrets["prod/warehouse"]
        refused = None
    except SecretNotDeclaredError as error:
        refused = type(error).__name__
    return {"refused": refused, "secret_env": sorted(k for k in os.environ if k.startswith("ORK_SECRET"))}
`;

let tmp: ReturnType<typeof temporaryDirectory>;
let dir: string;
let runsDir: string;
let run: CliRun;

/** Every file under `root`, as text. */
function allFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(file, readFileSync(file, 'latin1'));
    }
  }
  return files;
}

function writeWorkflow(name: string, secrets?: Record<string, unknown>): string {
  const root = path.join(tmp.dir, name);
  mkdirSync(path.join(root, 'tasks'), { recursive: true });
  mkdirSync(path.join(root, '.ork'), { recursive: true });
  writeFileSync(path.join(root, 'workflow.yaml'), WORKFLOW);
  writeFileSync(path.join(root, 'tasks', 'extract.py'), EXTRACT);
  writeFileSync(path.join(root, 'tasks', 'report.ts'), REPORT);
  writeFileSync(path.join(root, 'tasks', 'other.py'), OTHER);
  if (secrets) writeFileSync(path.join(root, '.ork', 'secrets.json'), JSON.stringify(secrets));
  return root;
}

beforeAll(async () => {
  tmp = temporaryDirectory('ork-secrets-run-');
  runsDir = path.join(tmp.dir, 'runs');
  dir = writeWorkflow('wf', { 'prod/warehouse': { user: 'etl', password: PASSWORD }, '/ork/api-token': FILE_TOKEN });
  run = await runWorkflowCli(dir, runsDir, [], { ORK_SECRET_ORK_API_TOKEN: TOKEN, ORK_SECRET_UNRELATED: 'not-for-any-task' });
}, 180_000);

afterAll(() => tmp?.remove());

describe('ork run with secrets', () => {
  it('hands each task its declared secrets, the environment winning over the file', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.outputs.extract).toStrictEqual({
      user: 'etl',
      password_length: PASSWORD.length,
      token_from_env: true,
      declared: ['prod/warehouse', '/ork/api-token'],
    });
    expect(run.json.outputs.report).toStrictEqual({ password_length: PASSWORD.length });
  });

  it('a task that declares none reads none: Ork.SecretNotDeclared, and no ORK_SECRET_<NAME> in its environment', () => {
    expect(run.json.outputs.other).toStrictEqual({ refused: 'Ork.SecretNotDeclared', secret_env: [] });
  });

  it('ctx.log lines show *** for the values, in python and node tasks', () => {
    const [extract] = jsonLines<{ message: string; record?: Record<string, unknown> }>(path.join(run.runDir, 'logs', 'extract.jsonl'));
    expect(extract!.message).toBe('connecting as etl with ***');
    const [report] = jsonLines<{ message: string }>(path.join(run.runDir, 'logs', 'report.jsonl'));
    expect(report!.message).toBe('report connects with ***');
  });

  it('no value reaches the run records or the command output', () => {
    const files = allFiles(runsDir);
    expect(files.size).toBeGreaterThan(5);
    for (const [file, text] of files) {
      for (const value of [PASSWORD, TOKEN, FILE_TOKEN]) expect(text.includes(value), `${value} in ${file}`).toBe(false);
    }
    for (const value of [PASSWORD, TOKEN]) {
      expect(run.stdout).not.toContain(value);
      expect(run.stderr).not.toContain(value);
    }
  });
});

describe('ork run with a secret that has no value', () => {
  it('fails the task that reads it with Ork.SecretNotFound, naming the file and the variable', async () => {
    const missing = writeWorkflow('missing', { 'prod/warehouse': { user: 'etl', password: PASSWORD } });
    const failed = await runWorkflowCli(missing, runsDir, [], { ORK_SECRET_ORK_API_TOKEN: undefined });
    expect(failed.code).toBe(1);
    const attempt = jsonLines<{ task: string; status: string; error?: { type: string; message: string } }>(path.join(failed.runDir, 'attempts.jsonl')).find(
      (line) => line.task === 'extract',
    );
    expect(attempt?.error?.type).toBe('Ork.SecretNotFound');
    expect(attempt?.error?.message).toContain(`secret '/ork/api-token' has no local value`);
    expect(attempt?.error?.message).toContain(path.join(missing, '.ork', 'secrets.json'));
    expect(attempt?.error?.message).toContain('ORK_SECRET_ORK_API_TOKEN');
    // Not retried: a missing value stays missing.
    expect(failed.json.tasks.extract?.retried).toBe(0);
  });

  it('--secrets FILE reads that file, and one that does not exist is a usage error', async () => {
    const elsewhere = writeWorkflow('elsewhere');
    const file = path.join(tmp.dir, 'my-secrets.json');
    writeFileSync(file, JSON.stringify({ 'prod/warehouse': JSON.stringify({ user: 'etl', password: PASSWORD }), '/ork/api-token': TOKEN }));
    const given = await runWorkflowCli(elsewhere, runsDir, ['--secrets', file], { ORK_SECRET_ORK_API_TOKEN: undefined });
    expect(given.code, given.stderr).toBe(0);
    expect(given.json.outputs.extract).toMatchObject({ password_length: PASSWORD.length, token_from_env: true });

    const absent = await runOrk(['run', elsewhere, '--secrets', path.join(tmp.dir, 'nope.json')], tmp.dir, { ORK_RUNS_DIR: runsDir });
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('nope.json does not exist');
  }, 120_000);
});

describe('local secret values', () => {
  it.each([
    ['prod/warehouse', 'ORK_SECRET_PROD_WAREHOUSE'],
    ['/ork/api-token', 'ORK_SECRET_ORK_API_TOKEN'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db.pass@x', 'ORK_SECRET_ARN_AWS_SECRETSMANAGER_EU_WEST_1_123456789012_SECRET_DB_PASS_X'],
  ])('%s is given by %s', (name, variable) => {
    expect(secretEnvName(name)).toBe(variable);
  });

  it('a file that is not a JSON object is refused without quoting it', () => {
    const file = path.join(tmp.dir, 'broken.json');
    writeFileSync(file, `{"prod/warehouse": ${PASSWORD}}`);
    expect(() => LocalSecrets.load({ workflowDir: tmp.dir, file, env: {} })).toThrow(/is not valid JSON$/);
    try {
      LocalSecrets.load({ workflowDir: tmp.dir, file, env: {} });
    } catch (error) {
      expect(String(error)).not.toContain(PASSWORD);
    }
    writeFileSync(file, '["a"]');
    expect(() => LocalSecrets.load({ workflowDir: tmp.dir, file, env: {} })).toThrow('must hold a JSON object');
  });
});

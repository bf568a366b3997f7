import { createHash } from 'node:crypto';
import path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, type AwsParity, type Deployment } from '../support/aws-parity/index.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { ROOT, writeWorkflowFiles } from '../support/workflows.js';

/**
 * Secrets on moto and under `ork run` (docs/python-sdk.md, "Secrets"): a secret in moto's Secrets Manager and
 * a SecureString parameter in moto's SSM are read by the deployed functions from their synthesized assets (the
 * Python handler through the boto3 Lambda ships, the node bundle through the AWS SDK it holds, both at moto by
 * the harness's AWS_ENDPOINT_URL, with the ORK_SECRETS the template gives them), and the outputs must equal
 * those of `ork run` with a local secrets file holding the same values. The tasks return digests of what they
 * read, and log the values, which must reach CloudWatch (moto's) as ***, and the execution history not at all.
 * A declared secret that exists nowhere fails the task with Ork.SecretNotFound on both.
 */

const runSuite = paritySuiteRuns('secrets parity');

const PASSWORD = 'parity-pw-SENTINEL-41d9';
const TOKEN = 'parity-token-SENTINEL-8e0c';
const WAREHOUSE = { user: 'etl', password: PASSWORD };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const FILES: Record<string, string> = {
  'workflow.yaml': `name: parity-secrets
params:
  read_missing: false
tasks:
  extract:
    file: tasks/extract.py
    secrets: [parity/warehouse, /parity/api-token, parity/missing]
  report:
    file: tasks/report.ts
    executor: node
    depends_on: [extract]
    secrets: [parity/warehouse]
`,
  'tasks/extract.py': `import hashlib

from ork import Context, task


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


@task
def main(input, ctx: Context):
    if input["params"]["read_missing"]:
        ctx.secrets["parity/missing"]
    db = ctx.secrets.json("parity/warehouse")
    token = ctx.secrets["/parity/api-token"]
    ctx.log.info(f"connecting as {db['user']} with {db['password']} and {token}")
    return {"user": db["user"], "password": digest(db["password"]), "token": digest(token)}
`,
  'tasks/report.ts': `import { createHash } from 'node:crypto';
import { defineTask } from 'ork/task';

export default defineTask({
  handler: async (_input, ctx) => {
    const db = await ctx.secrets.json<{ user: string; password: string }>('parity/warehouse');
    ctx.log.info('report connects with ' + db.password);
    return { user: db.user, password: createHash('sha256').update(db.password).digest('hex') };
  },
});
`,
};

/** The Lambda runtime's error JSON, which is a Lambda error's cause on AWS and moto. */
function lambdaError(cause: string | undefined): { errorType?: string; errorMessage?: string } {
  return JSON.parse(cause ?? 'null') as { errorType?: string; errorMessage?: string };
}

describe.skipIf(!runSuite)('secrets read by the deployed functions on moto and under ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let deployment: Deployment | undefined;

  useAwsParity(
    {
      prefix: 'ork-secrets-parity-',
      parent: path.join(ROOT, 'scratch'),
      prepare: (scratch) => {
        writeWorkflowFiles(path.join(scratch, 'aws', 'parity-secrets'), FILES);
        // Locally, the same values in the workflow's secrets file.
        const local = { ...FILES, '.ork/secrets.json': JSON.stringify({ 'parity/warehouse': WAREHOUSE, '/parity/api-token': TOKEN }) };
        writeWorkflowFiles(path.join(scratch, 'local', 'parity-secrets'), local);
      },
      setupTimeoutMs: 120_000,
    },
    (suite) => ({ aws, work } = suite),
  );

  beforeAll(async () => {
    const config = { endpoint: aws!.motoUrl, region: aws!.region, credentials: CREDENTIALS };
    await new SecretsManagerClient(config).send(new CreateSecretCommand({ Name: 'parity/warehouse', SecretString: JSON.stringify(WAREHOUSE) }));
    await new SSMClient(config).send(new PutParameterCommand({ Name: '/parity/api-token', Value: TOKEN, Type: 'SecureString' }));
    deployment = await aws!.deploy(path.join(work, 'aws', 'parity-secrets'));
  }, 180_000);

  const orkRun = (input: unknown): Promise<CliRun> =>
    runWorkflowCli(path.join(work, 'local', 'parity-secrets'), path.join(work, 'runs'), ['--input', JSON.stringify(input)], {}, { cwd: ROOT });

  const onMoto = async (input: unknown) => {
    const executionArn = await aws!.startExecution(deployment!.stateMachineArn, input);
    const result = await aws!.waitForExecution(executionArn, { timeoutMs: 120_000 });
    return { ...result, history: JSON.stringify(await aws!.history(executionArn)) };
  };

  it('the python and node tasks read the same values on moto as from the local secrets file', async () => {
    const [local, cloud] = await Promise.all([orkRun({}), onMoto({})]);
    expect(cloud.status, `${cloud.error}: ${cloud.cause}`).toBe('SUCCEEDED');
    expect(local.code, local.stderr).toBe(0);
    expect(cloud.output).toEqual(local.json.outputs);
    expect(local.json.outputs).toEqual({
      extract: { user: 'etl', password: sha256(PASSWORD), token: sha256(TOKEN) },
      report: { user: 'etl', password: sha256(PASSWORD) },
    });
    // What the functions logged reached CloudWatch masked; nothing of the values is in the history.
    for (const task of ['extract', 'report']) {
      const messages = (await aws!.logEvents(deployment!.functions[task]!.name)).map((event) => event.message).join('\n');
      expect(messages).toContain('***');
      expect(messages).not.toContain(PASSWORD);
      expect(messages).not.toContain(TOKEN);
    }
    expect(cloud.history).not.toContain(PASSWORD);
    expect(cloud.history).not.toContain(TOKEN);
  }, 180_000);

  it('a declared secret that exists nowhere fails the task with Ork.SecretNotFound on both', async () => {
    const [local, cloud] = await Promise.all([orkRun({ read_missing: true }), onMoto({ read_missing: true })]);
    expect(cloud.status).toBe('FAILED');
    expect(cloud.error).toBe('Ork.SecretNotFound');
    expect(lambdaError(cloud.cause).errorMessage).toContain("secret 'parity/missing'");
    expect(local.code).toBe(1);
    expect(local.json.error?.error).toBe('Ork.SecretNotFound');
    expect(local.json.error?.message).toContain("secret 'parity/missing'");
    expect(local.json.error?.message).toContain('ORK_SECRET_PARITY_MISSING');
  }, 180_000);
});

/**
 * `ctx.secrets` of the Node SDK: Secrets Manager and SSM reads (moto_server, through the AWS SDK clients the
 * deployed bundle holds), the cache and its TTL, the errors, masking, and the values `ork run` sends with a
 * request (docs/node-sdk.md, "Secrets").
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeFailure, OrkError } from '../ork/errors.js';
import { defineTask, lambdaHandler } from '../ork/index.js';
import { forgetSecrets, mask } from '../ork/masking.js';
import { DEFAULT_TTL_SECONDS, setLocalSecrets, setSecretsClient, type SecretService, type SecretsClient } from '../ork/secrets.js';
import { makePayload, restoreEnvironmentAfterEach, run, runOk, useMotoS3 } from './support.js';

const SENTINEL = 's3ntinel-Pa55word';

const reads = defineTask({
  handler: async (input, ctx) => {
    const values: Record<string, string> = {};
    for (const name of (input.params as { names: string[] }).names) values[name] = await ctx.secrets.get(name);
    return values;
  },
});

const readsJson = defineTask({ handler: async (_input, ctx) => ctx.secrets.json('prod/warehouse') });

const logs = defineTask({
  handler: async (_input, ctx) => {
    const password = await ctx.secrets.get('prod/warehouse');
    ctx.log.info(`connecting with ${password}`, { dsn: `postgres://u:${password}@db`, nested: { p: [password] } });
    return { length: password.length };
  },
});

const raises = defineTask({
  handler: async (_input, ctx) => {
    const password = await ctx.secrets.get('prod/warehouse');
    throw new RangeError(`login refused for password ${password}`);
  },
});

function declare(...names: string[]): void {
  process.env.ORK_SECRETS = JSON.stringify(names);
}

function names(...list: string[]): Record<string, unknown> {
  return makePayload('extract', { params: { names: list } });
}

async function failureOf(task: Parameters<typeof run>[0], payload?: Record<string, unknown>): Promise<OrkError | Error> {
  const { error } = await run(task, payload);
  if (!(error instanceof Error)) throw new Error(`the task did not fail with an Error: ${String(error)}`);
  return error;
}

/** A client whose reads answer from a table (or fail with `code`), counting them. */
class FakeClient implements SecretsClient {
  calls = 0;
  constructor(
    readonly values: Record<string, string>,
    readonly code?: string,
    readonly status?: number,
  ) {}

  read(_service: SecretService, name: string): Promise<string> {
    this.calls++;
    if (this.code !== undefined) {
      const error = Object.assign(new Error(`${this.code} for the key`), { name: this.code, $metadata: { httpStatusCode: this.status ?? 400 } });
      return Promise.reject(error);
    }
    const value = this.values[name];
    return value === undefined ? Promise.reject(Object.assign(new Error('not there'), { name: 'ResourceNotFoundException' })) : Promise.resolve(value);
  }
}

restoreEnvironmentAfterEach();
afterEach(() => {
  setSecretsClient(undefined);
  setLocalSecrets(undefined);
  forgetSecrets();
  vi.useRealTimers();
});

describe('ctx.secrets on AWS (moto)', () => {
  const moto = useMotoS3('ork-secrets-tests');
  let arn: string;
  beforeAll(async () => {
    const config = { endpoint: moto().moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const sm = new SecretsManagerClient(config);
    arn = (await sm.send(new CreateSecretCommand({ Name: 'prod/warehouse', SecretString: SENTINEL }))).ARN!;
    await sm.send(new CreateSecretCommand({ Name: 'prod/json', SecretString: JSON.stringify({ user: 'etl', password: SENTINEL, port: 5432 }) }));
    await sm.send(new CreateSecretCommand({ Name: 'prod/rotating', SecretString: 'first-value' }));
    await new SSMClient(config).send(new PutParameterCommand({ Name: '/ork/api-token', Value: 'tok-123456', Type: 'SecureString' }));
  });

  it('reads a Secrets Manager secret by name and ARN, and an SSM SecureString by path and ARN', async () => {
    const parameterArn = 'arn:aws:ssm:us-east-1:123456789012:parameter/ork/api-token';
    const all = ['prod/warehouse', '/ork/api-token', arn, parameterArn];
    declare(...all);
    const { output } = await runOk(reads, names(...all));
    expect(output).toStrictEqual({ 'prod/warehouse': SENTINEL, '/ork/api-token': 'tok-123456', [arn]: SENTINEL, [parameterArn]: 'tok-123456' });
  });

  it('parses a JSON secret and masks its string leaves of 4 characters or more', async () => {
    declare('prod/json');
    const task = defineTask({ handler: async (_input, ctx) => ctx.secrets.json('prod/json') });
    expect((await runOk(task)).output).toStrictEqual({ user: 'etl', password: SENTINEL, port: 5432 });
    expect(mask(`user etl, password ${SENTINEL}`)).toBe('user etl, password ***');
  });

  it.each(['prod/missing', '/ork/missing'])('%s, which does not exist, fails with Ork.SecretNotFound, not retried', async (name) => {
    declare(name);
    const error = await failureOf(reads, names(name));
    expect(error.name).toBe('Ork.SecretNotFound');
    expect(error.message).toContain(`secret '${name}'`);
    expect(describeFailure(error).retryable).toBe(false);
  });

  it('keeps a value for the TTL, then reads it again', async () => {
    declare('prod/rotating');
    vi.useFakeTimers({ toFake: ['Date'] });
    expect((await runOk(reads, names('prod/rotating'))).output).toStrictEqual({ 'prod/rotating': 'first-value' });
    const config = { endpoint: moto().moto.url, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    await new SecretsManagerClient(config).send(new PutSecretValueCommand({ SecretId: 'prod/rotating', SecretString: 'second-value' }));
    expect((await runOk(reads, names('prod/rotating'))).output).toStrictEqual({ 'prod/rotating': 'first-value' });
    vi.setSystemTime(Date.now() + (DEFAULT_TTL_SECONDS + 1) * 1000);
    expect((await runOk(reads, names('prod/rotating'))).output).toStrictEqual({ 'prod/rotating': 'second-value' });
  });
});

describe('ctx.secrets errors, cache and masking', () => {
  it.each([
    ['AccessDeniedException', 'prod/warehouse', 400, 'Ork.SecretAccessDenied'],
    ['AccessDeniedException', '/ork/api-token', 400, 'Ork.SecretAccessDenied'],
    ['DecryptionFailure', 'prod/warehouse', 400, 'Ork.SecretAccessDenied'],
    ['InvalidKeyId', '/ork/api-token', 400, 'Ork.SecretAccessDenied'],
    ['UnrecognizedClientException', 'prod/warehouse', 403, 'Ork.SecretAccessDenied'],
    ['InvalidRequestException', 'prod/warehouse', 400, 'Ork.SecretNotFound'],
    ['ParameterVersionNotFound', '/ork/api-token', 400, 'Ork.SecretNotFound'],
    ['ThrottlingException', 'prod/warehouse', 400, 'ThrottlingException'],
  ])('%s reading %s (HTTP %i) is %s', async (code, name, status, expected) => {
    setSecretsClient(new FakeClient({}, code, status));
    declare(name);
    const error = await failureOf(reads, names(name));
    expect(error.name).toBe(expected);
    // A throttled read is worth retrying (retries: of the task); a refused one is not.
    expect(describeFailure(error).retryable).toBe(expected === 'ThrottlingException');
    if (expected !== 'ThrottlingException') expect(error.message).toContain(`secret '${name}'`);
  });

  it('an undeclared name is Ork.SecretNotDeclared, naming the task and what it lists, without calling AWS', async () => {
    const client = new FakeClient({ 'prod/other': 'x' });
    setSecretsClient(client);
    declare('prod/warehouse');
    const error = await failureOf(reads, names('prod/other'));
    expect(error.name).toBe('Ork.SecretNotDeclared');
    expect(error.message).toContain("task 'extract' read secret 'prod/other'");
    expect(error.message).toContain('it lists: prod/warehouse');
    expect(describeFailure(error).retryable).toBe(false);
    expect(client.calls).toBe(0);
    delete process.env.ORK_SECRETS;
    expect((await failureOf(reads, names('prod/other'))).message).toContain('it lists: none');
  });

  it('reads the service once per TTL, and every time with ORK_SECRETS_TTL_SECONDS=0', async () => {
    const client = new FakeClient({ 'prod/warehouse': SENTINEL });
    setSecretsClient(client);
    declare('prod/warehouse');
    await runOk(reads, names('prod/warehouse', 'prod/warehouse'));
    await runOk(reads, names('prod/warehouse'));
    expect(client.calls).toBe(1);
    process.env.ORK_SECRETS_TTL_SECONDS = '0';
    await runOk(reads, names('prod/warehouse', 'prod/warehouse'));
    expect(client.calls).toBe(3);
  });

  it('ctx.log masks the value in the message and in the fields', async () => {
    setSecretsClient(new FakeClient({ 'prod/warehouse': SENTINEL }));
    declare('prod/warehouse');
    const { output, logs: lines } = await runOk(logs);
    expect(output).toStrictEqual({ length: SENTINEL.length });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'connecting with ***', dsn: 'postgres://u:***@db', nested: { p: ['***'] } });
    expect(JSON.stringify(lines)).not.toContain(SENTINEL);
  });

  it('the failure a task throws is masked in the described failure and in what the Lambda handler rethrows', async () => {
    setSecretsClient(new FakeClient({ 'prod/warehouse': SENTINEL }));
    declare('prod/warehouse');
    const failure = describeFailure(await failureOf(raises));
    expect(failure.message).toBe('login refused for password ***');
    expect(failure.traceback).not.toContain(SENTINEL);

    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    try {
      const handler = lambdaHandler(raises);
      const thrown = await handler(makePayload('raises')).then(
        () => undefined,
        (error: unknown) => error,
      );
      // What the Lambda runtime reports: error.name (Retry/Catch match it) and the message (the cause).
      expect(thrown).toBeInstanceOf(RangeError);
      expect((thrown as Error).name).toBe('RangeError');
      expect((thrown as Error).message).toBe('login refused for password ***');
      expect((thrown as Error).stack).not.toContain(SENTINEL);
    } finally {
      write.mockRestore();
    }
    expect(printed.join('')).not.toContain(SENTINEL);
  });

  it("uses the local request's values (ork run) and never the service; a missing one fails with its hint", async () => {
    const client = new FakeClient({}, 'ShouldNotBeCalled');
    setSecretsClient(client);
    declare('prod/warehouse', '/ork/api-token');
    const hint = 'add it to /wf/.ork/secrets.json or set ORK_SECRET_ORK_API_TOKEN';
    setLocalSecrets(
      new Map([
        ['prod/warehouse', { value: SENTINEL }],
        ['/ork/api-token', { missing: hint }],
      ]),
    );
    expect((await runOk(reads, names('prod/warehouse'))).output).toStrictEqual({ 'prod/warehouse': SENTINEL });
    const error = await failureOf(reads, names('/ork/api-token'));
    expect(error.name).toBe('Ork.SecretNotFound');
    expect(error.message).toBe(`secret '/ork/api-token' has no local value: ${hint}`);
    expect(client.calls).toBe(0);
  });

  it('json() of a secret that is not JSON does not quote it', async () => {
    setSecretsClient(new FakeClient({ 'prod/warehouse': `{not json ${SENTINEL}` }));
    declare('prod/warehouse');
    const error = await failureOf(readsJson);
    expect(error.message).toBe("secret 'prod/warehouse' is not JSON");
    expect(JSON.stringify(describeFailure(error))).not.toContain(SENTINEL);
  });
});

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeHandlers } from '../../lib/deploy/node-bundle.js';
import { type AwsParity, type ExecutionResult } from '../support/aws-parity/index.js';
import { ROOT, writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { expectEveryEnvironmentEnds, invokeFailure, useLambdaEmulation } from '../support/aws-parity/lambda-emulation-suite.js';
import { runWorkflowCli, type CliRun } from '../support/cli.js';

/**
 * Parity of `executor: node` tasks: each workflow runs on moto's Step Functions interpreter, every Lambda
 * Invoke answered by the node task's deployed code (the esbuild bundles lib/deploy builds, run by the
 * harness's Node runtime, lambda_runtime.mjs, against moto's S3), and with `ork run` (the local node
 * worker); the outputs must be equal, and a failure must fail the same way in both.
 *
 * The workflows are written inside the repository (scratch/, git-ignored), where `ork/task` resolves
 * through the repository's package.json exports, as in a project that depends on Ork.
 */

const runSuite = paritySuiteRuns('node parity suite');

/** A node workflow: foreach × parallel, params, env, a data file read through import.meta.url from a
 * nested folder, two tasks of one file, and (with a small threshold) outputs through the payload store. */
const NODE_WORKFLOW = {
  'workflow.yaml': `name: parity-node
params:
  factor: 3
tasks:
  discover:
    executor: node
    file: tasks/discover.ts
  work:
    executor: node
    file: tasks/work.ts
    foreach: discover.items
    parallel: 2
    env:
      PARITY_COLOUR: green
  pad:
    executor: node
    file: tasks/pad.ts
  total:
    executor: node
    file: lib/summary/total.ts
    depends_on: [work, pad]
  twin:
    executor: node
    file: lib/summary/total.ts
    depends_on: [work, pad]
    memory: 256MB
    timeout: 30s
`,
  'data/items.csv': 'item\nalpha\nbeta\ngamma\n',
  'data/weights.json': '{"alpha": 1, "beta": 2, "gamma": 3}\n',
  'tasks/discover.ts': `import { readFileSync } from 'node:fs';
import { defineTask, z } from 'ork/task';

export default defineTask({
  output: z.object({ items: z.array(z.string()) }),
  handler: (_input, ctx) => {
    const [, ...items] = readFileSync(new URL('../data/items.csv', import.meta.url), 'utf8').trim().split('\\n');
    ctx.log.info(\`found \${items.length} items\`);
    return { items };
  },
});
`,
  // Larger than the test's ORK_LARGE_OUTPUT_BYTES: travels as a reference (S3 on AWS, a file locally). A
  // fan-out source must stay inline (the state machine reads its field), hence a task of its own.
  'tasks/pad.ts': `import { defineTask } from 'ork/task';

export default defineTask({ handler: () => ({ padding: 'p'.repeat(2000) }) });
`,
  'tasks/work.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ item: z.string(), params: z.object({ factor: z.number() }) }),
  output: z.object({ item: z.string(), worker: z.number(), of: z.number(), itemIndex: z.number(), value: z.number(), colour: z.string().nullable() }),
  handler: (input, ctx) => {
    console.log('working on', input.item, ctx.parallelIndex);
    return {
      item: input.item,
      worker: ctx.parallelIndex,
      of: ctx.parallelCount,
      itemIndex: ctx.itemIndex ?? -1,
      value: input.item.length * input.params.factor + ctx.parallelIndex,
      colour: process.env.PARITY_COLOUR ?? null,
    };
  },
});
`,
  'lib/summary/total.ts': `import { readFileSync } from 'node:fs';
import { defineTask, z } from 'ork/task';

const weights = JSON.parse(readFileSync(new URL('../../data/weights.json', import.meta.url), 'utf8')) as Record<string, number>;

export default defineTask({
  input: z.object({
    work: z.array(z.object({ item: z.string(), value: z.number() })),
    pad: z.object({ padding: z.string() }),
  }),
  handler: (input, ctx) => ({
    task: ctx.task,
    instances: input.work.length,
    weighted: input.work.reduce((sum, w) => sum + w.value * (weights[w.item] ?? 0), 0),
    padding: input.pad.padding.length,
  }),
});
`,
};

/** Python and node in one workflow, a large output crossing the language boundary each way. */
const MIXED_WORKFLOW = {
  'workflow.yaml': `name: parity-mixed
tasks:
  seed:
    executor: python
    file: tasks/seed.py
  square:
    executor: node
    file: tasks/square.ts
    foreach: seed.numbers
  big:
    executor: node
    file: tasks/big.ts
    depends_on: [square]
  filler:
    executor: python
    file: tasks/filler.py
  check:
    executor: python
    file: tasks/check.py
    depends_on: [big, filler]
  last:
    executor: node
    file: tasks/last.ts
    depends_on: [check, filler, seed]
`,
  'tasks/seed.py': `from ork import task
from pydantic import BaseModel


class Output(BaseModel):
    numbers: list[int]


@task
def main() -> Output:
    return Output(numbers=[2, 3, 4])
`,
  'tasks/filler.py': `from ork import task
from pydantic import BaseModel


class Output(BaseModel):
    filler: str


@task
def main() -> Output:
    return Output(filler="f" * 3000)
`,
  'tasks/square.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ item: z.number() }),
  output: z.object({ n: z.number(), square: z.number() }),
  handler: (input) => ({ n: input.item, square: input.item * input.item }),
});
`,
  'tasks/big.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ square: z.array(z.object({ n: z.number(), square: z.number() })) }),
  handler: (input) => ({ squares: input.square.map((s) => s.square), rows: Array.from({ length: 100 }, (_, i) => \`row-\${i}-\${'x'.repeat(20)}\`) }),
});
`,
  'tasks/check.py': `from ork import task
from pydantic import BaseModel


class Big(BaseModel):
    squares: list[int]
    rows: list[str]


class Filler(BaseModel):
    filler: str


class Input(BaseModel):
    big: Big
    filler: Filler


class Output(BaseModel):
    total: int
    rows: int
    filler: int


@task
def main(input: Input) -> Output:
    return Output(total=sum(input.big.squares), rows=len(input.big.rows), filler=len(input.filler.filler))
`,
  'tasks/last.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ check: z.object({ total: z.number(), rows: z.number() }), filler: z.object({ filler: z.string() }), seed: z.object({ numbers: z.array(z.number()) }) }),
  handler: (input) => ({ total: input.check.total, rows: input.check.rows, numbers: input.seed.numbers, filler: input.filler.filler.length }),
});
`,
};

/** A node task that throws a class without a name of its own; retried once, then the run fails. */
const FAILING_WORKFLOW = {
  'workflow.yaml': `name: parity-node-failing
tasks:
  prepare:
    executor: node
    file: tasks/prepare.ts
  explode:
    executor: node
    file: tasks/explode.ts
    depends_on: [prepare]
    retries: 1
    retry_delay: 1s
`,
  'tasks/prepare.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({ output: z.object({ value: z.number() }), handler: () => ({ value: 41 }) });
`,
  'tasks/explode.ts': `import { defineTask, z } from 'ork/task';

class QuotaExceeded extends Error {}

export default defineTask({
  input: z.object({ prepare: z.object({ value: z.number() }) }),
  handler: (input, ctx) => {
    throw new QuotaExceeded(\`boom on attempt \${ctx.attempt} after \${input.prepare.value}\`);
  },
});
`,
};

/** A node task whose input does not fit its schema: Ork.InputValidationError, not retried, in both. */
const INVALID_WORKFLOW = {
  'workflow.yaml': `name: parity-node-invalid
params:
  count: many
tasks:
  strict:
    executor: node
    file: tasks/strict.ts
    retries: 2
`,
  'tasks/strict.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({ input: z.object({ params: z.object({ count: z.number() }) }), handler: (input) => ({ count: input.params.count }) });
`,
};

const THRESHOLD = { ORK_LARGE_OUTPUT_BYTES: '1024' };

describe.skipIf(!runSuite)('the Node.js Lambda emulation (lambda_runtime.mjs, no moto needed)', () => {
  const emulation = useLambdaEmulation({
    prefix: 'ork-parity-node-lambda-',
    runtime: 'node',
    files: {
      'nested/handlers.mjs': [
        'let calls = 0;',
        'export const echo = async (event, context) => {',
        '  calls += 1;',
        '  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, event.sleep));',
        "  console.log('echo log line');",
        "  process.stdout.write('raw line\\n');",
        '  return { event, calls, pid: process.pid, request: context.awsRequestId, colour: ' +
          'process.env.COLOUR ?? null, cwd: process.cwd(), remaining: ' +
          'context.getRemainingTimeInMillis() > 0 };',
        '};',
        'class QuotaExceeded extends Error {}',
        "export const fail = async () => { const error = new QuotaExceeded('over'); error.name = 'QuotaExceeded'; throw error; };",
        "export const failString = async () => { throw 'plain'; };",
        'export const slow = () => new Promise(() => {});',
        'export const crash = () => process.exit(3);',
        'export const circular = async () => { const a = {}; a.a = a; return a; };',
        'export const nothing = async () => undefined;',
        '',
      ].join('\n'),
      'broken.mjs': "export const handler = async () => 1;\nthrow new TypeError('bad module');\n",
      'syntax.mjs': 'export const handler = async () => {;\n',
    },
    register: (fn) => {
      fn('echo', 'nested/handlers.echo', { COLOUR: 'green' });
      fn('fail', 'nested/handlers.fail');
      fn('fail-string', 'nested/handlers.failString');
      fn('slow', 'nested/handlers.slow', {}, 1);
      fn('crash', 'nested/handlers.crash');
      fn('circular', 'nested/handlers.circular');
      fn('nothing', 'nested/handlers.nothing');
      fn('no-export', 'nested/handlers.absent');
      fn('missing', 'no_such_module.handler');
      fn('malformed', 'nodot');
      fn('broken', 'broken.handler');
      fn('syntax', 'syntax.handler');
    },
  });

  it('keeps an environment warm, starts another for concurrent invocations, and captures what it writes', async () => {
    const functions = emulation();
    const first = JSON.parse((await functions.invoke('echo', { n: 1 })).payload) as {
      calls: number;
      pid: number;
      colour: string;
      cwd: string;
      remaining: boolean;
      request: string;
    };
    const second = await functions.invoke('echo', { n: 2 });
    // The code folder is mounted at /var/task, the working directory, as on Lambda.
    expect(first).toMatchObject({ event: { n: 1 }, calls: 1, colour: 'green', cwd: '/var/task', remaining: true });
    expect(first.request).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(second.payload)).toMatchObject({ calls: 2, pid: first.pid });
    expect(second.logs).toContain('echo log line');
    expect(second.logs).toContain('raw line');
    const both = await Promise.all([functions.invoke('echo', { sleep: 500 }), functions.invoke('echo', { sleep: 500 })]);
    expect(new Set(both.map((r) => (JSON.parse(r.payload) as { pid: number }).pid)).size).toBe(2);
    expect(functions.peakConcurrency('echo')).toBe(2);
  }, 30_000);

  it('answers failures as the Invoke API does for the Node.js runtime', async () => {
    const functions = emulation();
    const error = (name: string) => invokeFailure(functions, name);
    expect(await error('fail')).toMatchObject({
      errorType: 'QuotaExceeded',
      errorMessage: 'over',
      trace: expect.arrayContaining([expect.stringContaining('nested/handlers.mjs')]),
    });
    expect(await error('fail-string')).toMatchObject({ errorType: 'string', errorMessage: 'plain' });
    const started = Date.now();
    expect(await error('slow')).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await error('crash')).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(await error('circular')).toMatchObject({ errorType: 'Runtime.MarshalError' });
    expect(await error('no-export')).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'nested/handlers.absent is undefined or not exported',
    });
    expect(await error('missing')).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'no_such_module'" });
    expect(await error('malformed')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName' });
    expect(await error('broken')).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad module' });
    expect(await error('syntax')).toMatchObject({ errorType: 'Runtime.UserCodeSyntaxError' });
    const nothing = await functions.invoke('nothing', {});
    expect(nothing.functionError).toBeUndefined();
    expect(nothing.payload).toBe('null');
  }, 30_000);

  it('ends every environment on close', () => expectEveryEnvironmentEnds(emulation()));
});

describe.skipIf(!runSuite)('node tasks on moto (their deployed bundles) vs ork run', () => {
  let aws: AwsParity | undefined;
  let work = '';

  const harness = useAwsParity({ prefix: 'node-parity-', parent: path.join(ROOT, 'scratch') }, (suite) => ({ aws, work } = suite));

  function writeWorkflow(engine: 'local' | 'aws', files: Record<string, string>): string {
    const name = /^name: (\S+)/m.exec(files['workflow.yaml'] ?? '')?.[1] ?? 'workflow';
    const directory = path.join(work, engine, name);
    writeWorkflowFiles(directory, files);
    return directory;
  }

  const orkRun = (directory: string, input: unknown, env: Record<string, string> = {}): Promise<CliRun> =>
    runWorkflowCli(directory, path.join(work, 'runs'), ['--input', JSON.stringify(input)], env, { cwd: ROOT });

  /** Both engines on private copies of the same workflow, at the same time. */
  async function runBoth(
    files: Record<string, string>,
    env: Record<string, string> = {},
  ): Promise<{ local: CliRun; cloud: ExecutionResult & { deployment: Awaited<ReturnType<AwsParity['deploy']>> } }> {
    const [local, cloud] = await Promise.all([orkRun(writeWorkflow('local', files), {}, env), harness().run(writeWorkflow('aws', files), {}, { env })]);
    return { local, cloud };
  }

  /** Replaces payload references (`s3://` in moto, `file://` locally) by what they point to. */
  async function resolveReferences(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) return Promise.all(value.map(resolveReferences));
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as { $ork_ref?: unknown }).$ork_ref;
    if (typeof ref === 'string') {
      const text = ref.startsWith('s3://') ? (await harness().getObject(ref)).toString('utf8') : readFileSync(fileURLToPath(ref), 'utf8');
      return { resolved: JSON.parse(text) as unknown, bytes: (value as { bytes?: unknown }).bytes };
    }
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveReferences(v)] as const)));
  }

  function invocationsOf(deployment: { functions: Readonly<Record<string, { name: string }>> }) {
    const names = new Set(Object.values(deployment.functions).map((f) => f.name));
    return harness().invocations.filter((i) => names.has(i.functionName));
  }

  it('a node workflow: same outputs as ork run, through moto’s S3 for the large one', async () => {
    const { local, cloud } = await runBoth(NODE_WORKFLOW, THRESHOLD);
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });

    const cloudOutput = cloud.output as Record<string, unknown>;
    // The large output went through moto's S3, under the workflow's prefix, written by the bundled AWS SDK …
    expect(cloudOutput.pad).toEqual({ $ork_ref: expect.stringMatching(/^s3:\/\/ork-payloads\/parity-node\/.+/), bytes: expect.any(Number) });
    expect((local.json.outputs.pad as { $ork_ref: string }).$ork_ref).toMatch(/^file:\/\//);
    // … and everything else equals the local run's, references resolved.
    expect(await resolveReferences(cloudOutput)).toEqual(await resolveReferences(local.json.outputs));
    expect(cloudOutput.work).toHaveLength(6);
    expect((cloudOutput.work as { colour: string }[]).every((w) => w.colour === 'green')).toBe(true);
    // Two tasks of one file: the same code (one handler module), each with its own function and settings.
    expect(cloudOutput.total).toEqual({
      task: 'total',
      instances: 6,
      weighted: (5 * 3 * 2 + 1) * 1 + (4 * 3 * 2 + 1) * 2 + (5 * 3 * 2 + 1) * 3,
      padding: 2000,
    });
    expect(cloudOutput.twin).toMatchObject({ task: 'twin', instances: 6 });
    const handlers = nodeHandlers(cloud.deployment.manifest.tasks);
    expect(handlers.get('twin')).toBe(handlers.get('total'));
    expect(handlers.get('total')).toBe('lib/summary/__ork_lambda_total.handler');

    // One invocation per instance, each a success, and what the tasks printed is in the invocation's logs.
    const invocations = invocationsOf(cloud.deployment);
    for (const [task, fn] of Object.entries(cloud.deployment.functions)) {
      const counts = local.json.tasks[task]!;
      expect(invocations.filter((i) => i.functionName === fn.name).length, task).toBe(counts.instances + counts.retried);
    }
    expect(invocations.every((i) => i.ok)).toBe(true);
    const work = invocations.filter((i) => i.functionName === cloud.deployment.functions.work!.name);
    expect(work.map((i) => i.logs).join('')).toContain('working on alpha');
    expect(invocations.find((i) => i.functionName === cloud.deployment.functions.discover!.name)?.logs).toMatch(/"message":"found 3 items"/);
  }, 120_000);

  it('python and node in one workflow: same outputs, large outputs crossing the languages both ways', async () => {
    const { local, cloud } = await runBoth(MIXED_WORKFLOW, THRESHOLD);
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    const cloudOutput = cloud.output as Record<string, { $ork_ref?: string }>;
    // python → node and node → python, each through moto's S3.
    expect(cloudOutput.filler?.$ork_ref).toMatch(/^s3:\/\//);
    expect(cloudOutput.big?.$ork_ref).toMatch(/^s3:\/\//);
    expect(cloudOutput.check).toEqual({ total: 4 + 9 + 16, rows: 100, filler: 3000 });
    expect(cloudOutput.last).toEqual({ total: 29, rows: 100, numbers: [2, 3, 4], filler: 3000 });
    expect(await resolveReferences(cloudOutput)).toEqual(await resolveReferences(local.json.outputs));
    // Each language ran in its own runtime.
    const invocations = invocationsOf(cloud.deployment);
    expect(invocations.every((i) => i.ok)).toBe(true);
    expect(invocations.filter((i) => i.functionName === cloud.deployment.functions.square!.name)).toHaveLength(3);
  }, 120_000);

  describe('a failing node task', () => {
    let local: CliRun;
    let cloud: ExecutionResult;
    let events: HistoryEvent[];

    beforeAll(async () => {
      if (!aws) return;
      ({ local, cloud } = await runBoth(FAILING_WORKFLOW));
      events = await aws.history(cloud.executionArn);
    }, 90_000);

    it('fails in both engines with the thrown error’s name (the class name) and message', () => {
      expect(local.code).toBe(1);
      expect(local.json.status).toBe('FAILED');
      expect(local.json.error).toMatchObject({ error: 'QuotaExceeded', task: 'explode' });
      expect(cloud.status).toBe('FAILED');
      expect(cloud.error).toBe('QuotaExceeded');
      // The cause is the error object the Node.js runtime answers Invoke with (X-Amz-Function-Error: Unhandled).
      const cause = JSON.parse(cloud.cause!) as { errorType: string; errorMessage: string; trace: string[] };
      expect(cause.errorType).toBe('QuotaExceeded');
      expect(cause.errorMessage).toBe('boom on attempt 2 after 41');
      expect(local.json.error!.message).toContain(cause.errorMessage);
      // The trace is the error's stack, taken when it was thrown as an Error (the SDK names it later), in the
      // deployed handler module; names survive bundling (keepNames).
      expect(cause.trace[0]).toBe('Error: boom on attempt 2 after 41');
      expect(cause.trace.join('\n')).toMatch(/at (Object\.)?handler \(file:\/\/.*\/tasks\/__ork_lambda_explode\.mjs:\d+:\d+\)/);
      expect(local.json.outputs).toEqual({ prepare: { value: 41 } });
    });

    it('retries once in both, matching the error name', () => {
      const failed = events.filter((e) => e.type === 'LambdaFunctionFailed');
      expect(failed.map((e) => e.lambdaFunctionFailedEventDetails?.error)).toEqual(['QuotaExceeded', 'QuotaExceeded']);
      expect(local.json.tasks.explode).toMatchObject({ instances: 1, failed: 1, retried: 1 });
    });
  });

  it('an input that does not fit the schema: Ork.InputValidationError in both, not retried', async () => {
    const { local, cloud } = await runBoth(INVALID_WORKFLOW);
    expect(local.json.status).toBe('FAILED');
    expect(local.json.error).toMatchObject({ error: 'Ork.InputValidationError', task: 'strict' });
    expect(cloud.status).toBe('FAILED');
    expect(cloud.error).toBe('Ork.InputValidationError');
    const cause = JSON.parse(cloud.cause!) as { errorMessage: string };
    expect(cause.errorMessage).toMatch(/field 'params\.count'/);
    expect(local.json.error!.message).toContain(cause.errorMessage);
    const attempts = invocationsOf((cloud as ExecutionResult & { deployment: { functions: Record<string, { name: string }> } }).deployment).length;
    expect(attempts).toBe(local.json.tasks.strict!.instances + local.json.tasks.strict!.retried);
    expect(attempts).toBe(1);
  }, 90_000);
});

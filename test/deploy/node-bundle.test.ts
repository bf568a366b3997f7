import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleNodeTasks, nodeTarget } from '../../lib/deploy/node-bundle.js';
import { DEFAULT_NODE_RUNTIME } from '../../lib/deploy/index.js';
import { NODE_RUNTIME } from '../support/aws-parity/aws-parity.js';
import { idOf, type Json, type Resource } from '../support/deploy-app/cloudformation.js';
import { type DeployApp, SHARED_APP_TIMEOUT_MS, sharedDeployApp } from '../support/deploy-app/shared-app.js';
import { ROOT } from '../support/workflows.js';
import { useScratchDirectory } from '../support/cli.js';

/** The code of node tasks (lib/deploy/node-bundle.ts) as the shared deploy app's NodejsFunctions deploy it. */

let built: DeployApp;
beforeAll(async () => {
  built = await sharedDeployApp();
}, SHARED_APP_TIMEOUT_MS);

/** This file's own folder: the shared app's is shared with other test files. */
const tmp = useScratchDirectory('ork-node-bundle-');

describe('the code of node tasks (the asset their NodejsFunctions deploy)', () => {
  const assetOf = (workflow: string, task: string): string => {
    const { stack, construct } = built.locate(workflow);
    const code = (built.template(stack).Resources as Record<string, Resource>)[idOf(construct.functions.get(task)!)]?.Properties?.Code as { S3Key: string };
    return path.join(built.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
  };
  /** What the compiled state machine sends a task's function (docs/payload.md). */
  const event = (task: string, extra: Json = {}): Json => ({
    ork: 1,
    workflow: 'deploy_node',
    task,
    execution_id: 'arn:aws:states:eu-west-1:123456789012:execution:deploy_node:synth-test',
    attempt: 0,
    params: {},
    inputs: {},
    parallel_index: 0,
    parallel_count: 1,
    ...extra,
  });
  type Handler = (event: unknown, context?: unknown) => Promise<unknown>;
  const load = async (workflow: string, task: string): Promise<Handler> => {
    const handler = String(
      (built.template(built.locate(workflow).stack).Resources as Record<string, Resource>)[idOf(built.locate(workflow).construct.functions.get(task)!)]
        ?.Properties?.Handler,
    );
    const module = (await import(pathToFileURL(path.join(assetOf(workflow, task), `${handler.replace(/\.handler$/, '')}.mjs`)).href)) as { handler: Handler };
    return module.handler;
  };
  /** Runs `body` with what it writes to stdout (the SDK's JSON log lines) kept out of the test output. */
  const quietly = async <T>(body: () => Promise<T>): Promise<{ result?: T; error?: unknown; stdout: string }> => {
    const write = process.stdout.write.bind(process.stdout);
    let stdout = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      return { result: await body(), stdout };
    } catch (error) {
      return { error, stdout };
    } finally {
      process.stdout.write = write;
    }
  };

  it('holds the workflow folder and one ES module per task file beside it, with shared chunks, and nothing local', () => {
    const asset = assetOf('deploy_node', 'fetch');
    for (const task of ['shape', 'reshape', 'explode']) expect(assetOf('deploy_node', task)).toBe(asset);
    for (const file of [
      'workflow.yaml',
      'data/rows.json',
      'tasks/fetch.ts',
      'tasks/__ork_lambda_fetch.mjs',
      'lib/__ork_lambda_shape.mjs',
      'tasks/__ork_lambda_explode.mjs',
    ]) {
      expect(existsSync(path.join(asset, file)), file).toBe(true);
    }
    expect(existsSync(path.join(asset, 'lib', '__ork_lambda_reshape.mjs'))).toBe(false);
    expect(readdirSync(path.join(asset, '__ork_lambda')).every((f) => f.endsWith('.mjs'))).toBe(true);
    for (const local of ['.ork', 'node_modules', 'ork']) expect(existsSync(path.join(asset, local)), local).toBe(false);
    // The task's code is in its module (not in a shared chunk, whose import.meta.url would be another folder).
    expect(readFileSync(path.join(asset, 'tasks', '__ork_lambda_fetch.mjs'), 'utf8')).toContain('../data/rows.json');
  });

  it('answers a Step Functions event with the task output, as the Lambda runtime calls it', async () => {
    const fetch = await load('deploy_node', 'fetch');
    // Read through import.meta.url from the asset: the data file is where the task expects it.
    expect(await fetch(event('fetch', { params: { scale: 10 } }), {})).toEqual({ ids: [10, 20, 30], source: process.env.SOURCE ?? 'none' });
    const shape = await load('deploy_node', 'shape');
    const reshape = await load('deploy_node', 'reshape');
    expect(reshape).toBe(shape);
    expect(await shape(event('shape', { inputs: { fetch: { ids: [1, 2] } } }), {})).toEqual({ task: 'shape', count: 2 });
    expect(await reshape(event('reshape', { inputs: { fetch: { ids: [1, 2, 3] } } }), {})).toEqual({ task: 'reshape', count: 3 });
    // The mixed workflow's node module too.
    const double = await load('deploy_mixed', 'double');
    expect(await double({ ...event('double', { item: 21, item_index: 0 }), workflow: 'deploy_mixed' }, {})).toEqual({ doubled: 42 });
  });

  it('throws a failure with the thrown class’s name, which Step Functions matches', async () => {
    const explode = await load('deploy_node', 'explode');
    const { error, stdout } = await quietly(() => explode(event('explode'), {}));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'QuotaExceeded', message: 'over quota' });
    // One structured line for CloudWatch, with the error's name.
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toMatchObject({ level: 'error', error: { type: 'QuotaExceeded' }, task: 'explode' });
    // The SDK's own failures keep their dotted names.
    const fetch = await load('deploy_node', 'fetch');
    expect((await quietly(() => fetch({ ork: 99 }, {}))).error).toMatchObject({ name: 'Ork.InvalidPayload' });
    expect((await quietly(() => fetch(event('fetch', { params: { scale: 'big' } }), {}))).error).toMatchObject({ name: 'Ork.InputValidationError' });
  });

  it('is the same bundle wherever it is built: no path in it, so the asset hash follows the code only', () => {
    const asset = assetOf('deploy_node', 'fetch');
    const elsewhere = path.join(tmp(), 'rebundled', 'deeper');
    const tasks = built.manifests.get('deploy_node')!.tasks;
    bundleNodeTasks(built.testDirs.node, tasks, elsewhere, { target: nodeTarget(DEFAULT_NODE_RUNTIME.name) });
    const files = (root: string): string[] =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
        .sort();
    expect(files(elsewhere)).toEqual(files(asset));
    for (const file of files(asset).filter((f) => f.endsWith('.mjs'))) {
      const text = readFileSync(path.join(asset, file), 'utf8');
      expect(text, file).toBe(readFileSync(path.join(elsewhere, file), 'utf8'));
      for (const local of [built.workdir, tmp(), ROOT, built.testDirs.node]) expect(text.includes(local), `${file} names ${local}`).toBe(false);
    }
  });

  it('runs on nodejs24.x, the newest Node.js runtime of both aws-cdk-lib and the CloudFormation schema', () => {
    expect(DEFAULT_NODE_RUNTIME.name).toBe('nodejs24.x');
    // What the parity harness bundles for.
    expect(NODE_RUNTIME).toBe(DEFAULT_NODE_RUNTIME.name);
    // cdk-nag's L1 compares with aws-cdk-lib's list: no acknowledgement needed (and none made) today.
    const newest = Math.max(...Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name)).map((r) => Number(/\d+/.exec(r.name)![0])));
    expect(`nodejs${newest}.x`).toBe(DEFAULT_NODE_RUNTIME.name);
    const { stack } = built.locate('deploy_node');
    for (const [id, resource] of built.resources(stack, 'AWS::Lambda::Function').filter(([, r]) => String(r.Properties?.Runtime).startsWith('nodejs'))) {
      const rules = ((resource.Metadata?.cdk_nag as { rules_to_suppress?: { id: string }[] } | undefined)?.rules_to_suppress ?? []).map((r) => r.id);
      expect(rules, id).not.toContain('AwsSolutions-L1');
    }
  });
});

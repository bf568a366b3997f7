import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOTO_PATCH_NAMES, type AwsParity, type Deployment, type ExecutionResult } from '../support/aws-parity/index.js';
import { runWorkflowCli, type CliRun } from '../support/cli.js';
import { ROOT, writeWorkflowFiles } from '../support/workflows.js';
import { paritySuiteRuns, useAwsParity } from '../support/aws-parity/parity-suite.js';
import { AWS_FAILED_KEYS, AWS_SUCCEEDED_KEYS, LOCAL_SUCCEEDED_KEYS } from '../support/result-file-records.js';

/**
 * The Distributed Map path (docs/scale.md) on the AWS-like engine, end to end: moto's Step Functions
 * interpreter runs the compiled machine, every Invoke is answered by the real Python Lambda handler, and
 * moto's S3 is the payload store.
 *
 * - `each` (`foreach: make.files`, auto mode) gets 60 files: `make`'s runtime stores the list in moto's S3
 *   and hands on `{"ork_items": {bucket, key, count}}`, the machine takes the Distributed Map branch, whose
 *   ItemReader reads the list from moto's S3; each child execution invokes the handler once.
 * - `counted` (`parallel: make.n`, a run-time count of 55) takes the Distributed Map over `$.ork.indexes`.
 * - Both Maps write their results with the ResultWriter; `report` reads them back through the
 *   `{"ork_results": {bucket, key, per_child}}` references.
 *
 * Everything must equal what `ork run` computes on the same input.
 *
 * moto 5.2.1 gaps met here (see test/support/aws-parity/README.md):
 * - its ResultWriter writes a manifest with empty ResultFiles and drops the results: the harness's
 *   `stepfunctions-result-writer-files` patch writes the result files and lists them as AWS does, and no
 *   kinder than AWS: the records shuffled and split over several SUCCEEDED_<n>.json (FAILED_<n>.json), the
 *   children named by UUIDs, so that only the order the SDKs restore from each record's Input can pass;
 * - its ASL grammar rejects `ExecutionType: EXPRESS` and `ItemBatcher`, so the tasks keep the default
 *   timeout (STANDARD children) and have no `batch_size`;
 * - it does not enforce ToleratedFailureCount/Percentage (a Map run with failed children succeeds), so no
 *   failure case is exercised here.
 */

const FILES = 60;
const COUNT = 55;

const runSuite = paritySuiteRuns('distributed parity suite');

const py = (...lines: string[]) => `${lines.join('\n')}\n`;

const WORKFLOW: Record<string, string> = {
  'workflow.yaml': py(
    'name: parity-distributed',
    'tasks:',
    '  make:',
    '    executor: python',
    '    file: tasks/make.py',
    '  each:',
    '    description: auto mode, more than 40 elements at run time — distributed through ItemReader',
    '    executor: python',
    '    file: tasks/each.py',
    '    foreach: make.files',
    '  counted:',
    '    description: run-time count above 40 — distributed over ItemsPath indexes',
    '    executor: python',
    '    file: tasks/counted.py',
    '    parallel: make.n',
    '  report:',
    '    executor: python',
    '    file: tasks/report.py',
    '    depends_on: [each, counted]',
  ),
  'tasks/make.py': py(
    'from ork import task',
    'from pydantic import BaseModel',
    '',
    'class Output(BaseModel):',
    '    files: list[str]',
    '    n: int',
    '',
    '@task',
    'def main() -> Output:',
    `    return Output(files=[f"file-{i:03d}.csv" for i in range(${FILES})], n=${COUNT})`,
  ),
  'tasks/each.py': py(
    'from ork import task, Context',
    'from pydantic import BaseModel',
    '',
    'class Input(BaseModel):',
    '    item: str',
    '',
    'class Output(BaseModel):',
    '    item: str',
    '    index: int',
    '    upper: str',
    '',
    '@task',
    'def main(input: Input, ctx: Context) -> Output:',
    '    return Output(item=input.item, index=ctx.item_index, upper=input.item.upper())',
  ),
  'tasks/counted.py': py(
    'from ork import task, Context',
    'from pydantic import BaseModel',
    '',
    'class Output(BaseModel):',
    '    index: int',
    '    count: int',
    '    square: int',
    '',
    '@task',
    'def main(ctx: Context) -> Output:',
    '    return Output(index=ctx.parallel_index, count=ctx.parallel_count, square=ctx.parallel_index ** 2)',
  ),
  'tasks/report.py': py(
    'from ork import task',
    'from pydantic import BaseModel',
    '',
    'class Each(BaseModel):',
    '    item: str',
    '    index: int',
    '    upper: str',
    '',
    'class Counted(BaseModel):',
    '    index: int',
    '    count: int',
    '    square: int',
    '',
    'class Input(BaseModel):',
    '    each: list[Each]',
    '    counted: list[Counted]',
    '',
    'class Output(BaseModel):',
    '    each: list[Each]',
    '    counted: list[Counted]',
    '    files: int',
    '    square_sum: int',
    '',
    '@task',
    'def main(input: Input) -> Output:',
    '    return Output(each=input.each, counted=input.counted, files=len(input.each), square_sum=sum(c.square for c in input.counted))',
  ),
};

interface ItemsReference {
  ork_items: { bucket: string; key: string; count: number };
}
interface ResultsReference {
  ork_results: { bucket: string; key: string; per_child: string };
}
interface Manifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]>;
}
interface ChildRecord {
  Input?: string;
  Output?: string;
  Status: string;
  [field: string]: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A map run's result files of one status, as its manifest lists them: `<status>_0.json`, `<status>_1.json` …
 * beside the manifest, each a JSON array of child records of that status whose `Size` is its length.
 */
async function resultFiles(
  parity: AwsParity,
  bucket: string,
  manifestKey: string,
  manifest: Manifest,
  status: 'SUCCEEDED' | 'FAILED',
): Promise<ChildRecord[][]> {
  const files = manifest.ResultFiles[status];
  expect(files.map((f) => f.Key)).toEqual(files.map((_, n) => manifestKey.replace(/manifest\.json$/, `${status}_${n}.json`)));
  return Promise.all(
    files.map(async (file) => {
      const body = await parity.getObject(`s3://${bucket}/${file.Key}`);
      expect(file.Size, file.Key).toBe(body.length);
      const records = JSON.parse(body.toString('utf8')) as ChildRecord[];
      expect(records.length, file.Key).toBeGreaterThan(0);
      expect(records.every((r) => r.Status === status)).toBe(true);
      return records;
    }),
  );
}

/** A child's ARN and name as AWS gives them: `…:execution:<state machine>/<map label>:<UUID>`, beside its map run's. */
function expectChildIdentity(record: ChildRecord, mapRunArn: string, stateMachineArn: string): void {
  // mapRun:<state machine>/<label>:<map run id> → stateMachine:<state machine>/<label>, execution:<state machine>/<label>:<name>
  const label = /:mapRun:[^/]+\/([^:]+):[^:]+$/.exec(mapRunArn)![1]!;
  expect(record.StateMachineArn).toBe(`${stateMachineArn}/${label}`);
  expect(record.Name).toMatch(UUID);
  expect(record.ExecutionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}/${label}:${record.Name as string}`);
}

const expectedEach = Array.from({ length: FILES }, (_, i) => {
  const item = `file-${String(i).padStart(3, '0')}.csv`;
  return { item, index: i, upper: item.toUpperCase() };
});
const expectedCounted = Array.from({ length: COUNT }, (_, i) => ({ index: i, count: COUNT, square: i * i }));

describe.skipIf(!runSuite)('Distributed Map parity: moto Step Functions + S3 + the real Lambda handler vs ork run', () => {
  let work = '';
  let directory = '';
  let local: CliRun;
  let cloud: ExecutionResult & { deployment: Deployment };
  let events: HistoryEvent[] = [];

  const orkRun = (workflowDirectory: string): Promise<CliRun> =>
    runWorkflowCli(workflowDirectory, path.join(work, 'runs'), ['--input', '{}'], {}, { cwd: ROOT });

  const readJson = async <T>(bucket: string, key: string): Promise<T> => JSON.parse((await harness().getObject(`s3://${bucket}/${key}`)).toString('utf8')) as T;

  const harness = useAwsParity(
    { prefix: 'ork-distributed-parity-', prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-distributed'), WORKFLOW) },
    (suite) => ({ work } = suite),
  );

  beforeAll(async () => {
    directory = path.join(work, 'parity-distributed');
    [local, cloud] = await Promise.all([orkRun(directory), harness().run(directory, {}, { timeoutMs: 120_000 })]);
    events = await harness().history(cloud.executionArn);
  }, 180_000);

  it('has moto patched: the ResultWriter writes result files', () => {
    expect(harness().motoPatched).toBe(true);
    expect(harness().motoPatches).toEqual(MOTO_PATCH_NAMES);
  });

  it('compiles both fan-outs to a Distributed Map with STANDARD children, an ItemReader for the stored list', () => {
    // The two fan-outs are independent, so they are branches of one Parallel state: every state, at any depth.
    type State = Record<string, unknown> & { Branches?: { States: Record<string, State> }[] };
    const states: Record<string, State> = {};
    const collect = (level: Record<string, State>) => {
      for (const [name, state] of Object.entries(level)) {
        states[name] = state;
        for (const branch of state.Branches ?? []) collect(branch.States);
      }
    };
    collect(cloud.deployment.definition.States as unknown as Record<string, State>);
    const each = states['each-distributed']!;
    expect(each).toMatchObject({
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: harness().bucket } },
    });
    expect(each.ItemBatcher).toBeUndefined();
    const counted = Object.entries(states).find(
      ([name, state]) =>
        name.startsWith('counted') &&
        state.Type === 'Map' &&
        state.ItemsPath === '$.ork.indexes' &&
        state.ItemReader === undefined &&
        (state.ItemProcessor as { ProcessorConfig: { Mode: string } }).ProcessorConfig.Mode === 'DISTRIBUTED',
    );
    expect(counted, Object.keys(states).join(', ')).toBeDefined();
  });

  it('succeeds in both engines with equal outputs', () => {
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    const cloudOutput = cloud.output as Record<string, unknown>;
    const localOutputs = local.json.outputs;
    // The downstream task read every child's output back, in item order, in both engines.
    expect(cloudOutput.report).toEqual({
      each: expectedEach,
      counted: expectedCounted,
      files: FILES,
      square_sum: expectedCounted.reduce((s, c) => s + c.square, 0),
    });
    expect(cloudOutput.report).toEqual(localOutputs.report);
    // make's list went on as a reference to the stored list in both engines (a bucket and key of each's store).
    const shape = { files: { ork_items: { bucket: expect.any(String), key: expect.any(String), count: FILES } }, n: COUNT };
    expect(cloudOutput.make).toEqual(shape);
    expect(localOutputs.make).toEqual(shape);
    // The fan-outs' results are references to a ResultWriter manifest in both engines.
    for (const task of ['each', 'counted']) {
      const results = { ork_results: { bucket: expect.any(String), key: expect.stringMatching(/manifest\.json$/), per_child: 'one' } };
      expect(cloudOutput[task], task).toEqual(results);
      expect(localOutputs[task], task).toEqual(results);
    }
    expect(Object.keys(cloudOutput).sort()).toEqual(Object.keys(localOutputs).sort());
  });

  it('stores the list in moto S3 under the payload prefix, and the ItemReader read it', async () => {
    const parity = harness();
    const reference = (cloud.output as { make: { files: ItemsReference } }).make.files.ork_items;
    expect(reference.bucket).toBe(parity.bucket);
    expect(reference.key.startsWith('parity-distributed/')).toBe(true);
    expect(await parity.listObjects('parity-distributed/')).toContain(reference.key);
    expect(await readJson<string[]>(reference.bucket, reference.key)).toEqual(expectedEach.map((e) => e.item));
    // One map run per fan-out.
    expect(events.filter((e) => e.type === 'MapRunStarted')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'MapRunSucceeded')).toHaveLength(2);
  });

  it("writes each Map's results under its own map run, though the two ran at once in parallel branches", async () => {
    // moto's ResultWriter takes the map run added last to the execution, another Map's when two Distributed
    // Maps run at once; the harness's patch keeps each Map's own (both manifests would name one map run).
    const output = cloud.output as Record<string, ResultsReference>;
    const manifests = await Promise.all(['each', 'counted'].map((task) => readJson<Manifest>(output[task]!.ork_results.bucket, output[task]!.ork_results.key)));
    const started = events.filter((e) => e.type === 'MapRunStarted').map((e) => e.mapRunStartedEventDetails?.mapRunArn);
    expect(new Set(manifests.map((m) => m.MapRunArn)).size).toBe(2);
    expect(started.sort()).toEqual(manifests.map((m) => m.MapRunArn).sort());
    manifests.forEach((manifest, i) => {
      const task = ['each', 'counted'][i]!;
      expect(output[task]!.ork_results.key).toContain(`/${manifest.MapRunArn.split(':').pop()}/`);
    });
  });

  it('invoked the real handler once per element and once per index, from Distributed Map children', () => {
    const parity = harness();
    const fn = cloud.deployment.functions;
    const of = (task: string) => parity.invocations.filter((i) => i.functionName === fn[task]!.name);
    expect(of('make')).toHaveLength(1);
    expect(of('report')).toHaveLength(1);
    const each = of('each');
    expect(each).toHaveLength(FILES);
    expect(each.every((i) => i.ok)).toBe(true);
    const eachEvents = each.map((i) => i.event as { item: string; item_index: number }).sort((a, b) => a.item_index - b.item_index);
    expect(eachEvents.map((e) => e.item)).toEqual(expectedEach.map((e) => e.item));
    const counted = of('counted');
    expect(counted).toHaveLength(COUNT);
    expect(counted.every((i) => i.ok)).toBe(true);
    expect(counted.map((i) => (i.event as { parallel_index: number }).parallel_index).sort((a, b) => a - b)).toEqual(expectedCounted.map((c) => c.index));
    // ork run counted the same instances.
    expect(local.json.tasks.each).toMatchObject({ instances: FILES, succeeded: FILES, failed: 0 });
    expect(local.json.tasks.counted).toMatchObject({ instances: COUNT, succeeded: COUNT, failed: 0 });
  });

  it('wrote result files as AWS does, no kinder: the records shuffled and split over several SUCCEEDED_<n>.json', async () => {
    const parity = harness();
    const output = cloud.output as Record<string, ResultsReference>;
    for (const [task, expected, order] of [
      ['each', expectedEach, 'item_index'],
      ['counted', expectedCounted, 'parallel_index'],
    ] as const) {
      const { bucket, key } = output[task]!.ork_results;
      expect(bucket).toBe(parity.bucket);
      expect(key).toMatch(new RegExp(`^ork-results/parity-distributed/${task}/[^/]+/manifest\\.json$`));
      const manifest = await readJson<Manifest>(bucket, key);
      expect(manifest).toMatchObject({ DestinationBucket: bucket, MapRunArn: expect.stringContaining(':mapRun:'), ResultFiles: { FAILED: [], PENDING: [] } });
      // Split: 2 or 3 files (AWS starts another at 5 GB; the stand-in splits any run of two records or more).
      const files = await resultFiles(parity, bucket, key, manifest, 'SUCCEEDED');
      expect(files.length, task).toBeGreaterThan(1);
      expect(files.length, task).toBeLessThanOrEqual(3);
      const records = files.flat();
      expect(records).toHaveLength(expected.length);
      expect(
        records.every((r) => typeof r.Output === 'string' && typeof r.Input === 'string'),
        JSON.stringify(records[0]),
      ).toBe(true);
      // Input: the child's input after the ItemSelector, carrying the index the SDKs order by.
      const inputs = records.map((r) => JSON.parse(r.Input!) as Record<string, number>);
      const indexes = inputs.map((i) => i[order]!);
      // Shuffled: read file after file, the records are not in item order; every index is there once.
      expect(indexes, task).not.toEqual([...indexes].sort((a, b) => a - b));
      expect([...indexes].sort((a, b) => a - b)).toEqual(expected.map((_, i) => i));
      // Output: what the handler returned to the child's Task state, which resolves to the task's output.
      const byIndex = records.map((r, n) => ({ index: indexes[n]!, output: JSON.parse(r.Output!) as unknown })).sort((a, b) => a.index - b.index);
      expect(byIndex.map((r) => r.output)).toEqual(expected);
      // Named as AWS names a map run's children: a UUID under the map run's state machine and label.
      for (const record of records) expectChildIdentity(record, manifest.MapRunArn, cloud.deployment.stateMachineArn);
      expect(new Set(records.map((r) => r.Name)).size).toBe(records.length);
      expect(Object.keys(records[0]!).sort()).toEqual(AWS_SUCCEEDED_KEYS);
      expect(records[0]).toMatchObject({
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
        RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
        InputDetails: { Included: true },
        OutputDetails: { Included: true },
      });
    }
  });

  it('ork run wrote the same records locally', () => {
    for (const task of ['each', 'counted']) {
      const { bucket, key } = (local.json.outputs[task] as ResultsReference).ork_results;
      const manifest = JSON.parse(readFileSync(path.join(bucket, key), 'utf8')) as Manifest;
      const records = manifest.ResultFiles.SUCCEEDED.flatMap((f) => JSON.parse(readFileSync(path.join(bucket, f.Key), 'utf8')) as ChildRecord[]);
      expect(Object.keys(records[0]!).sort(), task).toEqual(LOCAL_SUCCEEDED_KEYS);
      const outputs = records
        .map((r) => ({ input: JSON.parse(r.Input!) as Record<string, number>, output: JSON.parse(r.Output!) as unknown }))
        .sort((a, b) => (a.input.item_index ?? a.input.parallel_index!) - (b.input.item_index ?? b.input.parallel_index!))
        .map((r) => r.output);
      expect(outputs, task).toEqual(task === 'each' ? expectedEach : expectedCounted);
    }
  });
});

/** A fan-out with tolerated failures: FAILED records in the ResultWriter's output, reported through ctx.failures. */
const TOLERANT: Record<string, string> = {
  'workflow.yaml': py(
    'name: parity-distributed-tolerant',
    'params:',
    '  fail: [7, 32]',
    'tasks:',
    '  make:',
    '    executor: python',
    '    file: tasks/make.py',
    '  each:',
    '    executor: python',
    '    file: tasks/each.py',
    '    foreach: make.files',
    '    tolerate_failures: 2',
    '  report:',
    '    executor: python',
    '    file: tasks/report.py',
    '    depends_on: [each]',
  ),
  'tasks/make.py': WORKFLOW['tasks/make.py']!,
  'tasks/each.py': py(
    'from ork import task, Context',
    'from pydantic import BaseModel',
    '',
    'class Params(BaseModel):',
    '    fail: list[int]',
    '',
    'class Input(BaseModel):',
    '    item: str',
    '    params: Params',
    '',
    'class Output(BaseModel):',
    '    item: str',
    '    index: int',
    '',
    '@task',
    'def main(input: Input, ctx: Context) -> Output:',
    '    if ctx.item_index in input.params.fail:',
    '        raise ValueError(f"bad item {input.item}")',
    '    return Output(item=input.item, index=ctx.item_index)',
  ),
  'tasks/report.py': py(
    'from ork import task, Context',
    'from pydantic import BaseModel',
    '',
    'class Each(BaseModel):',
    '    item: str',
    '    index: int',
    '',
    'class Input(BaseModel):',
    '    each: list[Each]',
    '',
    'class Output(BaseModel):',
    '    indexes: list[int]',
    '    failed: list[str]',
    '',
    '@task',
    'def main(input: Input, ctx: Context) -> Output:',
    '    failed = [f"{f.item_index}: {f.error}: {f.cause}" for f in ctx.failures.get("each", [])]',
    '    return Output(indexes=[e.index for e in input.each], failed=failed)',
  ),
};

describe.skipIf(!runSuite)('Distributed Map parity with tolerated failures', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let directory = '';

  useAwsParity(
    { prefix: 'ork-distributed-tolerant-', prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-distributed-tolerant'), TOLERANT) },
    (suite) => {
      ({ aws, work } = suite);
      directory = path.join(work, 'parity-distributed-tolerant');
    },
  );

  const orkRun = (input: unknown): Promise<CliRun> => runWorkflowCli(directory, path.join(work, 'runs'), ['--input', JSON.stringify(input)], {}, { cwd: ROOT });

  it('within the threshold: FAILED_<n>.json hold the failed children, the downstream task gets them as ctx.failures, as in ork run', async () => {
    if (!aws) throw new Error('the parity harness did not start');
    const [local, cloud] = await Promise.all([orkRun({}), aws.run(directory, {}, { timeoutMs: 120_000 })]);
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    const report = (cloud.output as { report: { indexes: number[]; failed: string[] } }).report;
    expect(report.indexes).toEqual(Array.from({ length: FILES }, (_, i) => i).filter((i) => i !== 7 && i !== 32));
    expect(report.failed).toHaveLength(2);
    expect(report.failed[0]).toMatch(/^7: ValueError: .*bad item file-007\.csv/);
    expect(report.failed[1]).toMatch(/^32: ValueError: .*bad item file-032\.csv/);
    // The cause is the Lambda error object in the cloud, ork run's own text locally: compare what both carry.
    const gist = (failed: string[]) => failed.map((f) => /^(\d+): (\w+): .*?(bad item [\w.-]+)/.exec(f)!.slice(1).join(' '));
    expect(gist(report.failed)).toEqual(gist((local.json.outputs.report as { failed: string[] }).failed));
    expect(report.indexes).toEqual((local.json.outputs.report as { indexes: number[] }).indexes);

    const { bucket, key } = (cloud.output as { each: ResultsReference }).each.ork_results;
    const manifest = JSON.parse((await aws.getObject(`s3://${bucket}/${key}`)).toString('utf8')) as Manifest;
    expect((await resultFiles(aws, bucket, key, manifest, 'SUCCEEDED')).flat()).toHaveLength(FILES - 2);
    // Two failed children: two FAILED files of one record each, whichever comes first.
    const failedFiles = await resultFiles(aws, bucket, key, manifest, 'FAILED');
    expect(failedFiles.map((f) => f.length)).toEqual([1, 1]);
    const failed = failedFiles
      .flat()
      .sort((a, b) => (JSON.parse(a.Input!) as { item_index: number }).item_index - (JSON.parse(b.Input!) as { item_index: number }).item_index);
    expect(failed.map((r) => [r.Status, r.Error, (JSON.parse(r.Input!) as { item_index: number }).item_index, 'Output' in r])).toEqual([
      ['FAILED', 'ValueError', 7, false],
      ['FAILED', 'ValueError', 32, false],
    ]);
    expect(Object.keys(failed[0]!).sort()).toEqual(AWS_FAILED_KEYS);
    expect(failed[0]).toMatchObject({ RedriveStatus: 'REDRIVABLE_BY_MAP_RUN', OutputDetails: { Included: true } });
    for (const record of failed) expectChildIdentity(record, manifest.MapRunArn, cloud.deployment.stateMachineArn);
    expect(JSON.parse(failed[0]!.Cause as string)).toMatchObject({ errorType: 'ValueError', errorMessage: 'bad item file-007.csv' });
  }, 150_000);

  it('above the threshold: ork run fails with States.ExceedToleratedFailureThreshold; moto 5.2 ignores the threshold', async () => {
    // AWS fails the Map run (and the execution) when more children fail than tolerated. moto parses
    // ToleratedFailureCount and ignores it ("declarations currently have no effect"): the map run succeeds and
    // the downstream task runs with three failures. Should moto learn it, this test fails and should assert
    // the same failure in both engines.
    if (!aws) throw new Error('the parity harness did not start');
    const input = { fail: [1, 2, 3] };
    const [local, cloud] = await Promise.all([orkRun(input), aws.run(directory, input, { timeoutMs: 120_000 })]);
    expect(local.json.status).toBe('FAILED');
    expect(local.json.error?.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(cloud.status).toBe('SUCCEEDED');
    expect((cloud.output as { report: { failed: string[] } }).report.failed).toHaveLength(3);
  }, 150_000);
});

const NODE_ITEMS = 45;

/**
 * A node task downstream of a Distributed Map: the Node SDK (lambdas/node/ork/results.ts, in the task's
 * deployed bundle) reads the shuffled, split result files back and must hand the task the outputs in item
 * order, and the tolerated failures in item order, as ork run does. The workflow is written inside the
 * repository (scratch/, git-ignored), where `ork/task` resolves, as in test/cloud/node-parity.test.ts.
 */
const NODE_DOWNSTREAM: Record<string, string> = {
  'workflow.yaml': py(
    'name: parity-distributed-node',
    'params:',
    '  fail: [4, 19, 38]',
    'tasks:',
    '  make:',
    '    executor: python',
    '    file: tasks/make.py',
    '  each:',
    '    description: auto mode, more than 40 elements at run time — distributed through ItemReader',
    '    executor: python',
    '    file: tasks/each.py',
    '    foreach: make.files',
    '    tolerate_failures: 3',
    '  collect:',
    '    executor: node',
    '    file: tasks/collect.ts',
    '    depends_on: [each]',
  ),
  'tasks/make.py': py('from ork import task', '', '@task', 'def main():', `    return {"files": [f"file-{i:03d}.csv" for i in range(${NODE_ITEMS})]}`),
  'tasks/each.py': py(
    'from ork import task',
    '',
    '@task',
    'def main(input, ctx):',
    '    if ctx.item_index in input["params"]["fail"]:',
    '        raise ValueError(f"bad item {input[\'item\']}")',
    '    return {"item": input["item"], "index": ctx.item_index}',
  ),
  'tasks/collect.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ each: z.array(z.object({ item: z.string(), index: z.number() })) }),
  handler: (input, ctx) => ({
    order: input.each.map((e) => e.index),
    items: input.each.map((e) => e.item),
    failed: (ctx.failures.each ?? []).map((f) => f.itemIndex),
  }),
});
`,
};

describe.skipIf(!runSuite)('Distributed Map parity: a node task reads the results back', () => {
  let aws: AwsParity | undefined;
  let work = '';
  let directory = '';

  useAwsParity(
    {
      prefix: 'distributed-node-',
      parent: path.join(ROOT, 'scratch'),
      prepare: (scratch) => writeWorkflowFiles(path.join(scratch, 'parity-distributed-node'), NODE_DOWNSTREAM),
    },
    (suite) => {
      ({ aws, work } = suite);
      directory = path.join(work, 'parity-distributed-node');
    },
  );

  it('gets the outputs and the tolerated failures in item order from shuffled, split result files, as in ork run', async () => {
    if (!aws) throw new Error('the parity harness did not start');
    const run = (): Promise<CliRun> => runWorkflowCli(directory, path.join(work, 'runs'), ['--input', '{}'], {}, { cwd: ROOT });
    const [local, cloud] = await Promise.all([run(), aws.run(directory, {}, { timeoutMs: 120_000 })]);
    expect(local.json.status, local.stderr).toBe('SUCCEEDED');
    expect({ status: cloud.status, error: cloud.error, cause: cloud.cause }).toEqual({ status: 'SUCCEEDED' });
    expect(cloud.deployment.functions.collect).toBeDefined();
    const kept = Array.from({ length: NODE_ITEMS }, (_, i) => i).filter((i) => ![4, 19, 38].includes(i));
    const expected = { order: kept, items: kept.map((i) => `file-${String(i).padStart(3, '0')}.csv`), failed: [4, 19, 38] };
    expect((cloud.output as Record<string, unknown>).collect).toEqual(expected);
    expect(local.json.outputs.collect).toEqual(expected);

    // The node task really read shuffled records from several files of each status.
    const { bucket, key } = (cloud.output as { each: ResultsReference }).each.ork_results;
    const manifest = JSON.parse((await aws.getObject(`s3://${bucket}/${key}`)).toString('utf8')) as Manifest;
    const succeeded = await resultFiles(aws, bucket, key, manifest, 'SUCCEEDED');
    const failed = await resultFiles(aws, bucket, key, manifest, 'FAILED');
    expect(succeeded.length).toBeGreaterThan(1);
    expect(failed.length).toBeGreaterThan(1);
    const indexes = succeeded.flat().map((r) => (JSON.parse(r.Input!) as { item_index: number }).item_index);
    expect(indexes).not.toEqual(kept);
    expect([...indexes].sort((a, b) => a - b)).toEqual(kept);
  }, 180_000);
});

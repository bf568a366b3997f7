import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, inMemoryHost } from '../../compiler/index.js';
import { compileCleanly, FIXTURES_DIR, workflowDirectories } from '../support/workflows.js';

/**
 * Golden ASL: each test/fixtures/<case>/workflow.yaml compiles to exactly test/fixtures/<case>/expected.asl.json.
 * After an intended change to the emitted ASL, regenerate with `ORK_UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts`
 * and review the diff of the expected files.
 */
const UPDATE = process.env.ORK_UPDATE_GOLDEN === '1';
const fixtures = workflowDirectories(FIXTURES_DIR);

describe('golden ASL', () => {
  it('has the fixtures', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'static-parallel',
        'dynamic-count',
        'foreach-aggregate',
        'concurrency-limit',
        'combined',
        'diamond',
        'container',
        'params-retries',
        'n-shaped',
        'foreach-parallel-count',
        'conditional',
        'on-failure',
      ]),
    );
  });

  for (const { name, directory } of fixtures) {
    it(`${name} compiles to expected.asl.json`, () => {
      const { definition } = compileCleanly(directory);
      const expectedFile = path.join(directory, 'expected.asl.json');
      if (UPDATE) {
        writeFileSync(expectedFile, `${JSON.stringify(definition, null, 2)}\n`);
        return;
      }
      if (!existsSync(expectedFile)) throw new Error(`${expectedFile} is missing: run with ORK_UPDATE_GOLDEN=1 to create it, then review it`);
      expect(definition).toStrictEqual(JSON.parse(readFileSync(expectedFile, 'utf8')));
    });
  }
});

/** The transient-error retrier every Lambda task gets. */
const lambdaRetry = {
  ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
  IntervalSeconds: 1,
  MaxAttempts: 5,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

function compileInline(yaml: string, files: string[], directory = '/work/hello') {
  const result = compile({ file: 'workflow.yaml', source: yaml, host: inMemoryHost(files, directory) });
  expect(result.diagnostics).toEqual([]);
  return result.definition;
}

describe('whole ASL of small workflows', () => {
  it('one task', () => {
    const definition = compileInline('tasks:\n  hello:\n    file: tasks/hello.py\n', ['tasks/hello.py']);
    expect(definition).toStrictEqual({
      Comment: 'Ork workflow hello',
      StartAt: 'Ork-Start',
      States: {
        'Ork-Start': { Type: 'Pass', Comment: 'Execution input becomes the params', Parameters: { 'params.$': '$', results: {} }, Next: 'hello' },
        hello: {
          Type: 'Task',
          Comment: 'Run task hello',
          Resource: '${OrkFunction_hello}',
          Parameters: {
            ork: 1,
            workflow: 'hello',
            task: 'hello',
            'execution_id.$': '$$.Execution.Id',
            'attempt.$': '$$.State.RetryCount',
            'params.$': '$.params',
            inputs: {},
            parallel_index: 0,
            parallel_count: 1,
          },
          Retry: [lambdaRetry],
          TimeoutSeconds: 900,
          ResultPath: '$.results.hello',
          Next: 'Ork-Done',
        },
        'Ork-Done': { Type: 'Pass', Comment: 'Outputs of every task, by task name', InputPath: '$.results', End: true },
      },
    });
  });

  it('two-task chain: the downstream task receives the upstream output by name', () => {
    const yaml = [
      'name: chain',
      'description: extract then load',
      'tasks:',
      '  extract:',
      '    file: tasks/extract.py',
      '  load:',
      '    file: tasks/load.py',
      '    depends_on: extract',
      '    timeout: 30s',
      '',
    ].join('\n');
    const definition = compileInline(yaml, ['tasks/extract.py', 'tasks/load.py']);
    const payload = (task: string) => ({
      ork: 1,
      workflow: 'chain',
      task,
      'execution_id.$': '$$.Execution.Id',
      'attempt.$': '$$.State.RetryCount',
      'params.$': '$.params',
    });
    expect(definition).toStrictEqual({
      Comment: 'chain: extract then load',
      StartAt: 'Ork-Start',
      States: {
        'Ork-Start': { Type: 'Pass', Comment: 'Execution input becomes the params', Parameters: { 'params.$': '$', results: {} }, Next: 'extract' },
        extract: {
          Type: 'Task',
          Comment: 'Run task extract',
          Resource: '${OrkFunction_extract}',
          Parameters: { ...payload('extract'), inputs: {}, parallel_index: 0, parallel_count: 1 },
          Retry: [lambdaRetry],
          TimeoutSeconds: 900,
          ResultPath: '$.results.extract',
          Next: 'load',
        },
        load: {
          Type: 'Task',
          Comment: 'Run task load',
          Resource: '${OrkFunction_load}',
          Parameters: { ...payload('load'), inputs: { 'extract.$': '$.results.extract' }, parallel_index: 0, parallel_count: 1 },
          Retry: [lambdaRetry],
          TimeoutSeconds: 30,
          ResultPath: '$.results.load',
          Next: 'Ork-Done',
        },
        'Ork-Done': { Type: 'Pass', Comment: 'Outputs of every task, by task name', InputPath: '$.results', End: true },
      },
    });
  });

  it('the same source compiles to the same definition every time', () => {
    const yaml = 'tasks:\n  a:\n    file: a.py\n  b:\n    file: b.py\n    foreach: a.items\n    parallel: 3\n';
    const first = compileInline(yaml, ['a.py', 'b.py']);
    const second = compileInline(yaml, ['a.py', 'b.py']);
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });
});

import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../lib/local/promise-polyfill.js';
import { adaptForLocal } from '../../lib/local/local-adaptation.js';
import { motoSuitesRun, startMotoServer, type MotoServer } from '../support/moto-server.js';
import { PARSER_REJECTION, useMotoParser } from '../support/moto-parser.js';
import { compile, definitionText, inMemoryHost, type StateMachineDefinition } from '../../compiler/index.js';
import { compileCleanly, EXAMPLES_DIR, FIXTURES_DIR, ROOT, substitutePlaceholders, workflowDirectories } from '../support/workflows.js';

/**
 * Every example and every golden fixture compiles to a definition that two independent checkers accept:
 * asl-validator (JSON schema + path checks) and moto's Step Functions CreateStateMachine, whose ANTLR
 * parser is the strictest ASL reader available offline.
 */

interface AslValidatorResult {
  isValid: boolean;
  errors: { message?: string; path?: string; [key: string]: unknown }[];
}
type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => AslValidatorResult;
// asl-validator is CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/** asl-validator writes QueryLanguage into the states it checks, so it only ever sees a copy. */
function validateAsl(definition: unknown, options?: Parameters<AslValidator>[1]): AslValidatorResult {
  return aslValidator(structuredClone(definition), options);
}

const workflows = [
  ...workflowDirectories(EXAMPLES_DIR).map((w) => ({ ...w, kind: 'example' })),
  ...workflowDirectories(FIXTURES_DIR).map((w) => ({ ...w, kind: 'fixture' })),
].map((w) => ({ ...w, label: path.relative(ROOT, w.directory) }));

const SEED_EXAMPLES = ['static-parallel', 'dynamic-count', 'foreach-aggregate', 'concurrency-limit', 'combined'];

describe('workflows under test', () => {
  it('include every seed example and the fixtures', () => {
    const examples = workflows.filter((w) => w.kind === 'example').map((w) => w.name);
    expect(examples).toEqual(expect.arrayContaining(SEED_EXAMPLES));
    expect(workflows.filter((w) => w.kind === 'fixture').length).toBeGreaterThanOrEqual(9);
  });
});

describe('asl-validator accepts', () => {
  for (const w of workflows) {
    it(w.label, () => {
      const { definition } = compileCleanly(w.directory);
      // As deployed, placeholders filled in: asl-validator's schema wants an ARN in Resource even with
      // checkArn off, so the raw `${OrkFunction_…}` form cannot be checked as is.
      const result = validateAsl(substitutePlaceholders(definition), { checkPaths: true, checkArn: true });
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });
  }

  it('and rejects a broken definition (control)', () => {
    const result = validateAsl({ StartAt: 'Missing', States: { A: { Type: 'Pass', End: true } } });
    expect(result.isValid).toBe(false);
  });
});

/**
 * moto 5.2.1's ASL grammar predates two Distributed Map features AWS has: `ExecutionType: EXPRESS` (it
 * knows only STANDARD) and `ItemBatcher`. Definitions reach its parser without exactly those two, as the
 * text Ork deploys (definitionText, which writes ToleratedFailurePercentage as the decimal moto's grammar
 * wants), and the controls below show that moto, not the definition, refuses them.
 */
function withoutMotoGrammarGaps(definition: StateMachineDefinition): string {
  return definitionText(withoutMotoGrammarFeatures(definition) as StateMachineDefinition);
}

function withoutMotoGrammarFeatures(definition: unknown): unknown {
  const copy = structuredClone(definition) as { States: Record<string, Record<string, unknown>> };
  const visit = (states: Record<string, Record<string, unknown>>): void => {
    for (const state of Object.values(states)) {
      const processor = state.ItemProcessor as { ProcessorConfig?: { ExecutionType?: string }; States: Record<string, Record<string, unknown>> } | undefined;
      if (processor) {
        if (processor.ProcessorConfig?.ExecutionType === 'EXPRESS') processor.ProcessorConfig.ExecutionType = 'STANDARD';
        delete state.ItemBatcher;
        visit(processor.States);
      }
      for (const branch of (state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) visit(branch.States);
    }
  };
  visit(copy.States);
  return copy;
}

/** The smallest Distributed Map, items from the state. */
function distributedMap(extra: { executionType?: string; batcher?: boolean }): unknown {
  return {
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        ...(extra.batcher ? { ItemBatcher: { MaxItemsPerBatch: 10 } } : {}),
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: extra.executionType ?? 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Pass', End: true } },
        },
        End: true,
      },
    },
  };
}

describe('the ASL specification’s rules that no checker above enforces', () => {
  /** Every state, nested ones included. */
  const statesOf = (machine: { States: Record<string, Record<string, unknown>> }): Record<string, unknown>[] =>
    Object.values(machine.States).flatMap((state) => [
      state,
      ...(state.ItemProcessor ? statesOf(state.ItemProcessor as { States: Record<string, Record<string, unknown>> }) : []),
      ...((state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []).flatMap(statesOf),
    ]);

  for (const w of workflows) {
    it(`${w.label}: no Fail state names its error with the reserved States. prefix`, () => {
      const { definition } = compileCleanly(w.directory);
      const errors = statesOf(definition as never)
        .filter((s) => s.Type === 'Fail')
        .map((s) => String(s.Error));
      expect(errors.filter((e) => e.startsWith('States.'))).toEqual([]);
    });
  }
});

describe('aws-local-stepfunctions accepts (as ork run loads it)', () => {
  for (const w of workflows) {
    it(w.label, async () => {
      const { StateMachine } = await import('aws-local-stepfunctions');
      const { definition } = compileCleanly(w.directory);
      const { definition: local, distributedMaps } = adaptForLocal(substitutePlaceholders(definition));
      // Its validator also refuses unreachable states, which the other two checkers let through.
      const machines: unknown[] = [
        local,
        ...[...distributedMaps.values()].map((map) => ({ StartAt: map.ItemProcessor.StartAt, States: map.ItemProcessor.States })),
      ];
      for (const machine of machines)
        expect(() => new StateMachine(machine as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
    });
  }

  // Its validator (asl-validator) takes every key named `States` for a map of states and writes into its values:
  // a state named `States` made `ork run` stop with "Cannot create property 'QueryLanguage' on string 'Task'".
  it('a workflow with a task named States, fanned out and read downstream', async () => {
    const { StateMachine } = await import('aws-local-stepfunctions');
    const source = [
      'tasks:',
      '  States:',
      '    file: tasks/a.py',
      '  each:',
      '    file: tasks/a.py',
      '    foreach: States.items',
      '    parallel: States.n',
      '  after:',
      '    file: tasks/a.py',
      '    depends_on: [States, each]',
      '',
    ].join('\n');
    const result = compile({ file: 'workflow.yaml', source, host: inMemoryHost(['tasks/a.py'], '/work/flow') });
    expect(result.diagnostics).toEqual([]);
    const definition = result.definition as StateMachineDefinition;
    expect(Object.keys(definition.States)).not.toContain('States');
    expect(result.manifest?.tasks.find((t) => t.name === 'States')?.stateName).toBe('States-2');
    const local = adaptForLocal(substitutePlaceholders(definition)).definition;
    expect(() => new StateMachine(local as never, { validationOptions: { checkArn: true, checkPaths: true } })).not.toThrow();
  });
});

// Without moto_server the suite skips locally, but CI must have it: there the suite runs and fails loudly.
const runMoto = motoSuitesRun();

describe.skipIf(!runMoto)("moto's Step Functions parser accepts (CreateStateMachine)", () => {
  const createOnMoto = useMotoParser();
  let counter = 0;

  // A string is sent as it is (see withoutMotoGrammarGaps).
  const createStateMachine = (label: string, definition: unknown) =>
    createOnMoto(`ork-${++counter}-${label.replace(/[^A-Za-z0-9_-]+/g, '-')}`.slice(0, 80), definition);

  for (const w of workflows) {
    it(w.label, async () => {
      const { definition } = compileCleanly(w.directory);
      const response = await createStateMachine(w.label, withoutMotoGrammarGaps(substitutePlaceholders(definition)));
      expect(response.text).not.toMatch(PARSER_REJECTION);
      expect(response.status).toBe(200);
      expect(response.body.stateMachineArn).toMatch(/^arn:aws:states:us-east-1:123456789012:stateMachine:ork-/);
    });
  }

  it('accepts a Distributed Map, and refuses EXPRESS children and ItemBatcher only because its grammar lacks them (controls)', async () => {
    const plain = await createStateMachine('control-distributed', distributedMap({}));
    expect(plain.text).not.toMatch(PARSER_REJECTION);
    const express = await createStateMachine('control-express', distributedMap({ executionType: 'EXPRESS' }));
    expect(express.text).toMatch(/EXPRESS.*expecting.*STANDARD/);
    const batched = await createStateMachine('control-batcher', distributedMap({ batcher: true }));
    expect(batched.text).toMatch(/mismatched input[^,]*ItemBatcher/);
    const whole = JSON.stringify(distributedMap({})).replace('"ItemsPath"', '"ToleratedFailurePercentage":5,"ItemsPath"');
    expect((await createStateMachine('control-percent-int', whole)).text).toMatch(PARSER_REJECTION);
    expect((await createStateMachine('control-percent-decimal', whole.replace(':5,', ':5.0,'))).text).not.toMatch(PARSER_REJECTION);
    // … which is how definitionText writes it.
    expect(definitionText(JSON.parse(whole) as StateMachineDefinition)).toContain('"ToleratedFailurePercentage":5.0,');
  });

  it('rejects an intrinsic function in ItemsPath (control: the parser is strict)', async () => {
    const definition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Map',
          ItemsPath: 'States.ArrayRange(0, 3, 1)',
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    // asl-validator lets this through; only the real parser catches it.
    const response = await createStateMachine('control-itemspath-intrinsic', definition);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(PARSER_REJECTION);
    expect(response.text).toMatch(/ItemsPath|ArrayRange/);
  });

  it('accepts the same Map once ItemsPath is a reference path (the control differs only there)', async () => {
    const definition = {
      StartAt: 'Range',
      States: {
        Range: { Type: 'Pass', Parameters: { 'indexes.$': 'States.ArrayRange(0, 3, 1)' }, Next: 'Fan' },
        Fan: {
          Type: 'Map',
          ItemsPath: '$.indexes',
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    const response = await createStateMachine('control-itemspath-reference', definition);
    expect(response.text).not.toMatch(PARSER_REJECTION);
    expect(response.status).toBe(200);
  });
});

/**
 * The run-time count checks executed by moto's interpreter (the one AWS-like engine here), as ork run tests
 * execute them with aws-local-stepfunctions: the dynamic-count fixture with its `discover` Task replaced by a
 * Pass that outputs the count, written as JSON text so that 3.0 stays a float, as AWS would read it. Its own
 * moto_server, with the parity harness's patches (moto 5.2 answers 500 to every StartExecution after the first,
 * see moto-patches/sitecustomize.py), which the parser checks above must not see.
 */
describe.skipIf(!runMoto)("moto's Step Functions interpreter executes the count checks", () => {
  let moto: MotoServer | undefined;
  let counter = 0;

  beforeAll(async () => {
    moto = await startMotoServer({
      env: {
        PYTHONPATH: [path.join(ROOT, 'test', 'support', 'aws-parity', 'moto-patches'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
        ORK_PARITY_MOTO_PATCHES: '1',
      },
    });
    await moto.configure({ stepfunctions: { execute_state_machine: true } });
  }, 60_000);

  afterAll(async () => {
    await moto?.stop();
  });

  async function runDynamicCount(count: string): Promise<{ status: string; error?: string; entered: string[] }> {
    if (!moto) throw new Error('moto_server did not start');
    const { definition } = compileCleanly(path.join(FIXTURES_DIR, 'dynamic-count'));
    const machine = substitutePlaceholders(definition) as unknown as { States: Record<string, Record<string, unknown>> };
    const discover = machine.States.discover as { Next: string };
    machine.States.discover = { Type: 'Pass', Result: { count: '__COUNT__' }, ResultPath: '$.results.discover', Next: discover.Next };
    const text = withoutMotoGrammarGaps(machine as unknown as StateMachineDefinition).replace('"__COUNT__"', count);
    const created = await moto.awsJson('AWSStepFunctions.CreateStateMachine', {
      name: `count-${++counter}`,
      definition: text,
      roleArn: 'arn:aws:iam::123456789012:role/ork',
    });
    expect(created.status, created.text).toBe(200);
    const started = await moto.awsJson('AWSStepFunctions.StartExecution', {
      stateMachineArn: created.body.stateMachineArn,
      name: `run-${counter}`,
      input: '{}',
    });
    expect(started.status, `count ${count}: ${started.text}`).toBe(200);
    const executionArn = started.body.executionArn as string;
    for (let i = 0; i < 600; i++) {
      const described = await moto.awsJson('AWSStepFunctions.DescribeExecution', { executionArn });
      const status = String(described.body.status);
      if (status !== 'RUNNING') {
        const history = await moto.awsJson('AWSStepFunctions.GetExecutionHistory', { executionArn, maxResults: 1000 });
        const events = (history.body.events ?? []) as { stateEnteredEventDetails?: { name: string } }[];
        const entered = events.flatMap((e) => (e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : []));
        return { status, ...(described.body.error !== undefined ? { error: String(described.body.error) } : {}), entered };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`execution ${executionArn} still running`);
  }

  it('2.5 fails with Ork.InvalidFanOutCount; 3 and 3.0 pass the checks and reach the fan-out', async () => {
    const fraction = await runDynamicCount('2.5');
    expect(fraction).toMatchObject({ status: 'FAILED', error: 'Ork.InvalidFanOutCount' });
    expect(fraction.entered).toContain('process-check-whole');
    expect(fraction.entered).not.toContain('process-count');
    for (const whole of ['3', '3.0']) {
      const run = await runDynamicCount(whole);
      // No Lambda answers the instances, so the run fails later, in the fan-out, not in the checks.
      expect(run.entered, whole).toContain('process-count');
      expect(run.entered, whole).toContain('process-fanout');
      expect(run.error, whole).not.toBe('Ork.InvalidFanOutCount');
    }
  }, 120_000);
});

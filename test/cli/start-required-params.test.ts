import { beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readParamsDefaults, type StateMachineDefinition } from '../../compiler/index.js';
import { useFakeAwsEndpoint, type AwsAnswer } from '../support/fake-aws-endpoint.js';
import { runOrkInProcess as ork } from '../support/in-process-ork.js';
import { compileCleanly, substitutePlaceholders, writeWorkflowFiles } from '../support/workflows.js';

/**
 * `ork start` refuses an input that lacks a required param of the deployed workflow (a params: default of
 * null), read from the deployed definition, before anything starts (issue 16): in this process, against a fake
 * Step Functions endpoint that answers DescribeStateMachine with a compiled definition.
 */

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:landing';

/** The definition as deployed (placeholders substituted) of a workflow.yaml with one task. */
function definitionOf(yaml: string): StateMachineDefinition {
  const dir = mkdtempSync(path.join(tmpdir(), 'ork-start-params-'));
  try {
    writeWorkflowFiles(dir, { 'workflow.yaml': yaml, 'tasks/load.py': '' });
    return substitutePlaceholders(compileCleanly(dir).definition);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LANDING = definitionOf(`name: landing
params: { key: ~, bucket: ~, mode: full }
tasks:
  load:
    file: tasks/load.py
`);

/** DescribeStateMachine's answer: the definition, or an AWS error. */
let describeAnswer: AwsAnswer;
const targets = useFakeAwsEndpoint((target) =>
  target.endsWith('.DescribeStateMachine')
    ? describeAnswer
    : target.endsWith('.StartExecution')
      ? { status: 200, body: { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:x`, startDate: 0 } }
      : { status: 400, body: { __type: 'InvalidAction', message: target } },
);

beforeEach(() => {
  targets.length = 0;
  describeAnswer = { status: 200, body: { name: 'landing', stateMachineArn: ARN, definition: JSON.stringify(LANDING) } };
});

describe('ork start and required params', () => {
  it('the compiled definition holds the params defaults, nulls included', () => {
    expect(readParamsDefaults(LANDING)).toEqual({ key: null, bucket: null, mode: 'full' });
    expect(readParamsDefaults(definitionOf('name: plain\ntasks:\n  load:\n    file: tasks/load.py\n'))).toEqual({});
  });

  it('an input lacking a required param: exit 2, one line and a hint, and no execution started', async () => {
    const result = await ork(['start', ARN, '--input', '{"key": "incoming/a.csv"}']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toBe(
      "ork: error: the input gives no 'bucket', which is a required param of landing (params: default ~)\n" +
        `  hint: give it with --input, e.g. --input '{"bucket":"…"}'\n`,
    );
    expect(targets).not.toContain('AWSStepFunctions.StartExecution');
  });

  it('an input with every required param starts the execution', async () => {
    const result = await ork(['start', ARN, '--input', '{"key": "incoming/a.csv", "bucket": "landing-bucket"}']);
    expect(result.code, result.stderr).toBe(0);
    expect(targets).toEqual(['AWSStepFunctions.DescribeStateMachine', 'AWSStepFunctions.StartExecution']);
  });

  it('an identity that may start but not read the workflow starts it unchecked, with a warning', async () => {
    describeAnswer = { status: 400, body: { __type: 'AccessDeniedException', message: 'not authorized to perform: states:DescribeStateMachine' } };
    const result = await ork(['start', ARN]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^ork: warning: required params not checked: describe state machine: access denied/);
    expect(targets.at(-1)).toBe('AWSStepFunctions.StartExecution');
  });
});

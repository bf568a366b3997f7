import { missingRequiredParams } from '../../../compiler/index.js';
import { CloudError } from '../../cloud/cloud-error.js';
import type { DeployedWorkflow } from '../../cloud/workflow-shape.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { parseInput } from '../parse-input.js';
import { executionProgress } from '../progress/execution-progress.js';
import { useColor } from '../terminal.js';
import { exitCodeOf, printOutcome } from './execution-outcome.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start a deployed workflow on AWS',
  help: `Usage: ork start WORKFLOW|STATE_MACHINE_ARN [--input JSON|@FILE] [--name NAME] [--wait] [--json]

Starts an execution of a deployed workflow (by its name or state machine ARN) and prints the
execution ARN and its console URL. With --wait, follows it like ork run does. An input that lacks a
required param of the deployed workflow (a params: default of ~) is refused (exit 2): nothing starts.
AWS region, credentials and endpoint come from the environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL).

Options:
  --input JSON|@FILE  the workflow input (params), a JSON object
  --name NAME         execution name (default: ork-<date>-<time>-<random>)
  --wait              follow the execution until it ends; exit 0 succeeded, 1 otherwise
  --json              print the result as JSON`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('start', argv, {
      input: { type: 'string', short: 'i' },
      name: { type: 'string' },
      wait: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    if (values.help || positionals.length === 0) {
      io.stdout.write(`${this.help}\n`);
      return values.help ? ExitCode.ok : ExitCode.invalid;
    }
    const input = parseInput(values.input, io.cwd);
    // The AWS SDK loads only for cloud commands, so local ones start fast.
    const { StepFunctions } = await import('../../cloud/step-functions.js');
    const { watchExecution } = await import('../../cloud/watch-execution.js');
    const { executionConsoleUrl } = await import('../../cloud/console-urls.js');
    const sfn = new StepFunctions();
    const stateMachineArn = await sfn.resolveStateMachine(positionals[0] ?? '');
    // The deployed definition holds the params defaults: an execution without a required param would run
    // with null there, so it is refused before it starts, as ork run and ork backfill refuse it. An identity
    // that may start the workflow but not read it (grantStartExecution alone) starts it unchecked.
    let shape: DeployedWorkflow | undefined;
    try {
      shape = await sfn.workflowShape(stateMachineArn);
    } catch (error) {
      if (values.wait || !(error instanceof CloudError) || error.code !== 'AccessDenied') throw error;
      io.stderr.write(`ork: warning: required params not checked: ${error.message}\n`);
    }
    const missing = shape ? missingRequiredParams(shape.params ?? {}, input) : [];
    if (shape && missing.length > 0) {
      throw new UsageError(
        `the input gives no ${missing.map((name) => `'${name}'`).join(', ')}, which ${missing.length === 1 ? 'is a required param' : 'are required params'} of ${shape.workflow} (params: default ~)`,
        `give it with --input, e.g. --input '${JSON.stringify(Object.fromEntries(missing.map((name) => [name, '…'])))}'`,
      );
    }
    // A readable, sortable name; some Step Functions-compatible APIs do not generate one.
    const name = values.name ?? `ork-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${Math.random().toString(16).slice(2, 8)}`;
    const { executionArn } = await sfn.start(stateMachineArn, input, name);
    if (!values.wait) {
      if (values.json) io.stdout.write(`${JSON.stringify({ executionArn, consoleUrl: executionConsoleUrl(executionArn) }, null, 2)}\n`);
      else io.stdout.write(`${executionArn}\n  ${executionConsoleUrl(executionArn)}\n`);
      return ExitCode.ok;
    }
    if (!values.json) io.stdout.write(`${executionArn}\n  ${executionConsoleUrl(executionArn)}\n`);
    shape ??= await sfn.workflowShape(stateMachineArn);
    const stream = values.json ? io.stderr : io.stdout;
    const observer = executionProgress(shape, { stream, color: useColor(stream, io.env), live: stream.isTTY === true && !io.env.CI });
    const result = await watchExecution(sfn, executionArn, shape, { intervalMs: Number(io.env.ORK_POLL_MS ?? 2000), observer });
    printOutcome(io, executionArn, result, values.json === true, shape);
    return exitCodeOf(result.status);
  },
};

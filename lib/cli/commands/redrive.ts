import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';

export const redriveCommand: Command = {
  name: 'redrive',
  summary: 'run a failed execution again from where it failed',
  help: `Usage: ork redrive EXECUTION_ARN

RedriveExecution for a failed, timed-out or aborted Standard execution: the states that did not
succeed run again, the rest keep their results. Reports which tasks will run again.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('redrive', argv, {});
    const executionArn = positionals[0];
    if (values.help || !executionArn) {
      io.stdout.write(`${this.help}\n`);
      return values.help ? ExitCode.ok : ExitCode.invalid;
    }
    const { StepFunctions, stateMachineOfExecution } = await import('../../cloud/step-functions.js');
    const { snapshot } = await import('../../cloud/watch-execution.js');
    const { executionConsoleUrl } = await import('../../cloud/console-urls.js');
    const sfn = new StepFunctions();
    const shape = await sfn.workflowShape(stateMachineOfExecution(executionArn));
    const before = await snapshot(sfn, executionArn, shape);
    if (before.status === 'RUNNING' || before.status === 'SUCCEEDED')
      throw new UsageError(`execution is ${before.status}: only failed, timed-out or aborted executions can be redriven`);
    const again = [...before.view.tasks]
      .filter(([, s]) => s.failed > 0 || (s.expected !== undefined && s.succeeded < s.expected) || (s.instances === 0 && s.succeeded === 0))
      .map(([name]) => name);
    await sfn.redrive(executionArn);
    io.stdout.write(`redriven ${executionArn}\n  ${executionConsoleUrl(executionArn)}\n`);
    io.stdout.write(`  will run again: ${again.length > 0 ? again.join(', ') : 'the failed states'}; succeeded instances keep their results\n`);
    return ExitCode.ok;
  },
};

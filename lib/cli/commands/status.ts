import { executionProgress } from '../progress/execution-progress.js';
import { RunProgress } from '../progress/run-progress.js';
import { ExitCode } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { useColor } from '../terminal.js';
import { exitCodeOf, printOutcome } from './execution-outcome.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'show an execution on AWS, task by task',
  help: `Usage: ork status EXECUTION_ARN [--watch] [--json]

The same per-task view as ork run (state, instance counts of each fan-out, the failing task and its
error), built from DescribeExecution and the execution's history.

Options:
  --watch   follow the execution until it ends
  --json    print the status as JSON
Exit codes: 0 succeeded or still running, 1 failed, timed out or aborted.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('status', argv, { watch: { type: 'boolean', short: 'w' }, json: { type: 'boolean' } });
    const executionArn = positionals[0];
    if (values.help || !executionArn) {
      io.stdout.write(`${this.help}\n`);
      return values.help ? ExitCode.ok : ExitCode.invalid;
    }
    const { StepFunctions, stateMachineOfExecution } = await import('../../cloud/step-functions.js');
    const { snapshot, watchExecution } = await import('../../cloud/watch-execution.js');
    const { executionConsoleUrl } = await import('../../cloud/console-urls.js');
    const sfn = new StepFunctions();
    const shape = await sfn.workflowShape(stateMachineOfExecution(executionArn));
    const stream = values.json ? io.stderr : io.stdout;
    const options = { stream, color: useColor(stream, io.env), live: stream.isTTY === true && !io.env.CI };
    // Read the execution before printing anything: one that does not exist is then the error line alone.
    let result = await snapshot(sfn, executionArn, shape);
    if (!values.json) io.stdout.write(`${executionArn}\n  ${executionConsoleUrl(executionArn)}\n`);
    if (values.watch) {
      result = await watchExecution(sfn, executionArn, shape, {
        intervalMs: Number(io.env.ORK_POLL_MS ?? 2000),
        observer: executionProgress(shape, options),
        initial: result,
      });
    } else if (!values.json) {
      const view = new RunProgress(shape, result.view, options);
      // An execution that ended: its tasks' statuses (a task it never started is cancelled, or skipped).
      if (result.status !== 'RUNNING' && result.status !== 'PENDING_REDRIVE') view.settle(result.status);
      for (const line of view.lines()) io.stdout.write(`${line}\n`);
    }
    printOutcome(io, executionArn, result, values.json === true, shape);
    return exitCodeOf(result.status);
  },
};

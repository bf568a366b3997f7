import type { TaskLogLine } from '../../cloud/task-logs.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { didYouMean } from '../../../compiler/index.js';

/** How far back from the newest line each `--follow` poll reads again (see below). */
const INGESTION_WINDOW_MS = 5 * 60_000;

export const logsCommand: Command = {
  name: 'logs',
  summary: 'show the task logs of an execution on AWS',
  help: `Usage: ork logs EXECUTION_ARN [--task NAME] [--follow] [--json]

The log lines the tasks of one execution wrote (ctx.log, errors), from CloudWatch Logs, selected by
the execution id the SDK writes on every line.

Options:
  --task NAME   only this task
  --follow      keep printing new lines until the execution ends
  --json        one JSON record per line`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('logs', argv, {
      task: { type: 'string', short: 't' },
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
    });
    const executionArn = positionals[0];
    if (values.help || !executionArn) {
      io.stdout.write(`${this.help}\n`);
      return values.help ? ExitCode.ok : ExitCode.invalid;
    }
    const { clients, fetchTaskLogs, logGroupOf } = await import('../../cloud/task-logs.js');
    const { StepFunctions, stateMachineOfExecution } = await import('../../cloud/step-functions.js');
    const sfn = new StepFunctions();
    const shape = await sfn.workflowShape(stateMachineOfExecution(executionArn));
    const tasks = values.task ? shape.tasks.filter((t) => t.name === values.task) : shape.tasks;
    if (values.task && tasks.length === 0) {
      throw new UsageError(
        `workflow ${shape.workflow} has no task '${values.task}'`,
        didYouMean(
          values.task,
          shape.tasks.map((t) => t.name),
        ) ?? `tasks: ${shape.tasks.map((t) => t.name).join(', ')}`,
      );
    }
    const { logs, lambda } = clients();
    const groups = new Map<string, string>();
    for (const task of tasks) {
      const group = await logGroupOf(lambda, task);
      if (group) groups.set(task.name, group);
    }
    const description = await sfn.describe(executionArn);
    let since = (description.startDate?.getTime() ?? Date.now() - 86_400_000) - 60_000;
    const seen = new Set<string>();
    const print = (line: TaskLogLine): void => {
      const key = `${line.task}\u0000${line.timestamp}\u0000${line.message}\u0000${line.instance ?? ''}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (values.json) io.stdout.write(`${JSON.stringify({ task: line.task, timestamp: line.timestamp, ...(line.record ?? { message: line.message }) })}\n`);
      else
        io.stdout.write(
          `${new Date(line.timestamp).toISOString().slice(11, 23)} [${line.instance ?? line.task}] ${line.level && line.level !== 'info' ? `${line.level}: ` : ''}${line.message}\n`,
        );
    };
    for (;;) {
      const lines = await fetchTaskLogs(logs, groups, executionArn, since);
      lines.forEach(print);
      // Lines reach CloudWatch Logs some time after they were written, from several log streams at once,
      // so a line may arrive after a later one has been read: reading on from the latest timestamp seen
      // would lose it. Each poll reads back over INGESTION_WINDOW_MS instead; `seen` drops the repeats.
      for (const line of lines) since = Math.max(since, line.timestamp - INGESTION_WINDOW_MS);
      if (!values.follow) break;
      const status = (await sfn.describe(executionArn)).status;
      if (status !== 'RUNNING') {
        (await fetchTaskLogs(logs, groups, executionArn, since)).forEach(print);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Number(io.env.ORK_POLL_MS ?? 2000)));
    }
    return ExitCode.ok;
  },
};

import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { writeTable } from '../write-table.js';

export const executionsCommand: Command = {
  name: 'executions',
  summary: 'list recent executions of a deployed workflow',
  help: `Usage: ork executions WORKFLOW|STATE_MACHINE_ARN [--limit N] [--json]

Recent executions, newest first, with status and duration.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('executions', argv, { limit: { type: 'string', short: 'n' }, json: { type: 'boolean' } });
    if (values.help || positionals.length === 0) {
      io.stdout.write(`${this.help}\n`);
      return values.help ? ExitCode.ok : ExitCode.invalid;
    }
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    const { StepFunctions } = await import('../../cloud/step-functions.js');
    const sfn = new StepFunctions();
    const items = await sfn.executions(await sfn.resolveStateMachine(positionals[0] ?? ''), limit);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (items.length === 0) {
      io.stdout.write('no executions yet: ork start WORKFLOW starts one\n');
      return ExitCode.ok;
    }
    const rows = items.map((e) => [
      e.name ?? '',
      e.status ?? '',
      e.startDate ? e.startDate.toISOString().replace('T', ' ').slice(0, 19) : '',
      e.startDate ? `${(((e.stopDate ?? new Date()).getTime() - e.startDate.getTime()) / 1000).toFixed(1)}s` : '',
      e.executionArn ?? '',
    ]);
    writeTable(io.stdout, ['NAME', 'STATUS', 'STARTED', 'TOOK', 'ARN'], rows);
    return ExitCode.ok;
  },
};

import { hasErrors } from '../../../compiler/index.js';
import { ExitCode } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { compileWorkflow, locateWorkflow } from '../load-workflow.js';
import { reportDiagnostics } from '../report-diagnostics.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check workflows and report every problem',
  help: `Usage: ork validate [WORKFLOW ...] [--json]

Checks each workflow (a directory with workflow.yaml, or the file itself; default: .) and reports
every problem as FILE:LINE:COL: error CODE: message, with a hint where one helps.

Options:
  --json    print the diagnostics as one JSON object on stdout
Exit codes: 0 valid (warnings allowed), 2 invalid.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('validate', argv, { json: { type: 'boolean' } });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const targets = positionals.length > 0 ? positionals : ['.'];
    let invalid = false;
    const report: Record<string, unknown>[] = [];
    for (const target of targets) {
      const location = locateWorkflow(target, io.cwd);
      const result = compileWorkflow(location);
      if (values.json) {
        report.push({ file: location.displayPath, valid: !hasErrors(result.diagnostics), diagnostics: result.diagnostics });
        invalid ||= !result.ok;
        continue;
      }
      const failed = reportDiagnostics(result, io);
      invalid ||= failed;
      if (!failed) io.stdout.write(`${location.displayPath}: valid (${result.spec?.tasks.length ?? 0} tasks)\n`);
    }
    if (values.json) io.stdout.write(`${JSON.stringify({ workflows: report }, null, 2)}\n`);
    return invalid ? ExitCode.invalid : ExitCode.ok;
  },
};

import { renderDot, renderMermaid } from '../../../compiler/index.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { compileWorkflow, locateWorkflow } from '../load-workflow.js';
import { reportDiagnostics } from '../report-diagnostics.js';

export const graphCommand: Command = {
  name: 'graph',
  summary: 'draw the task graph (Mermaid or Graphviz DOT)',
  help: `Usage: ork graph [WORKFLOW] [--format mermaid|dot]

Prints the task graph. Fan-out tasks are drawn as stacked boxes labelled with their fan-out
(foreach discover.files, ×4, × discover.count, max N at once). The edges into a task with when:
carry its condition (a task with no upstream shows it under its name), an if: always edge is
dashed and labelled always, and an on_failure: handler is a dotted node of its own. Mermaid
renders on GitHub.

Options:
  --format mermaid|dot   output format (default: mermaid)
Exit codes: 0 printed, 2 invalid workflow.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('graph', argv, { format: { type: 'string', short: 'f' } });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const format = values.format ?? 'mermaid';
    if (format !== 'mermaid' && format !== 'dot') throw new UsageError(`graph: unknown format '${format}'`, 'use --format mermaid or --format dot');
    const result = compileWorkflow(locateWorkflow(positionals[0], io.cwd));
    if (reportDiagnostics(result, io) || !result.graph) return ExitCode.invalid;
    io.stdout.write(format === 'dot' ? renderDot(result.graph) : renderMermaid(result.graph));
    return ExitCode.ok;
  },
};

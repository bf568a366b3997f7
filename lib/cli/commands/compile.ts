import path from 'node:path';
import { definitionText } from '../../../compiler/index.js';
import { ExitCode } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { compileWorkflow, locateWorkflow } from '../load-workflow.js';
import { reportDiagnostics } from '../report-diagnostics.js';
import { writeFileAtomic } from '../write-output.js';
import { explainConditions } from './explain-conditions.js';
import { explainFanOuts } from './explain-fan-outs.js';
import { explainPlan } from './explain-plan.js';

export const compileCommand: Command = {
  name: 'compile',
  summary: 'compile a workflow to Amazon States Language',
  help: `Usage: ork compile [WORKFLOW] [-o FILE] [--manifest FILE] [--explain]

Compiles the workflow (default: .) to an AWS Step Functions definition (ASL, JSONPath). Task
resources are \${…} placeholders that deploy (DefinitionSubstitutions) and ork run fill in.

Options:
  -o, --output FILE   write the definition to FILE instead of stdout
  --manifest FILE     also write the task manifest (executor, file, memory, timeout, env … per task)
  --explain           print the schedule, any parallelism it gives up, how each fan-out runs,
                      where each when: Choice goes and how a failure reaches on_failure:
Exit codes: 0 compiled, 2 invalid workflow.`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('compile', argv, {
      output: { type: 'string', short: 'o' },
      manifest: { type: 'string' },
      explain: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const location = locateWorkflow(positionals[0], io.cwd);
    const result = compileWorkflow(location);
    if (reportDiagnostics(result, io) || !result.definition || !result.manifest || !result.plan || !result.graph) return ExitCode.invalid;
    const definition = `${definitionText(result.definition, 2)}\n`;
    if (values.manifest) writeFileAtomic(path.resolve(io.cwd, values.manifest), `${JSON.stringify(result.manifest, null, 2)}\n`);
    if (values.output) writeFileAtomic(path.resolve(io.cwd, values.output), definition);
    if (values.explain)
      io.stdout.write(explainPlan(result.plan, result.graph) + explainFanOuts(result.manifest) + explainConditions(result.definition, result.manifest));
    else if (!values.output) io.stdout.write(definition);
    return ExitCode.ok;
  },
};

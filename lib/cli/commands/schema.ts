import { workflowJsonSchema } from '../../../compiler/index.js';
import { ExitCode } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of workflow.yaml (for editors)',
  help: `Usage: ork schema

Prints the JSON Schema of workflow.yaml, derived from the same schema ork validates with.
Editors with yaml-language-server use it for completion and checks: save it, e.g.
  npx ork schema > workflow.schema.json
and start workflow.yaml with
  # yaml-language-server: $schema=./workflow.schema.json`,
  run(argv, io) {
    const { values } = parseCommandArgs('schema', argv, {});
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    io.stdout.write(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`);
    return ExitCode.ok;
  },
};

import { workflowJsonSchema } from '../../../compiler/index.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';

/** What `ork schema` can print: workflow.yaml's schema, and the runtime contract's (lambdas/contract). */
const SCHEMAS: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  workflow: () => Promise.resolve(workflowJsonSchema()),
  // Loaded when asked for: every other command starts without building the contract's zod schemas.
  payload: async () => (await import('../../../lambdas/contract/json-schema.js')).payloadJsonSchema(),
  'worker-protocol': async () => (await import('../../../lambdas/contract/json-schema.js')).workerProtocolJsonSchema(),
};

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of workflow.yaml (for editors), or of the task payload or worker protocol',
  help: `Usage: ork schema [workflow | payload | worker-protocol]

Prints the JSON Schema of workflow.yaml (the default), derived from the same schema ork validates with.
Editors with yaml-language-server use it for completion and checks: save it, e.g.
  npx ork schema > workflow.schema.json
and start workflow.yaml with
  # yaml-language-server: $schema=./workflow.schema.json

'payload' prints the schema of the payload each task instance receives (docs/payload.md), and
'worker-protocol' that of the local workers' messages (docs/worker-protocol.md): the runtime contract that
both task SDKs implement, as lambdas/contract defines it.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('schema', argv, {});
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const [name = 'workflow', ...rest] = positionals;
    const schema = SCHEMAS[name];
    if (!schema || rest.length > 0)
      throw new UsageError(`schema: expected one of ${Object.keys(SCHEMAS).join(', ')}, got '${positionals.join(' ')}'`, "see 'ork schema --help'");
    io.stdout.write(`${JSON.stringify(await schema(), null, 2)}\n`);
    return ExitCode.ok;
  },
};

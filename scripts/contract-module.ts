/**
 * Writes lambdas/contract/contract.ts from lambdas/python/ork/contract.json, then the JSON Schemas of the
 * payload and of the worker protocol beside it from the zod schemas: `npx tsx scripts/contract-module.ts`.
 *
 * The JSON is the one place the runtime contract's facts are written (Python reads it at run time from
 * inside the deployed `ork` folder). TypeScript gets them from this generated module rather than from a
 * JSON import because its code needs them as literal types (`{ [FAILED_KEY]: … }` is a type only when
 * FAILED_KEY is a literal), which a JSON import widens to `string`. test/contract/contract-module.test.ts
 * fails when the module is not what this script writes, so the two cannot drift; and when a schema file is
 * not what the zod schemas export, so that the docs can point at files a reader can open.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_JSON = path.join(root, 'lambdas', 'python', 'ork', 'contract.json');
export const CONTRACT_MODULE = path.join(root, 'lambdas', 'contract', 'contract.ts');
export const SCHEMA_FILES = {
  payload: path.join(root, 'lambdas', 'contract', 'payload.schema.json'),
  workerProtocol: path.join(root, 'lambdas', 'contract', 'worker-protocol.schema.json'),
} as const;

/** The text of a JSON Schema file. */
export function schemaText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

interface ContractJson {
  readonly payload_version: number;
  readonly markers: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
  readonly worker_protocol: { readonly channel_fd: number; readonly waits_sampled_first: number; readonly waits_sample_every: number };
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
/** A string literal in the house's quotes. */
const quote = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function constants(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([name, value]) => `  ${camel(name)}: ${quote(value)},`)
    .join('\n');
}

/** The text of lambdas/contract/contract.ts for the contract `json` (the text of contract.json). */
export function contractModuleText(json: string): string {
  const contract = JSON.parse(json) as ContractJson;
  return `// Generated from lambdas/python/ork/contract.json by scripts/contract-module.ts: edit the JSON, then run
// \`npx tsx scripts/contract-module.ts\`. What each fact means: docs/payload.md, docs/worker-protocol.md.

/** The payload's \`ork\` field: a runtime refuses a version it does not know instead of misreading it. */
export const PAYLOAD_VERSION = ${JSON.stringify(contract.payload_version)};

/** The keys of the references and markers that travel in the data (docs/payload.md, docs/scale.md). */
export const Markers = {
${constants(contract.markers)}
} as const;

/** The environment variables the runtimes read (set by the deploy constructs, the machine or \`ork run\`). */
export const Environment = {
${constants(contract.environment)}
} as const;

/** The local workers' protocol channel (docs/worker-protocol.md). */
export const WORKER_CHANNEL_FD = ${JSON.stringify(contract.worker_protocol.channel_fd)};

/**
 * A worker measures a reply's \`waits\` on a task's first WAITS_SAMPLED_FIRST invocations, then on one in
 * WAITS_SAMPLE_EVERY (docs/worker-protocol.md): reading it is one of the dearest calls of an invocation.
 */
export const WAITS_SAMPLED_FIRST = ${JSON.stringify(contract.worker_protocol.waits_sampled_first)};
export const WAITS_SAMPLE_EVERY = ${JSON.stringify(contract.worker_protocol.waits_sample_every)};
`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  writeFileSync(CONTRACT_MODULE, contractModuleText(readFileSync(CONTRACT_JSON, 'utf8')));
  // Imported once the module is written: the schemas read the contract's facts from it.
  const { payloadJsonSchema, workerProtocolJsonSchema } = await import('../lambdas/contract/json-schema.js');
  writeFileSync(SCHEMA_FILES.payload, schemaText(payloadJsonSchema()));
  writeFileSync(SCHEMA_FILES.workerProtocol, schemaText(workerProtocolJsonSchema()));
  for (const file of [CONTRACT_MODULE, ...Object.values(SCHEMA_FILES)]) process.stdout.write(`wrote ${path.relative(root, file)}\n`);
}

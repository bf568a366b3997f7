/**
 * lambdas/python/ork/contract.json is where the runtime contract's facts are written; TypeScript reads them
 * from lambdas/contract/contract.ts, generated from it (scripts/contract-module.ts). A JSON edited without
 * regenerating the module fails here, and so the two languages cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { payloadJsonSchema, workerProtocolJsonSchema } from '../../lambdas/contract/index.js';
import { CONTRACT_JSON, CONTRACT_MODULE, contractModuleText, SCHEMA_FILES, schemaText } from '../../scripts/contract-module.js';

describe('the runtime contract', () => {
  it('lambdas/contract/contract.ts is what scripts/contract-module.ts writes from contract.json (run `npx tsx scripts/contract-module.ts`)', () => {
    expect(readFileSync(CONTRACT_MODULE, 'utf8')).toBe(contractModuleText(readFileSync(CONTRACT_JSON, 'utf8')));
  });

  it('payload.schema.json and worker-protocol.schema.json are what the zod schemas export (the same script writes them)', () => {
    expect(readFileSync(SCHEMA_FILES.payload, 'utf8')).toBe(schemaText(payloadJsonSchema()));
    expect(readFileSync(SCHEMA_FILES.workerProtocol, 'utf8')).toBe(schemaText(workerProtocolJsonSchema()));
  });
});

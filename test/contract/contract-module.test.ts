/**
 * lambdas/python/ork/contract.json is where the runtime contract's facts are written; TypeScript reads them
 * from lambdas/contract/contract.ts, generated from it (scripts/contract-module.ts). A JSON edited without
 * regenerating the module fails here, and so the two languages cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTRACT_JSON, CONTRACT_MODULE, contractModuleText } from '../../scripts/contract-module.js';

describe('the runtime contract', () => {
  it('lambdas/contract/contract.ts is what scripts/contract-module.ts writes from contract.json (run `npx tsx scripts/contract-module.ts`)', () => {
    expect(readFileSync(CONTRACT_MODULE, 'utf8')).toBe(contractModuleText(readFileSync(CONTRACT_JSON, 'utf8')));
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './cli-error.js';

/** `--input '{"date": "2024-01-15"}'` or `--input @params.json`: the workflow input, a JSON object. */
export function parseInput(value: string | undefined, cwd: string): Record<string, unknown> {
  if (value === undefined) return {};
  let text = value;
  let source = '--input';
  if (value.startsWith('@')) {
    const file = path.resolve(cwd, value.slice(1));
    source = value.slice(1);
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read input file ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, `for example --input '{"date": "2024-01-15"}' or --input @input.json`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${source} must be a JSON object (the workflow's params), not ${Array.isArray(parsed) ? 'a list' : typeof parsed}`);
  }
  return parsed as Record<string, unknown>;
}

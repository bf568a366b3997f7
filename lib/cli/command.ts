import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';
import type { Io } from './terminal.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help text shown by `ork <command> --help`. */
  readonly help: string;
  run(argv: readonly string[], io: Io): Promise<number> | number;
}

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };
/** Named so that declaration files (npm run build) can spell it: node:util does not export its parts. */
export type ParsedCommandArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & HelpOption; allowPositionals: true; strict: true }>
>;

/** node:util parseArgs with our errors: an unknown flag is a usage error naming the command. */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O): ParsedCommandArgs<O> {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error);
    throw new UsageError(`${command}: ${message}`, `see 'ork ${command} --help'`);
  }
}

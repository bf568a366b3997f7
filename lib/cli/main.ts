import { didYouMean } from '../../compiler/index.js';
import { packageVersion } from '../package-root.js';
import { CloudError } from '../cloud/cloud-error.js';
import { RunRecordError } from '../local/run-recorder.js';
import { ExitCode, UsageError } from './cli-error.js';
import { exitCodeOfCloudError } from './cloud-exit-code.js';
import type { Command } from './command.js';
import {
  backfillCommand,
  compileCommand,
  executionsCommand,
  graphCommand,
  initCommand,
  logsCommand,
  redriveCommand,
  runCommand,
  runsCommand,
  schemaCommand,
  showCommand,
  startCommand,
  statusCommand,
  validateCommand,
} from './commands/index.js';
import { processIo, useColor, type Io } from './terminal.js';

const COMMANDS: readonly Command[] = [
  runCommand,
  runsCommand,
  showCommand,
  validateCommand,
  compileCommand,
  graphCommand,
  schemaCommand,
  initCommand,
  startCommand,
  statusCommand,
  executionsCommand,
  logsCommand,
  redriveCommand,
  backfillCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: ork <command> [options]

Ork compiles workflow.yaml and its Python and TypeScript tasks to an AWS Step Functions state machine,
runs it locally, and deploys it with the AWS CDK.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show help (also: ork <command> --help)
  -v, --version  print the version
Exit codes: 0 success, 1 the workflow failed or AWS refused a call, 2 invalid workflow or command line.`;
}

/** Errors of a stream whose reader has gone (`ork runs | head -3`, a closed terminal). */
const READER_GONE = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);
const guarded = new WeakSet<object>();

/**
 * When the reader of stdout or stderr goes away, what is left to print is dropped quietly (as a program killed
 * by SIGPIPE would print nothing more) and the command ends as it would have: without this, Node throws the
 * EPIPE from the stream's 'error' event, a stack trace. Other write errors are said in one line.
 */
function dropOutputWhenReaderGone(io: Io): void {
  for (const stream of [io.stdout, io.stderr]) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (READER_GONE.has(error.code ?? '')) return;
      if (stream !== io.stderr && !io.stderr.destroyed) io.stderr.write(`ork: error: cannot write the output: ${error.code ?? error.message}\n`);
    });
  }
}

/** The ork CLI. Returns the exit code; never throws and never prints a stack trace unless ORK_DEBUG is set. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [first, ...rest] = argv;
  dropOutputWhenReaderGone(io);
  try {
    if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
      const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      io.stdout.write(`${topic ? topic.help : usage()}\n`);
      return ExitCode.ok;
    }
    if (first === '-v' || first === '--version' || first === 'version') {
      io.stdout.write(`ork ${packageVersion()}\n`);
      return ExitCode.ok;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      throw new UsageError(
        first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`,
        didYouMean(
          first,
          COMMANDS.map((c) => c.name),
        ) ?? "see 'ork --help'",
      );
    }
    return await command.run(rest, io);
  } catch (error) {
    const color = useColor(io.stderr, io.env);
    const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[0m` : s);
    if (error instanceof UsageError) {
      io.stderr.write(`ork: ${red('error')}: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
      return ExitCode.invalid;
    }
    // AWS refused or could not be asked (lib/cloud): one line, and an exit code by kind of failure.
    if (error instanceof CloudError) {
      io.stderr.write(`ork: ${red('error')}: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}`);
      return exitCodeOfCloudError(error);
    }
    // A run record that cannot be read (a corrupt run.json, a line of attempts.jsonl that is not JSON).
    if (error instanceof RunRecordError) {
      io.stderr.write(`ork: ${red('error')}: ${error.message}\n`);
      return ExitCode.invalid;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`ork: ${red('internal error')}: ${message}\n  this is a bug in ork; set ORK_DEBUG=1 for details\n`);
    if (io.env.ORK_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return ExitCode.internal;
  }
}

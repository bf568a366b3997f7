import path from 'node:path';
import { formatScheduledTime, missingRequiredParams, SCHEDULED_TIME_PARAM } from '../../../compiler/index.js';
import { PythonRequirementsError, requirementsEnvironment } from '../../local/python-requirements.js';
import { readRunSummary, runsDirectory, succeededOutputs } from '../../local/run-recorder.js';
import { RunStats } from '../../local/run-stats.js';
import { executionInputTooLarge } from '../../local/state-data-limit.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { handlerFailureLine } from '../handler-failure.js';
import { compileWorkflow, locateWorkflow } from '../load-workflow.js';
import { loadLocalSecrets } from '../load-local-secrets.js';
import { parseInput } from '../parse-input.js';
import { RunProgress } from '../progress/run-progress.js';
import { formatSeconds } from '../progress/task-status.js';
import { reportDiagnostics } from '../report-diagnostics.js';
import { useColor } from '../terminal.js';
import { parseBackfillTime, ScheduleError } from '../../schedule/index.js';
import { triggeredInput } from './run-trigger.js';

/** Exit code of a run that was interrupted with Ctrl-C, as shells report SIGINT. */
export const ABORTED_EXIT_CODE = 130;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a workflow on this machine',
  help: `Usage: ork run [WORKFLOW] [--input JSON|@FILE | --event JSON|@FILE [--trigger N]]
               [--scheduled-time TIME] [--json] [--resume RUN_ID] [--secrets FILE]

Compiles the workflow (default: .) and runs the compiled state machine locally with
aws-local-stepfunctions, each Task on a warm Python or Node worker. Every run is recorded under
.ork/runs/<runId>/ (ORK_RUNS_DIR to change it). A requirements.txt beside workflow.yaml is installed
with pip into a virtual environment under the workflow's .ork/venv/ (once, again when it changes),
whose python runs the Python tasks. An input that lacks a required param (a params: default of ~)
is refused.

Options:
  --input JSON|@FILE   the workflow input (params), a JSON object
  --event JSON|@FILE   run as the workflow's triggers: would start it for this EventBridge event
                       (as delivered: source, detail-type, detail; or a PutEvents entry: Source,
                       DetailType, Detail), matched against each trigger's pattern by EventBridge's
                       rules; the matching trigger's params: mapping gives the input (shown on
                       stderr). No trigger matching, or several, is exit 2 with the reason. Not with
                       --input or --resume.
  --trigger N          with --event: use trigger N (from 1, in the order of triggers:), which must
                       match; needed when several match (AWS would start one execution per trigger)
  --scheduled-time T   set params.scheduled_time as a schedule does (ISO 8601 UTC, to the second):
                       T is a date-time with Z or an offset, or a date or local date-time in the
                       schedule's time zone
  --json               print one JSON object with status, outputs and per-task counts on stdout;
                       progress goes to stderr
  --resume RUN_ID      run again what did not succeed in RUN_ID, reusing its recorded outputs, with
                       RUN_ID's input (an --input that differs is refused: start a new run instead)
  --secrets FILE       the values of the tasks' secrets: (a JSON object of names to text or JSON;
                       default: .ork/secrets.json in the workflow directory); ORK_SECRET_<NAME> in the
                       environment wins (NAME: the secret's name, each run of other characters than letters
                       and digits as _, upper-cased: /ork/api-token is ORK_SECRET_ORK_API_TOKEN). A task
                       gets only its own; a secret it reads that has no value fails it (Ork.SecretNotFound)
  --max-workers N      most workers at once, Python and Node each (default 4 per core,
                       8 to 64): a fan-out wider than that runs N instances at once
Exit codes: 0 succeeded, 1 the workflow failed, 2 invalid workflow or command line (or a
requirements.txt that pip cannot install, an input above Step Functions' 256 KiB or lacking a
required param, an event no trigger matches, or a run record that cannot be read), 130 aborted
(Ctrl-C, SIGTERM or SIGHUP).`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('run', argv, {
      input: { type: 'string', short: 'i' },
      event: { type: 'string' },
      trigger: { type: 'string' },
      'scheduled-time': { type: 'string' },
      json: { type: 'boolean' },
      resume: { type: 'string' },
      'max-workers': { type: 'string' },
      secrets: { type: 'string' },
    });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const maxWorkers = values['max-workers'] === undefined ? undefined : Number(values['max-workers']);
    if (maxWorkers !== undefined && (!Number.isInteger(maxWorkers) || maxWorkers < 1)) throw new UsageError('--max-workers must be a positive integer');
    // An event is the whole input, as the deployed rule makes it; a resumed run keeps the input it had.
    if (values.event !== undefined && values.input !== undefined)
      throw new UsageError('--event and --input: give one', "the event gives the input, through the trigger's params: mapping");
    if (values.event !== undefined && values.resume !== undefined)
      throw new UsageError('--event does not go with --resume', 'a resumed run keeps the input of the run it resumes');
    if (values.trigger !== undefined && values.event === undefined) throw new UsageError('--trigger chooses the trigger an --event starts: give --event too');
    const location = locateWorkflow(positionals[0], io.cwd);
    const runsDir = runsDirectory(io.cwd, io.env);
    let input = parseInput(values.input, io.cwd);
    let resume: { runId: string; outputs: Map<string, unknown> } | undefined;
    let recordedInput: unknown;
    if (values.resume) {
      const previous = readRunSummary(runsDir, values.resume);
      if (!previous) throw new UsageError(`no run '${values.resume}' in ${path.relative(io.cwd, runsDir) || runsDir}`, "see 'ork runs'");
      if (path.resolve(previous.workflowDir) !== path.resolve(location.directory)) {
        throw new UsageError(`run '${values.resume}' is of workflow ${previous.workflowDir}, not ${location.directory}`);
      }
      // The recorded outputs were computed from the recorded input: reusing them for another would mix two runs.
      if (values.input !== undefined && canonicalJson(input) !== canonicalJson(previous.input)) {
        throw new UsageError(
          `--input differs from the input of run '${values.resume}' (${abbreviated(previous.input)}): its recorded outputs were computed from that input`,
          `to run with this input start a new run: drop --resume (or drop --input to resume with the recorded one)`,
        );
      }
      input = previous.input as Record<string, unknown>;
      recordedInput = previous.input;
      const warn = (message: string): void => void io.stderr.write(`ork: warning: ${message}\n`);
      resume = { runId: previous.runId, outputs: succeededOutputs(path.join(runsDir, previous.runId), warn) };
    }
    const result = compileWorkflow(location);
    if (reportDiagnostics(result, io) || !result.definition || !result.manifest) return ExitCode.invalid;
    const manifest = result.manifest;

    if (values.event !== undefined) input = triggeredInput(values.event, values.trigger, manifest, io);
    if (values['scheduled-time'] !== undefined) {
      const scheduledTime = scheduledTimeOf(values['scheduled-time'], manifest.schedule?.timezone);
      const given = input[SCHEDULED_TIME_PARAM];
      // Given twice (in --input and here), or differently from the run being resumed: one would silently win.
      if (given !== undefined && given !== scheduledTime && recordedInput === undefined) {
        throw new UsageError(`--scheduled-time ${scheduledTime} and the input's ${SCHEDULED_TIME_PARAM} ${JSON.stringify(given)}: give it once`);
      }
      if (recordedInput !== undefined && given !== scheduledTime) {
        throw new UsageError(
          `--scheduled-time ${scheduledTime} differs from the input of run '${values.resume ?? ''}' (${abbreviated(recordedInput)}): its recorded outputs were computed from that input`,
          'to run with this time start a new run: drop --resume',
        );
      }
      input = { ...input, [SCHEDULED_TIME_PARAM]: scheduledTime };
    }
    // What StartExecution would start, ork start and ork backfill refuse too: an input lacking a required param.
    const missing = missingRequiredParams(manifest.params, input);
    if (missing.length > 0) {
      const names = missing.map((name) => `'${name}'`).join(', ');
      throw new UsageError(
        `the input gives no ${names}, which ${missing.length === 1 ? 'is a required param' : 'are required params'} (params: default ~)`,
        values.event !== undefined
          ? "map it in the trigger's params:"
          : `give it with --input, e.g. --input '${JSON.stringify(Object.fromEntries(missing.map((name) => [name, '…'])))}'`,
      );
    }
    // StartExecution refuses an input above 256 KiB: refused here too, before anything runs.
    const inputTooLarge = executionInputTooLarge(input);
    if (inputTooLarge)
      throw new UsageError(inputTooLarge, 'pass large data by reference: write it to a file (S3 on AWS) and give its path or key in the input');

    // Read now, before anything runs: a --secrets file that is not there, or not a JSON object, is a usage error.
    const secrets = loadLocalSecrets(manifest, {
      workflowDir: location.directory,
      cwd: io.cwd,
      env: io.env,
      ...(values.secrets !== undefined ? { file: values.secrets } : {}),
    });

    // requirements.txt: the python workers run in a virtual environment that has its packages (node tasks do not need one).
    let python: string | undefined;
    if (manifest.tasks.some((t) => t.executor !== 'node')) {
      try {
        python = (
          await requirementsEnvironment({
            workflowDir: location.directory,
            python: io.env.ORK_PYTHON ?? 'python3',
            env: io.env,
            progress: (line) => io.stderr.write(`ork: ${line}\n`),
          })
        )?.python;
      } catch (error) {
        if (error instanceof PythonRequirementsError) throw new UsageError(error.message);
        throw error;
      }
    }

    const progressStream = values.json ? io.stderr : io.stdout;
    const live = progressStream.isTTY === true && !io.env.CI;
    const stats = new RunStats(manifest.tasks.map((t) => t.name));
    const progress = new RunProgress(manifest, stats, { stream: progressStream, color: useColor(progressStream, io.env), live });
    const controller = new AbortController();
    let interrupts = 0;
    const onInterrupt = (): void => {
      interrupts++;
      if (interrupts === 1) {
        progressStream.write('\naborting: stopping running instances (Ctrl-C again to force)\n');
        controller.abort();
      } else {
        process.exit(ABORTED_EXIT_CODE);
      }
    };
    // A closed terminal (SIGHUP) stops the run as Ctrl-C does, so its record says ABORTED rather than RUNNING.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const signal of signals) process.on(signal, onInterrupt);
    progress.start();
    const { runLocally } = await import('../../local/run-workflow.js');
    let run: Awaited<ReturnType<typeof runLocally>> | undefined;
    try {
      run = await runLocally({
        definition: result.definition,
        manifest,
        workflowDir: location.directory,
        input,
        runsDir,
        observers: [stats, progress],
        signal: controller.signal,
        env: io.env,
        ...(python ? { python } : {}),
        ...(resume ? { resume } : {}),
        ...(maxWorkers !== undefined ? { maxWorkers } : {}),
        ...(secrets ? { secrets } : {}),
      });
    } finally {
      progress.stop(run?.status);
      for (const signal of signals) process.off(signal, onInterrupt);
    }

    const recordedAt = path.relative(io.cwd, run.runDir) || run.runDir;
    if (values.json) {
      const tolerated = run.toleratedFailures.length > 0 ? { toleratedFailures: run.toleratedFailures } : {};
      io.stdout.write(
        `${JSON.stringify(
          {
            status: run.status,
            runId: run.runId,
            outputs: run.outputs,
            tasks: run.tasks,
            parentEvents: run.parentEvents,
            ...tolerated,
            ...(run.error ? { error: run.error } : {}),
            ...(run.onFailureError ? { onFailureError: run.onFailureError } : {}),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const color = useColor(io.stdout, io.env);
      const paint = (code: string, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
      const seconds = formatSeconds(progress.elapsed());
      if (run.status === 'SUCCEEDED') io.stdout.write(`${paint('32', 'SUCCEEDED')} ${manifest.workflow} in ${seconds} · run ${run.runId}\n`);
      else io.stdout.write(`${paint('31', run.status)} ${manifest.workflow} after ${seconds} · run ${run.runId}\n`);
      if (run.toleratedFailures.length > 0) {
        const shown = run.toleratedFailures.slice(0, 5);
        io.stdout.write(
          `  ${paint('33', `tolerated ${run.toleratedFailures.length} failed instance${run.toleratedFailures.length === 1 ? '' : 's'}`)} (tolerate_failures):\n`,
        );
        for (const f of shown) io.stdout.write(`    ${f.instance}: ${f.error}: ${f.message.split('\n')[0]}\n`);
        if (run.toleratedFailures.length > shown.length) io.stdout.write(`    … and ${run.toleratedFailures.length - shown.length} more in run.json\n`);
      }
      if (run.error) {
        io.stdout.write(`  ${run.error.message}\n`);
        if (run.error.log) io.stdout.write(`  log: ${path.relative(io.cwd, run.error.log)} (instance ${run.error.instance})\n`);
        if (run.onFailureError) io.stdout.write(`  ${handlerFailureLine(run.onFailureError.error, run.onFailureError.message)}\n`);
        if (run.status === 'FAILED') io.stdout.write(`  resume with: ork run ${positionals[0] ?? '.'} --resume ${run.runId}\n`);
      }
      io.stdout.write(`  recorded in ${recordedAt}\n`);
    }
    return run.status === 'SUCCEEDED' ? ExitCode.ok : run.status === 'ABORTED' ? ABORTED_EXIT_CODE : ExitCode.workflowFailed;
  },
};

/** `--scheduled-time`: as a schedule's time, ISO 8601 UTC to the second; a date or local time in the schedule's zone. */
function scheduledTimeOf(text: string, timezone: string | undefined): string {
  try {
    return formatScheduledTime(parseBackfillTime(text, timezone));
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`--scheduled-time: ${error.message}`, error.hint);
    throw error;
  }
}

/** JSON with object keys sorted: equal for the same data whatever order its keys were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function abbreviated(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

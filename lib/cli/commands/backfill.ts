import path from 'node:path';
import { formatScheduledTime, missingRequiredParams, SCHEDULED_TIME_PARAM, scheduleInput } from '../../../compiler/index.js';
import { PythonRequirementsError, requirementsEnvironment } from '../../local/python-requirements.js';
import { runsDirectory } from '../../local/run-recorder.js';
import { executionInputTooLarge } from '../../local/state-data-limit.js';
import { parseBackfillTime, scheduleTimes, ScheduleError } from '../../schedule/index.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';
import { loadLocalSecrets } from '../load-local-secrets.js';
import { compileWorkflow, locateWorkflow } from '../load-workflow.js';
import { reportDiagnostics } from '../report-diagnostics.js';
import { useColor } from '../terminal.js';
import { backfillOnAws, type BackfillTime } from './backfill-aws.js';
import { backfillLocally } from './backfill-local.js';
import { printSummary, succeeded, type BackfillOutcome, type BackfillPrinter } from './backfill-report.js';
import { ABORTED_EXIT_CODE } from './run.js';

/**
 * The most times one backfill runs: more is an interval or a schedule given by mistake (a minutely rate over
 * a year) that would start that many executions. --dry-run lists no more than a run would start.
 */
export const MAX_BACKFILL_TIMES = 10_000;

/** At most this many executions in flight on AWS unless --concurrency says otherwise. */
const DEFAULT_AWS_CONCURRENCY = 10;

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'run a workflow for each time its schedule fires in an interval',
  help: `Usage: ork backfill [WORKFLOW] --from DATE --to DATE [--dry-run] [--local] [--concurrency N] [--json]

Runs the workflow (default: .) once for every time its schedule fires from --from (inclusive) to --to
(exclusive), in the schedule's time zone, each with the schedule's input (params defaults, then
schedule.input) and that time as params.scheduled_time (ISO 8601 UTC, as EventBridge Scheduler gives it).
On AWS each execution is named backfill-<time> (backfill-20260101T060000Z): a time whose execution exists
already with the same input is that execution and is not started again, so a backfill can be run again.

DATE is a date (2026-01-01: midnight in the schedule's time zone), a date-time with Z or an offset
(2026-01-01T06:00:00Z), or a local date-time in the schedule's time zone (2026-01-01T06:00).

Options:
  --from DATE, --to DATE   the interval [from, to)
  --dry-run                print the times, one per line, and start nothing
  --local                  run on this machine with the local engine, each a recorded run (ork runs)
  --concurrency N          most runs at once (default: 1 with --local, ${DEFAULT_AWS_CONCURRENCY} executions in flight on AWS)
  --state-machine NAME|ARN the deployed state machine (default: the workflow's name, as deployed)
  --secrets FILE           with --local: the values of the tasks' secrets: (default: .ork/secrets.json in
                           the workflow directory; ORK_SECRET_<NAME> in the environment wins)
  --json                   print one JSON object with each time's status and execution ARN or run id
                           on stdout; progress goes to stderr
AWS region, credentials and endpoint come from the environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL);
ORK_POLL_MS sets how often executions are polled (default 2000).
Exit codes: 0 every time succeeded, 1 any failed, 2 invalid workflow or command line (no schedule, a bad
date, --to not after --from, more than ${MAX_BACKFILL_TIMES.toLocaleString('en-US')} times), 130 aborted.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('backfill', argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean' },
      local: { type: 'boolean' },
      concurrency: { type: 'string' },
      'state-machine': { type: 'string' },
      secrets: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    if (positionals.length > 1) throw new UsageError(`backfill: one workflow at a time, not ${positionals.length}`, "see 'ork backfill --help'");
    if (values.from === undefined || values.to === undefined) {
      throw new UsageError(`backfill: --from and --to are required`, 'e.g. ork backfill . --from 2026-01-01 --to 2026-01-08 --dry-run');
    }
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && (!/^\d+$/.test(values.concurrency ?? '') || !Number.isSafeInteger(concurrency) || concurrency < 1)) {
      throw new UsageError(`--concurrency must be a positive integer, not '${values.concurrency}'`);
    }
    if (values.local && values['state-machine'] !== undefined) throw new UsageError('--state-machine names a deployed workflow: it does not go with --local');
    if (!values.local && values.secrets !== undefined)
      throw new UsageError('--secrets gives local values: it goes with --local', 'on AWS each task reads its secrets: from Secrets Manager or SSM');

    const location = locateWorkflow(positionals[0], io.cwd);
    const result = compileWorkflow(location);
    if (reportDiagnostics(result, io) || !result.definition || !result.manifest) return ExitCode.invalid;
    const manifest = result.manifest;
    const schedule = manifest.schedule;
    if (!schedule) {
      throw new UsageError(
        `${location.displayPath}: the workflow has no schedule, so there is nothing to backfill`,
        'give it one: schedule: { expression: "cron(0 6 * * ? *)" }',
      );
    }

    let times: Date[];
    let from: Date;
    let to: Date;
    try {
      from = parseBackfillTime(values.from, schedule.timezone);
      to = parseBackfillTime(values.to, schedule.timezone);
      if (to.getTime() <= from.getTime()) {
        throw new UsageError(`--to (${instant(to)}) must be after --from (${instant(from)})`, '--from is inclusive, --to exclusive');
      }
      times = scheduleTimes(schedule, from, to, { limit: MAX_BACKFILL_TIMES });
    } catch (error) {
      if (error instanceof ScheduleError)
        throw new UsageError(`${error.code === 'InvalidTime' ? '' : `${location.displayPath}: `}${error.message}`, error.hint);
      throw error;
    }
    const scheduledTimes = times.map(formatScheduledTime);
    const about = { workflow: manifest.workflow, from: instant(from), to: instant(to) };

    if (values['dry-run']) {
      if (values.json) io.stdout.write(`${JSON.stringify({ ...about, times: scheduledTimes }, null, 2)}\n`);
      else for (const time of scheduledTimes) io.stdout.write(`${time}\n`);
      return ExitCode.ok;
    }

    // What the deployed schedule would have sent at each time (lib/deploy's WorkflowSchedule builds the same).
    const base = scheduleInput(manifest.params, schedule);
    const inputs: BackfillTime[] = scheduledTimes.map((scheduledTime) => ({ scheduledTime, input: { ...base, [SCHEDULED_TIME_PARAM]: scheduledTime } }));
    const first = inputs[0];
    if (first) {
      const missing = missingRequiredParams(manifest.params, first.input);
      if (missing.length > 0) {
        throw new UsageError(
          `the schedule's input gives no ${missing.map((name) => `'${name}'`).join(', ')}: ` +
            `${missing.length === 1 ? 'a required param' : 'required params'} (default ~) must be given`,
          'set it under schedule: input:',
        );
      }
      const tooLarge = executionInputTooLarge(first.input);
      if (tooLarge) throw new UsageError(tooLarge, 'pass large data by reference: an S3 key in schedule.input');
    }

    const stream = values.json ? io.stderr : io.stdout;
    const printer: BackfillPrinter = { stream, color: useColor(stream, io.env) };
    const interval = `from ${about.from} to ${about.to}`;
    if (inputs.length === 0) {
      stream.write(`backfill ${manifest.workflow}: ${schedule.expression} does not fire ${interval}: nothing to run\n`);
      if (values.json) io.stdout.write(`${JSON.stringify({ ...about, succeeded: 0, failed: 0, times: [] }, null, 2)}\n`);
      return ExitCode.ok;
    }
    const count = `${inputs.length} time${inputs.length === 1 ? '' : 's'}`;

    let outcomes: BackfillOutcome[];
    let aborted = false;
    let target: Record<string, unknown>;
    if (values.local) {
      const local = concurrency ?? 1;
      const secrets = loadLocalSecrets(manifest, {
        workflowDir: location.directory,
        cwd: io.cwd,
        env: io.env,
        ...(values.secrets !== undefined ? { file: values.secrets } : {}),
      });
      const python = await pythonForTasks(manifest.tasks, location.directory, io.env, (line) => io.stderr.write(`ork: ${line}\n`));
      stream.write(`backfill ${manifest.workflow}: ${count} ${interval}, on this machine, ${local === 1 ? 'one at a time' : `at most ${local} at once`}\n`);
      const controller = new AbortController();
      let interrupts = 0;
      const onInterrupt = (): void => {
        interrupts++;
        if (interrupts > 1) process.exit(ABORTED_EXIT_CODE);
        stream.write('\naborting: stopping the runs in flight, starting no more (Ctrl-C again to force)\n');
        aborted = true;
        controller.abort();
      };
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      for (const signal of signals) process.on(signal, onInterrupt);
      const runsDir = runsDirectory(io.cwd, io.env);
      try {
        outcomes = await backfillLocally({
          definition: result.definition,
          manifest,
          workflowDir: location.directory,
          workflowArg: positionals[0] ?? '.',
          runsDir,
          times: inputs,
          concurrency: local,
          env: io.env,
          signal: controller.signal,
          printer,
          ...(python ? { python } : {}),
          ...(secrets ? { secrets } : {}),
        });
      } finally {
        for (const signal of signals) process.off(signal, onInterrupt);
      }
      target = { target: 'local', runsDir: path.relative(io.cwd, runsDir) || runsDir };
    } else {
      const inFlight = concurrency ?? DEFAULT_AWS_CONCURRENCY;
      // The AWS SDK loads only for cloud commands, so local ones start fast.
      const { StepFunctions } = await import('../../cloud/step-functions.js');
      const sfn = new StepFunctions();
      const stateMachineArn = await sfn.resolveStateMachine(values['state-machine'] ?? manifest.workflow);
      stream.write(`backfill ${manifest.workflow}: ${count} ${interval}, on ${stateMachineArn}, at most ${inFlight} in flight\n`);
      outcomes = await backfillOnAws({ sfn, stateMachineArn, times: inputs, concurrency: inFlight, pollMs: Number(io.env.ORK_POLL_MS ?? 2000), printer });
      target = { target: 'aws', stateMachineArn };
    }

    printSummary(printer, outcomes, !values.local && outcomes.some((o) => o.next?.startsWith('ork redrive')));
    if (values.json) {
      const failed = outcomes.filter((o) => !succeeded(o)).length;
      io.stdout.write(
        `${JSON.stringify(
          {
            ...about,
            ...target,
            succeeded: outcomes.length - failed,
            failed,
            times: outcomes,
          },
          null,
          2,
        )}\n`,
      );
    }
    if (aborted) return ABORTED_EXIT_CODE;
    return outcomes.every(succeeded) ? ExitCode.ok : ExitCode.workflowFailed;
  },
};

/** The python of the workflow's requirements.txt environment, as `ork run` makes it; none for node-only workflows. */
async function pythonForTasks(
  tasks: readonly { readonly executor: string }[],
  workflowDir: string,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<string | undefined> {
  if (!tasks.some((t) => t.executor !== 'node')) return undefined;
  try {
    return (await requirementsEnvironment({ workflowDir, python: env.ORK_PYTHON ?? 'python3', env, progress }))?.python;
  } catch (error) {
    if (error instanceof PythonRequirementsError) throw new UsageError(error.message);
    throw error;
  }
}

/** An instant as the times are written (2026-01-01T06:00:00Z), with milliseconds only when it has some. */
function instant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

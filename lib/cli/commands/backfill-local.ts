import type { StateMachineDefinition, TaskManifest } from '../../../compiler/index.js';
import type { LocalSecrets } from '../../local/local-secrets.js';
import type { RunError } from '../../local/run-recorder.js';
import { runBounded } from '../run-bounded.js';
import type { BackfillTime } from './backfill-aws.js';
import { endLine, firstLine, progressLine, type BackfillOutcome, type BackfillPrinter } from './backfill-report.js';

export interface LocalBackfillOptions {
  readonly definition: StateMachineDefinition;
  readonly manifest: TaskManifest;
  readonly workflowDir: string;
  /** As given on the command line: the `--resume` line names it. */
  readonly workflowArg: string;
  readonly runsDir: string;
  readonly times: readonly BackfillTime[];
  readonly concurrency: number;
  readonly env: NodeJS.ProcessEnv;
  readonly python?: string;
  /** The values of the tasks' secrets: (ork backfill --secrets, or the workflow's defaults), read once for every run. */
  readonly secrets?: LocalSecrets;
  /** Ctrl-C: runs in flight stop (ABORTED), those not begun are NOT_STARTED. */
  readonly signal: AbortSignal;
  readonly printer: BackfillPrinter;
}

/** Runs each time with the local engine, `concurrency` at once: each a run recorded as `ork run` records it. */
export async function backfillLocally(options: LocalBackfillOptions): Promise<BackfillOutcome[]> {
  const { runLocally } = await import('../../local/run-workflow.js');
  const { printer } = options;
  return runBounded(options.times, options.concurrency, async ({ scheduledTime, input }) => {
    if (options.signal.aborted) {
      const outcome: BackfillOutcome = { scheduledTime, status: 'NOT_STARTED', error: { error: 'Aborted', message: 'interrupted before it began' } };
      endLine(printer, outcome);
      return outcome;
    }
    progressLine(printer, 'started', scheduledTime, '');
    const began = performance.now();
    const run = await runLocally({
      definition: options.definition,
      manifest: options.manifest,
      workflowDir: options.workflowDir,
      input,
      runsDir: options.runsDir,
      signal: options.signal,
      env: options.env,
      ...(options.python ? { python: options.python } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    const outcome: BackfillOutcome = {
      scheduledTime,
      status: run.status,
      runId: run.runId,
      milliseconds: Math.round(performance.now() - began),
      ...(run.error ? { error: errorOf(run.error) } : {}),
      ...(run.status === 'FAILED' ? { next: `ork run ${options.workflowArg} --resume ${run.runId}` } : {}),
    };
    endLine(printer, outcome);
    return outcome;
  });
}

/** The failed instance's own error and message when there is one (as on AWS: the error name and the Lambda's errorMessage), else the run's. */
function errorOf(error: RunError): { error: string; message?: string } {
  const { error: name, message } = error.cause ?? error;
  return { error: name, ...(message ? { message: firstLine(message)! } : {}) };
}

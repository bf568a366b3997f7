import { CloudError } from './cloud-error.js';
import type { StepFunctions } from './step-functions.js';

/** The calls an idempotent start makes: a StepFunctions, or a fake of it in tests. */
export type NamedStarter = Pick<StepFunctions, 'start' | 'describe'>;

/** What starting an execution under a fixed name came to. */
export type NamedStart =
  /** StartExecution accepted it (AWS also answers so for an open execution of that name and input). */
  | { readonly outcome: 'started'; readonly executionArn: string }
  /** An execution of that name and the same input exists: it is this start's, in the status it has. */
  | { readonly outcome: 'existing'; readonly executionArn: string; readonly status: string }
  /** An execution of that name exists with another input: nothing was started. */
  | { readonly outcome: 'conflict'; readonly executionArn: string; readonly existingInput: unknown };

/**
 * Starts `name` on the state machine once, whatever happened before. AWS (StartExecution, API reference:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html) answers a second
 * start of a name with success only while the first is open and has the identical input; a closed one, or
 * another input, is ExecutionAlreadyExists (moto answers that even while it is open). So on that error the
 * existing execution is read back (DescribeExecution on the ARN the name gives) and compared: the same
 * input makes it this start's execution, another input is a conflict the caller reports.
 */
export async function startNamedExecution(sfn: NamedStarter, stateMachineArn: string, name: string, input: unknown): Promise<NamedStart> {
  try {
    const { executionArn } = await sfn.start(stateMachineArn, input, name);
    return { outcome: 'started', executionArn };
  } catch (error) {
    if (!(error instanceof CloudError) || error.code !== 'AlreadyExists') throw error;
  }
  const executionArn = executionArnOf(stateMachineArn, name);
  const existing = await sfn.describe(executionArn);
  const existingInput = parsedInput(existing.input);
  if (canonicalJson(existingInput) !== canonicalJson(input)) return { outcome: 'conflict', executionArn, existingInput };
  return { outcome: 'existing', executionArn, status: existing.status ?? 'UNKNOWN' };
}

/** The ARN of a Standard execution `name` of a state machine (`…:stateMachine:<machine>` → `…:execution:<machine>:<name>`). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts[5] !== 'stateMachine' || parts.length !== 7) throw new CloudError('InvalidArn', `'${stateMachineArn}' is not a state machine ARN`);
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}

/** An execution's input as data; what is not JSON stays the text, which no input of ours equals. */
function parsedInput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** JSON with object keys sorted: the same input reads equal whichever order AWS hands its keys back in. */
function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'undefined'
  );
}

import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';

export interface ReadHistoryOptions {
  /** Attempts of one page before giving up. @default 5 */
  readonly attempts?: number;
  /** @default 200 */
  readonly delayMs?: number;
  /** What to add to the error when moto keeps failing: its recent output, where its traceback is. */
  readonly diagnostics?: () => string;
}

/**
 * Every event of an execution, page by page. moto's parser keeps each history event's details by reference
 * and deep-copies the list to answer; a branch thread of a Parallel or Map that is still winding down after
 * the execution ended can change a detail meanwhile, and moto answers that one request with an HTML 500 page
 * (seen once under full-suite load). The history is complete by then, so asking again is enough.
 */
export async function readExecutionHistory(sfn: Pick<SFNClient, 'send'>, executionArn: string, options: ReadHistoryOptions = {}): Promise<HistoryEvent[]> {
  const attempts = options.attempts ?? 5;
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    for (let attempt = 1; ; attempt++) {
      try {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
        break;
      } catch (error) {
        if (!isServerFault(error) || attempt >= attempts) {
          const detail = options.diagnostics ? `; moto_server's last output:\n${options.diagnostics().slice(-6000)}` : '';
          throw new Error(`GetExecutionHistory ${executionArn} failed after ${attempt} attempt(s)${detail}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 200));
      }
    }
  } while (nextToken);
  return events;
}

/** A 5xx answer, or a body the SDK could not parse (moto's HTML error page). */
function isServerFault(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return error instanceof SyntaxError || /Deserialization error|Internal Server Error/i.test(String((error as Error).message));
}

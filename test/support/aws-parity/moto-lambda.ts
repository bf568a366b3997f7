import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand, type Runtime } from '@aws-sdk/client-lambda';
import type { CompletedInvocation, LambdaFunctionConfig } from './lambda-functions.js';

/**
 * What the rest of AWS sees of the harness's functions, kept in moto: each function exists in moto's
 * Lambda (so GetFunctionConfiguration answers, as `ork logs` needs to find the log group), and each
 * invocation's log lines land in moto's CloudWatch Logs, group `/aws/lambda/<function>`, one stream per
 * execution environment, framed by START / END / REPORT lines as Lambda writes them.
 *
 * moto's own Lambda never runs these functions: the proxy answers their Invoke before moto sees it.
 */

/** The runtime recorded for a python function (moto only records it); a node function's is given. */
const PYTHON_RUNTIME: Runtime = 'python3.12';

/**
 * The code of every function in moto: an empty zip archive (just the end-of-central-directory record).
 * moto hashes the code and never unpacks or runs it; the real code runs in the harness's environments.
 */
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/** PutLogEvents takes at most 10,000 events and 1 MiB (each event counting 26 bytes more) per call. */
const MAX_BATCH_EVENTS = 5_000;
const MAX_BATCH_BYTES = 900_000;

export interface LogEventRecord {
  readonly timestamp: number;
  readonly message: string;
  readonly logStream: string;
}

export function logGroupOfFunction(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** moto routes a query-protocol request to a service by the credential scope of its Authorization header. */
function queryHeaders(service: string, region: string, accessKeyId: string): Record<string, string> {
  return {
    'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
}

/**
 * The execution role of the functions (and state machines): moto's CreateFunction insists that the role
 * exists in its IAM ("The role defined for the function cannot be assumed by Lambda"). IAM over the query
 * protocol, as the SDK has no IAM client among this project's dependencies.
 */
export async function createRole(motoUrl: string, roleName: string, region: string, accessKeyId: string): Promise<void> {
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'states.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
  };
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) });
  const response = await fetch(`${motoUrl}/`, { method: 'POST', headers: queryHeaders('iam', region, accessKeyId), body: body.toString() });
  const text = await response.text();
  if (!response.ok && !text.includes('EntityAlreadyExists')) throw new Error(`IAM CreateRole ${roleName} in moto answered ${response.status}: ${text}`);
}

export interface MotoLambdaOptions {
  readonly motoUrl: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly roleArn: string;
}

export class MotoLambda {
  private readonly lambda: LambdaClient;
  private readonly logs: CloudWatchLogsClient;
  /** Per log stream (`group\0stream`), the end of its queue of PutLogEvents calls, so they stay in order. */
  private readonly streams = new Map<string, Promise<void>>();

  constructor(private readonly options: MotoLambdaOptions) {
    // moto directly, not through the proxy, and without retries: its answers are seen as they are.
    const client = { endpoint: options.motoUrl, region: options.region, credentials: options.credentials, maxAttempts: 1 };
    this.lambda = new LambdaClient(client);
    this.logs = new CloudWatchLogsClient(client);
  }

  /**
   * Creates the function in moto's Lambda, or updates its configuration when it exists (a redeploy), and
   * its log group, which the deploy construct creates beside each function (lib/deploy/ork-workflow.ts).
   */
  async register(config: LambdaFunctionConfig, runtime: Runtime = PYTHON_RUNTIME): Promise<void> {
    const settings = {
      FunctionName: config.name,
      Role: this.options.roleArn,
      Handler: config.handler,
      Runtime: runtime,
      Timeout: config.timeoutSeconds,
      MemorySize: config.memoryMb,
      Environment: { Variables: { ...config.environment } },
    } as const;
    try {
      await this.lambda.send(new CreateFunctionCommand({ ...settings, Code: { ZipFile: EMPTY_ZIP } }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceConflictException')
        throw new Error(`CreateFunction ${config.name} in moto failed: ${(error as Error).message}`, { cause: error });
      await this.lambda.send(new UpdateFunctionConfigurationCommand(settings));
    }
    try {
      await this.logs.send(new CreateLogGroupCommand({ logGroupName: logGroupOfFunction(config.name) }));
    } catch (error) {
      if ((error as Error).name !== 'ResourceAlreadyExistsException') throw error;
    }
  }

  /** Puts an invocation's log lines into its environment's log stream (created with the first of them). */
  ship(invocation: CompletedInvocation): Promise<void> {
    const logGroupName = logGroupOfFunction(invocation.config.name);
    const logStreamName = invocation.logStream;
    const key = `${logGroupName}\u0000${logStreamName}`;
    const previous = this.streams.get(key) ?? this.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName })).then(() => undefined);
    const events = logEventsOf(invocation);
    const next = previous.then(async () => {
      for (const batch of batches(events)) await this.logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: batch }));
    });
    // The queue goes on after a failure; the failure itself is the caller's (it fails the invocation).
    this.streams.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Every event of a function's log group, in time order (moto ignores JSON filter patterns anyway). */
  async events(functionName: string): Promise<LogEventRecord[]> {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.logs.send(new FilterLogEventsCommand({ logGroupName: logGroupOfFunction(functionName), ...(nextToken ? { nextToken } : {}) }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events
      .map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? '', logStream: e.logStreamName ?? '' }))
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  destroy(): void {
    this.lambda.destroy();
    this.logs.destroy();
  }
}

/**
 * The CloudWatch events of one invocation, as Lambda writes them: `START`, each line the invocation wrote
 * to stdout or stderr (a structured line at the time it carries, else at the time of the line before),
 * `END` and `REPORT`. Timestamps never go backwards: PutLogEvents wants them in order.
 */
export function logEventsOf({ config, record, result }: CompletedInvocation): { timestamp: number; message: string }[] {
  const requestId = record.requestId;
  let time = record.startedAt;
  const events = [{ timestamp: time, message: `START RequestId: ${requestId} Version: $LATEST` }];
  for (const line of result.logs.split('\n')) {
    if (line.trim() === '') continue;
    let written: number | undefined;
    try {
      const parsed = JSON.parse(line) as { timestamp?: unknown };
      if (typeof parsed?.timestamp === 'number' && Number.isFinite(parsed.timestamp)) written = Math.round(parsed.timestamp * 1000);
    } catch {
      // plain text (print, a traceback): no time of its own
    }
    time = Math.max(time, written ?? time);
    events.push({ timestamp: time, message: line });
  }
  const ended = Math.max(time, record.endedAt ?? Date.now());
  const duration = ended - record.startedAt;
  events.push({ timestamp: ended, message: `END RequestId: ${requestId}` });
  events.push({
    timestamp: ended,
    message:
      `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ` +
      `${Math.max(1, Math.ceil(duration))} ms\tMemory Size: ${config.memoryMb} MB\tMax Memory ` +
      `Used: 0 MB`,
  });
  return events;
}

function* batches<T extends { message: string }>(events: readonly T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(event.message) + 26;
    if (batch.length > 0 && (batch.length >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { aws } from './aws-error.js';
import { quietSdkNodeVersionWarning } from './sdk-environment.js';
import type { DeployedTask } from './workflow-shape.js';

export interface TaskLogLine {
  readonly task: string;
  readonly timestamp: number;
  readonly instance?: string;
  readonly level?: string;
  readonly message: string;
  readonly record?: Record<string, unknown>;
}

/** The log group of a task's function (its LoggingConfig, else Lambda's default /aws/lambda/<name>). */
export async function logGroupOf(lambda: LambdaClient, task: DeployedTask): Promise<string | undefined> {
  if (!task.functionArn) return undefined;
  const config = await aws(`read function of task '${task.name}'`, () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: task.functionArn })));
  return config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName ?? task.functionArn.split(':').pop()}`;
}

/**
 * Log lines of one execution from the task runners' CloudWatch logs. The SDK writes the execution id on
 * every line, so a JSON filter pattern selects exactly this execution's lines on the server side.
 */
export async function fetchTaskLogs(
  logs: CloudWatchLogsClient,
  groups: ReadonlyMap<string, string>,
  executionArn: string,
  startTime: number,
): Promise<TaskLogLine[]> {
  const lines: TaskLogLine[] = [];
  for (const [task, logGroupName] of groups) {
    let nextToken: string | undefined;
    do {
      const page = await aws(`read logs of task '${task}'`, () =>
        logs.send(new FilterLogEventsCommand({ logGroupName, filterPattern: `{ $.execution_id = "${executionArn}" }`, startTime, nextToken })),
      );
      for (const event of page.events ?? []) {
        let record: Record<string, unknown> | undefined;
        try {
          record = JSON.parse(event.message ?? '') as Record<string, unknown>;
        } catch {
          record = undefined;
        }
        // APIs that ignore JSON filter patterns (moto, some emulators) return every line: filter here too.
        if (record?.execution_id !== executionArn) continue;
        lines.push({
          task,
          timestamp: event.timestamp ?? 0,
          message: String(record?.message ?? event.message ?? ''),
          ...(record?.instance !== undefined ? { instance: String(record.instance) } : {}),
          ...(record?.level !== undefined ? { level: String(record.level) } : {}),
          ...(record ? { record } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return lines.sort((a, b) => a.timestamp - b.timestamp);
}

export function clients(): { logs: CloudWatchLogsClient; lambda: LambdaClient } {
  quietSdkNodeVersionWarning();
  return { logs: new CloudWatchLogsClient({}), lambda: new LambdaClient({}) };
}

import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { closestMatch, type StateMachineDefinition } from '../../compiler/index.js';
import { aws } from './aws-error.js';
import { CloudError } from './cloud-error.js';
import { quietSdkNodeVersionWarning } from './sdk-environment.js';
import type { MapRunCounts } from './execution-view.js';
import { readWorkflowShape, type DeployedWorkflow } from './workflow-shape.js';

/**
 * Step Functions as the CLI uses it. Region, credentials and endpoint come from the standard AWS
 * environment and config (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL…), so the same commands work against
 * any Step Functions-compatible API.
 */
export class StepFunctions {
  readonly client: SFNClient;

  constructor(client?: SFNClient) {
    quietSdkNodeVersionWarning();
    this.client = client ?? new SFNClient({});
  }

  /** A state machine ARN from an ARN or a name (the workflow's name, as deployed). */
  async resolveStateMachine(nameOrArn: string): Promise<string> {
    if (nameOrArn.startsWith('arn:')) return nameOrArn;
    let nextToken: string | undefined;
    const names: string[] = [];
    do {
      const page = await aws('list state machines', () => this.client.send(new ListStateMachinesCommand({ nextToken })));
      for (const machine of page.stateMachines ?? []) {
        if (machine.name === nameOrArn && machine.stateMachineArn) return machine.stateMachineArn;
        if (machine.name) names.push(machine.name);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    // A typo (edit distance, as the compiler suggests names) first, then names that contain what was typed.
    const typo = closestMatch(nameOrArn, names);
    const close = [...(typo ? [typo] : []), ...names.filter((n) => n !== typo && n.toLowerCase().includes(nameOrArn.toLowerCase()))].slice(0, 5);
    throw new CloudError('NotFound', `no state machine named '${nameOrArn}'`, {
      hint: close.length > 0 ? `did you mean ${close.map((n) => `'${n}'`).join(', ')}?` : 'deploy it with cdk deploy, or pass its ARN',
    });
  }

  async start(stateMachineArn: string, input: unknown, name?: string): Promise<{ executionArn: string; startDate?: Date }> {
    const result = await aws('start execution', () =>
      this.client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) })),
    );
    return { executionArn: result.executionArn ?? '', ...(result.startDate ? { startDate: result.startDate } : {}) };
  }

  describe(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    return aws('describe execution', () => this.client.send(new DescribeExecutionCommand({ executionArn })));
  }

  /** A Distributed Map run's item counts (its children's events are not in the parent's history). */
  async mapRunCounts(mapRunArn: string): Promise<MapRunCounts> {
    const run = await aws('describe map run', () => this.client.send(new DescribeMapRunCommand({ mapRunArn })));
    const items = run.itemCounts;
    return {
      total: items?.total ?? 0,
      pending: items?.pending ?? 0,
      running: items?.running ?? 0,
      succeeded: items?.succeeded ?? 0,
      failed: (items?.failed ?? 0) + (items?.timedOut ?? 0) + (items?.aborted ?? 0),
    };
  }

  /** Every event of an execution (GetExecutionHistory is paginated at 1,000 events). */
  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await aws('get execution history', () => this.client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 })));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /** The deployed workflow's tasks, from its definition. */
  async workflowShape(stateMachineArn: string): Promise<DeployedWorkflow> {
    const machine = await aws('describe state machine', () => this.client.send(new DescribeStateMachineCommand({ stateMachineArn })));
    let definition: StateMachineDefinition;
    try {
      definition = JSON.parse(machine.definition ?? '{}') as StateMachineDefinition;
    } catch (error) {
      throw new CloudError('InvalidDefinition', `state machine ${stateMachineArn} has a definition that is not JSON`, { cause: error });
    }
    return readWorkflowShape(definition, machine.name ?? stateMachineArn.split(':').pop() ?? '');
  }

  async executions(stateMachineArn: string, limit: number): Promise<ExecutionListItem[]> {
    const items: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await aws('list executions', () =>
        this.client.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: Math.min(100, limit) })),
      );
      items.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    } while (nextToken && items.length < limit);
    return items.slice(0, limit);
  }

  async redrive(executionArn: string): Promise<Date | undefined> {
    const result = await aws('redrive execution', () => this.client.send(new RedriveExecutionCommand({ executionArn })));
    return result.redriveDate;
  }
}

/** The state machine ARN of an execution ARN (`…:execution:<machine>:<name>`). */
export function stateMachineOfExecution(executionArn: string): string {
  const parts = executionArn.split(':');
  if (parts[5] !== 'execution' || parts.length < 8) throw new CloudError('InvalidArn', `'${executionArn}' is not an execution ARN`);
  return [...parts.slice(0, 5), 'stateMachine', parts[6]].join(':');
}

import { DEFAULT_HEARTBEAT_SECONDS, type TaskSpec } from '../model/index.js';
import { Environment, PAYLOAD_VERSION } from '../../lambdas/contract/contract.js';
import type { PayloadKey } from '../../lambdas/contract/payload-schema.js';
import type { Catcher, JsonValue, PassState, PayloadTemplate, TaskState } from './asl-types.js';
import { chain, single, type Fragment } from './fragment.js';
import { StatePaths } from './payload.js';
import { Placeholders, ref } from './placeholders.js';
import { retriersFor } from './retry-policy.js';

/** Where an instance's own fields come from: constants for a single instance, the Map item otherwise. */
export interface InstanceSource {
  readonly parallelIndex?: string | number;
  readonly parallelCount: string | number;
  readonly item?: string;
  readonly itemIndex?: string;
  /** Path of the params and upstream outputs (`$` of the whole state, or `$.inputs` inside a Map). */
  readonly params: string;
  readonly inputs: PayloadTemplate | string;
  /** A batch of instances (Distributed Map's ItemBatcher): the path of their per-instance fields. */
  readonly batch?: string;
  /**
   * Path of the execution id. In a Distributed Map's child `$$.Execution.Id` is the child's own, so the
   * parent's is handed down: logs and stored outputs stay under the execution the user started.
   * @default '$$.Execution.Id'
   */
  readonly executionId?: string;
  /** Path of the failure the `on_failure:` handler is told about. */
  readonly failure?: string;
}

/** Payload fields beyond the instance's own (docs/scale.md). */
export interface InstanceOptions {
  /** Name of the Task state (a task can run in several Map kinds, one Task state each). */
  readonly stateName: string;
  /** Outputs above this many bytes travel as references, so that a list of them fits in one state. */
  readonly outputSpillBytes?: number;
  /** Output fields that feed a distributed `foreach:`, and the list length above which they are stored. */
  readonly fanOutFields?: readonly { readonly path: readonly string[]; readonly above: number }[];
  /** Overrides the task's per-attempt timeout (a batch runs several instances in one attempt). */
  readonly timeoutSeconds?: number;
  readonly catchAll?: Catcher;
  /** Where the output goes; null discards it. */
  readonly resultPath?: string | null;
  /** Output fields a downstream `when:` reads: kept beside the reference when the output is stored. */
  readonly conditionFields?: readonly (readonly string[])[];
}

/**
 * Sets a payload field: a constant, or the value at a path when the state runs (`key.$`). Keys are typed by
 * the contract's payload schema (lambdas/contract/payload-schema.ts), so the machine cannot write a field
 * the runtimes do not read.
 */
function constant(template: PayloadTemplate, key: PayloadKey, value: JsonValue): void {
  template[key] = value;
}

function fromPath(template: PayloadTemplate, key: PayloadKey, path: string): void {
  template[`${key}.$`] = path;
}

/** A path (a string) or a constant (a number). */
function field(template: PayloadTemplate, key: PayloadKey, value: string | number): void {
  if (typeof value === 'string') fromPath(template, key, value);
  else constant(template, key, value);
}

/** The payload of one instance (docs/payload.md). Fields in this order: the golden ASL holds them so. */
function payloadTemplate(task: TaskSpec, workflow: string, source: InstanceSource, options: InstanceOptions): PayloadTemplate {
  const payload: PayloadTemplate = {};
  constant(payload, 'ork', PAYLOAD_VERSION);
  constant(payload, 'workflow', workflow);
  constant(payload, 'task', task.name);
  fromPath(payload, 'execution_id', source.executionId ?? '$$.Execution.Id');
  // A container's payload is built by a Pass state, which has no retry count; the ECS state passes
  // the attempt in its environment instead (Environment.attempt).
  if (task.executor === 'container') constant(payload, 'attempt', 0);
  else fromPath(payload, 'attempt', '$$.State.RetryCount');
  fromPath(payload, 'params', source.params);
  if (typeof source.inputs === 'string') fromPath(payload, 'inputs', source.inputs);
  else constant(payload, 'inputs', source.inputs);
  if (source.parallelIndex !== undefined) field(payload, 'parallel_index', source.parallelIndex);
  field(payload, 'parallel_count', source.parallelCount);
  if (source.item !== undefined) fromPath(payload, 'item', source.item);
  if (source.itemIndex !== undefined) fromPath(payload, 'item_index', source.itemIndex);
  if (source.batch !== undefined) fromPath(payload, 'batch', source.batch);
  if (options.outputSpillBytes !== undefined) constant(payload, 'output_spill_bytes', options.outputSpillBytes);
  if (source.failure !== undefined) fromPath(payload, 'failure', source.failure);
  if (options.conditionFields && options.conditionFields.length > 0) {
    constant(
      payload,
      'condition_fields',
      options.conditionFields.map((path) => [...path]),
    );
  }
  if (options.fanOutFields && options.fanOutFields.length > 0) {
    constant(
      payload,
      'fan_out_fields',
      options.fanOutFields.map((f) => ({ path: [...f.path], above: f.above })),
    );
  }
  return payload;
}

/** The state(s) that run one instance: a Lambda invoke, or for containers a payload Pass and an ECS RunTask. */
export function runInstance(
  task: TaskSpec,
  workflow: string,
  source: InstanceSource,
  options: InstanceOptions,
  helperName: (suffix: string) => string,
): Fragment {
  const payload = payloadTemplate(task, workflow, source, options);
  const timeout = options.timeoutSeconds ?? task.timeoutSeconds;
  const common = {
    Retry: retriersFor(task),
    ...(options.catchAll ? { Catch: [options.catchAll] } : {}),
    ...(timeout !== undefined ? { TimeoutSeconds: timeout } : {}),
    ...(options.resultPath !== undefined ? { ResultPath: options.resultPath } : {}),
  };
  const name = options.stateName;
  if (task.executor !== 'container') {
    const state: TaskState = {
      Type: 'Task',
      Comment: `Run task ${task.name}`,
      Resource: ref(Placeholders.function(task.name)),
      Parameters: payload,
      ...common,
    };
    return single(name, state);
  }
  // ECS passes data to a container only through overrides, so the payload is built first and sent as one
  // JSON string; the container answers through the task token.
  const prepare: PassState = { Type: 'Pass', Comment: `Payload of ${task.name}`, Parameters: { payload }, ResultPath: StatePaths.scratch };
  const run: TaskState = {
    Type: 'Task',
    Comment: `Run task ${task.name} on ECS Fargate`,
    Resource: 'arn:aws:states:::ecs:runTask.waitForTaskToken',
    Parameters: {
      LaunchType: 'FARGATE',
      Cluster: ref(Placeholders.cluster),
      TaskDefinition: ref(Placeholders.taskDefinition(task.name)),
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          'Subnets.$': `States.StringSplit('${ref(Placeholders.subnets)}', ',')`,
          'SecurityGroups.$': `States.StringSplit('${ref(Placeholders.securityGroups)}', ',')`,
          AssignPublicIp: ref(Placeholders.assignPublicIp),
        },
      },
      Overrides: {
        ContainerOverrides: [
          {
            Name: ref(Placeholders.containerName(task.name)),
            Environment: [
              { Name: Environment.taskToken, 'Value.$': '$$.Task.Token' },
              { Name: Environment.payload, 'Value.$': `States.JsonToString(${StatePaths.scratch}.payload)` },
              // Only this state is retried, so the payload built before it always says attempt 0.
              { Name: Environment.attempt, 'Value.$': "States.Format('{}', $$.State.RetryCount)" },
            ],
          },
        ],
      },
    },
    HeartbeatSeconds: task.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
    ...common,
  };
  return chain([single(helperName('payload'), prepare), single(name, run)]);
}

import type { CountSource, FieldReference, TaskSpec } from '../model/index.js';
import { MAX_STATIC_FAN_OUT } from '../validate/index.js';
import type { ChoiceRule, FailState, MapState, PassState, PayloadTemplate, State, TaskState } from './asl-types.js';
import { chain, single, type Fragment } from './fragment.js';
import { fieldPath, PAYLOAD_VERSION, resultPath, StatePaths } from './payload.js';
import { Placeholders, ref } from './placeholders.js';
import { retriersFor } from './retry-policy.js';
import type { StateNames } from './state-names.js';

export interface TaskEmitContext {
  readonly workflow: string;
  readonly names: StateNames;
  /** Direct upstream tasks, whose outputs the task receives. */
  readonly upstream: readonly string[];
}

/** Where an instance's own fields come from: constants for a single instance, the Map item otherwise. */
interface InstanceSource {
  readonly parallelIndex: string | number;
  readonly parallelCount: string | number;
  readonly item?: string;
  readonly itemIndex?: string;
  /** Path of the params and upstream outputs (`$` of the whole state, or `$.inputs` inside a Map). */
  readonly params: string;
  readonly inputs: PayloadTemplate | string;
}

function field(template: PayloadTemplate, key: string, value: string | number): void {
  if (typeof value === 'string') template[`${key}.$`] = value;
  else template[key] = value;
}

/** `{ "discover.$": "$.results.discover", … }`: upstream outputs read from the state. */
function upstreamInputs(upstream: readonly string[]): PayloadTemplate {
  const inputs: PayloadTemplate = {};
  for (const task of upstream) inputs[`${task}.$`] = resultPath(task);
  return inputs;
}

/** The payload of one instance (docs/payload.md). */
function payloadTemplate(task: TaskSpec, context: TaskEmitContext, source: InstanceSource): PayloadTemplate {
  const payload: PayloadTemplate = {
    ork: PAYLOAD_VERSION,
    workflow: context.workflow,
    task: task.name,
    'execution_id.$': '$$.Execution.Id',
    // A container's payload is built by a Pass state, which has no retry count; the ECS state passes
    // ORK_ATTEMPT instead.
    ...(task.executor === 'container' ? { attempt: 0 } : { 'attempt.$': '$$.State.RetryCount' }),
    'params.$': source.params,
  };
  if (typeof source.inputs === 'string') payload['inputs.$'] = source.inputs;
  else payload.inputs = source.inputs;
  field(payload, 'parallel_index', source.parallelIndex);
  field(payload, 'parallel_count', source.parallelCount);
  if (source.item !== undefined) payload['item.$'] = source.item;
  if (source.itemIndex !== undefined) payload['item_index.$'] = source.itemIndex;
  return payload;
}

/** The state(s) that run one instance: a Lambda invoke, or for containers a payload Pass and an ECS RunTask. */
function runInstance(task: TaskSpec, context: TaskEmitContext, source: InstanceSource, resultAt: string | undefined): Fragment {
  const payload = payloadTemplate(task, context, source);
  const common = {
    Retry: retriersFor(task),
    ...(task.timeoutSeconds !== undefined ? { TimeoutSeconds: task.timeoutSeconds } : {}),
    ...(resultAt !== undefined ? { ResultPath: resultAt } : {}),
  };
  const name = context.names.task(task.name);
  if (task.executor !== 'container') {
    const state: TaskState = { Type: 'Task', Comment: `Run task ${task.name}`, Resource: ref(Placeholders.function(task.name)), Parameters: payload, ...common };
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
              { Name: 'ORK_TASK_TOKEN', 'Value.$': '$$.Task.Token' },
              { Name: 'ORK_PAYLOAD', 'Value.$': `States.JsonToString(${StatePaths.scratch}.payload)` },
              // Only this state is retried, so the payload built before it always says attempt 0.
              { Name: 'ORK_ATTEMPT', 'Value.$': "States.Format('{}', $$.State.RetryCount)" },
            ],
          },
        ],
      },
    },
    HeartbeatSeconds: task.heartbeatSeconds ?? 300,
    ...common,
  };
  return chain([single(context.names.helper(task.name, 'payload'), prepare), single(name, run)]);
}

function fail(error: string, cause: string): FailState {
  return { Type: 'Fail', Error: error, Cause: cause };
}

/** A self-contained sub-machine for a Map's ItemProcessor. */
function processor(fragment: Fragment): MapState['ItemProcessor'] {
  for (const exit of fragment.exits) {
    const state = fragment.states[exit] as State;
    if (state.Type !== 'Choice' && state.Type !== 'Fail') state.End = true;
  }
  return { ProcessorConfig: { Mode: 'INLINE' }, StartAt: fragment.start, States: fragment.states };
}

interface Guards {
  readonly states: Record<string, State>;
  /** Choice rules in order; the first match wins. */
  readonly rules: ChoiceRule[];
}

function countGuards(task: TaskSpec, ref: FieldReference, names: StateNames, none: string, guards: Guards): void {
  const path = fieldPath(ref.task, ref.field);
  const missing = names.helper(task.name, 'no-count');
  const invalid = names.helper(task.name, 'bad-count');
  const tooMany = names.helper(task.name, 'too-many');
  guards.states[missing] = fail('Ork.FanOutSourceMissing', `task '${task.name}': parallel: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`);
  guards.states[invalid] = fail('Ork.InvalidFanOutCount', `task '${task.name}': parallel: ${ref.text} must be a whole number, 0 or more`);
  guards.states[tooMany] = fail('Ork.FanOutTooLarge', `task '${task.name}': parallel: ${ref.text} is above the ${MAX_STATIC_FAN_OUT} instances a fan-out supports for now`);
  guards.rules.push(
    { Not: { Variable: path, IsPresent: true }, Next: missing },
    { Not: { Variable: path, IsNumeric: true }, Next: invalid },
    { Variable: path, NumericLessThan: 0, Next: invalid },
    { Variable: path, NumericEquals: 0, Next: none },
    { Variable: path, NumericGreaterThan: MAX_STATIC_FAN_OUT, Next: tooMany },
  );
}

function listGuards(task: TaskSpec, ref: FieldReference, names: StateNames, guards: Guards): void {
  const path = fieldPath(ref.task, ref.field);
  const missing = names.helper(task.name, 'no-items');
  const notAList = names.helper(task.name, 'not-a-list');
  guards.states[missing] = fail('Ork.FanOutSourceMissing', `task '${task.name}': foreach: ${ref.text}: the output of '${ref.task}' has no field '${ref.field.join('.')}'`);
  guards.states[notAList] = fail('Ork.FanOutSourceNotAList', `task '${task.name}': foreach: ${ref.text} must be a list`);
  guards.rules.push(
    { Not: { Variable: path, IsPresent: true }, Next: missing },
    { Variable: path, IsNull: true, Next: notAList },
    { Variable: path, IsString: true, Next: notAList },
    { Variable: path, IsNumeric: true, Next: notAList },
    { Variable: path, IsBoolean: true, Next: notAList },
  );
}

/** `count` and `indexes` (0 … count-1) of a parallel fan-out, as Pass parameters. */
function countParameters(count: CountSource): PayloadTemplate {
  if (count.kind === 'static') return { count: count.count, 'indexes.$': `States.ArrayRange(0, ${count.count - 1}, 1)` };
  const path = fieldPath(count.ref.task, count.ref.field);
  // ItemsPath takes only a reference path, so the range is built here; ArrayRange's end is inclusive.
  return { 'count.$': path, 'indexes.$': `States.ArrayRange(0, States.MathAdd(${path}, -1), 1)` };
}

/** All states of one task, entered with the workflow state and leaving its output at `$.results.<task>`. */
export function emitTask(task: TaskSpec, context: TaskEmitContext): Fragment {
  const fanOut = task.fanOut;
  const output = resultPath(task.name);
  if (!fanOut) {
    return runInstance(task, context, { parallelIndex: 0, parallelCount: 1, params: StatePaths.params, inputs: upstreamInputs(context.upstream) }, output);
  }
  const names = context.names;
  const { foreach, parallel } = fanOut;
  const fanOutName = names.helper(task.name, 'fanout');
  const none = names.helper(task.name, 'none');
  const noneState: PassState = { Type: 'Pass', Comment: `No instances of ${task.name}: hand on an empty list`, Result: [], ResultPath: output };
  const guards: Guards = { states: {}, rules: [] };
  const inputs = upstreamInputs(context.upstream);
  const concurrency = fanOut.concurrency;
  let needsNone = false;

  const steps: Fragment[] = [];
  const addGuards = (label: string): void => {
    if (guards.rules.length === 0) return;
    const check = names.helper(task.name, label);
    const rules = guards.rules.splice(0);
    steps.push({ start: check, states: { [check]: { Type: 'Choice', Choices: rules, Default: '' }, ...guards.states }, exits: [check] });
    for (const key of Object.keys(guards.states)) delete guards.states[key];
  };

  if (parallel?.kind === 'reference') {
    countGuards(task, parallel.ref, names, none, guards);
    needsNone = true;
    addGuards('check-count');
  }
  if (foreach) {
    listGuards(task, foreach, names, guards);
    addGuards('check-items');
  }

  let map: MapState;
  if (foreach && !parallel) {
    map = {
      Type: 'Map',
      Comment: `One instance of ${task.name} per element of ${foreach.text}`,
      ItemsPath: fieldPath(foreach.task, foreach.field),
      ItemSelector: { 'item.$': '$$.Map.Item.Value', 'item_index.$': '$$.Map.Item.Index', 'params.$': StatePaths.params, inputs },
      ItemProcessor: processor(runInstance(task, context, { parallelIndex: 0, parallelCount: 1, item: '$.item', itemIndex: '$.item_index', params: '$.params', inputs: '$.inputs' }, undefined)),
      ...(concurrency ? { MaxConcurrency: concurrency } : {}),
      ResultPath: output,
    };
    steps.push(single(fanOutName, map));
  } else if (parallel && !foreach) {
    steps.push(single(names.helper(task.name, 'count'), { Type: 'Pass', Parameters: countParameters(parallel), ResultPath: StatePaths.scratch }));
    map = {
      Type: 'Map',
      Comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} parallel instances of ${task.name}`,
      ItemsPath: `${StatePaths.scratch}.indexes`,
      ItemSelector: { 'parallel_index.$': '$$.Map.Item.Value', 'parallel_count.$': `${StatePaths.scratch}.count`, 'params.$': StatePaths.params, inputs },
      ItemProcessor: processor(runInstance(task, context, { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', params: '$.params', inputs: '$.inputs' }, undefined)),
      ...(concurrency ? { MaxConcurrency: concurrency } : {}),
      ResultPath: output,
    };
    steps.push(single(fanOutName, map));
  } else if (foreach && parallel) {
    const listPath = fieldPath(foreach.task, foreach.field);
    steps.push(single(names.helper(task.name, 'count'), { Type: 'Pass', Parameters: { ...countParameters(parallel), 'items.$': `States.ArrayLength(${listPath})` }, ResultPath: StatePaths.scratch }));
    const empty = names.helper(task.name, 'check-empty');
    needsNone = true;
    steps.push({ start: empty, states: { [empty]: { Type: 'Choice', Choices: [{ Variable: `${StatePaths.scratch}.items`, NumericEquals: 0, Next: none }], Default: '' } }, exits: [empty] });
    // Nested Maps: items outside, workers inside. Concurrency caps instances, so with a static count the
    // outer Map runs as many items as fit whole; with a count known only at run time, one item at a time.
    const perItem = parallel.kind === 'static' ? parallel.count : undefined;
    const outerConcurrency = concurrency === undefined ? undefined : perItem !== undefined ? Math.max(1, Math.floor(concurrency / perItem)) : 1;
    const innerConcurrency = concurrency === undefined ? undefined : perItem !== undefined ? Math.min(concurrency, perItem) : concurrency;
    const workers: MapState = {
      Type: 'Map',
      Comment: `Workers of ${task.name} for one element`,
      ItemsPath: '$.indexes',
      ItemSelector: { 'parallel_index.$': '$$.Map.Item.Value', 'parallel_count.$': '$.parallel_count', 'item.$': '$.item', 'item_index.$': '$.item_index', 'params.$': '$.params', 'inputs.$': '$.inputs' },
      ItemProcessor: processor(runInstance(task, context, { parallelIndex: '$.parallel_index', parallelCount: '$.parallel_count', item: '$.item', itemIndex: '$.item_index', params: '$.params', inputs: '$.inputs' }, undefined)),
      ...(innerConcurrency ? { MaxConcurrency: innerConcurrency } : {}),
      End: true,
    };
    map = {
      Type: 'Map',
      Comment: `${parallel.kind === 'static' ? parallel.count : parallel.ref.text} instances of ${task.name} per element of ${foreach.text}`,
      ItemsPath: listPath,
      ItemSelector: {
        'item.$': '$$.Map.Item.Value',
        'item_index.$': '$$.Map.Item.Index',
        'indexes.$': `${StatePaths.scratch}.indexes`,
        'parallel_count.$': `${StatePaths.scratch}.count`,
        'params.$': StatePaths.params,
        inputs,
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: names.helper(task.name, 'workers'), States: {} },
      ...(outerConcurrency ? { MaxConcurrency: outerConcurrency } : {}),
      // Outputs arrive as one list per element; downstream wants them flat, in element then index order.
      ResultSelector: { 'outputs.$': '$[*][*]' },
      ResultPath: StatePaths.scratch,
    };
    map.ItemProcessor.States[map.ItemProcessor.StartAt] = workers;
    steps.push(single(fanOutName, map));
    steps.push(single(names.helper(task.name, 'flatten'), { Type: 'Pass', InputPath: `${StatePaths.scratch}.outputs`, ResultPath: output }));
  }

  const body = chain(steps);
  // Choice defaults point at whatever follows each guard inside this task.
  const order = steps.map((s) => s.start);
  for (const [i, step] of steps.entries()) {
    const state = body.states[step.start];
    if (state?.Type === 'Choice') state.Default = order[i + 1] ?? '';
  }
  if (!needsNone) return body;
  return { start: body.start, states: { ...body.states, [none]: noneState }, exits: [...body.exits, none] };
}

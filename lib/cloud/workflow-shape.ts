import { ON_FAILURE_TASK, readParamsDefaults, skipStateReader, walkStates, type StateMachineDefinition } from '../../compiler/index.js';

/** A task of a deployed workflow, read back from its definition. */
export interface DeployedTask {
  readonly name: string;
  /** The Task state that runs its instances. */
  readonly stateName: string;
  /** Every Task state that runs its instances (an inline Map's, a Distributed Map child's: docs/scale.md). */
  readonly stateNames: readonly string[];
  /** Lambda ARN of a python/node task (the substituted resource). */
  readonly functionArn?: string;
  /** Map states whose iterations run this task directly (the fan-out, or its workers). */
  readonly mapStates: readonly string[];
  /** Distributed Map states whose child executions run this task (their Map Runs count its instances). */
  readonly distributedMaps: readonly string[];
  /** Present when the task fans out; `tolerateFailures` when its fan-out tolerates failed instances. */
  readonly fanOut?: true | { readonly tolerateFailures: true };
  /** The Pass state entered instead of the task when it is skipped (`when:`); absent when it never is. */
  readonly skipState?: string;
  /** `on_failure`: the workflow's failure handler, run only when the workflow failed. */
  readonly role?: 'on_failure';
}

export interface DeployedWorkflow {
  readonly workflow: string;
  readonly tasks: readonly DeployedTask[];
  /** The params defaults the definition holds (a null one is a required param); absent when it holds none Ork wrote. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/**
 * The task a Task state runs: the payload names it; a container's ECS state has no payload of its own, and
 * its name is the task's, or the task's with a suffix (task names have no `-`; docs/compiler.md).
 */
function taskOfState(name: string, parameters: unknown): string {
  const task = (parameters as { task?: unknown } | undefined)?.task;
  return typeof task === 'string' ? task : (name.split('-')[0] ?? name);
}

/**
 * The tasks of a deployed Ork state machine, read from its Task states; a Task state's enclosing Map is its
 * fan-out. A task that may run in several kinds of Map has a Task state in each. AWS keeps the definition
 * and not the manifest, so this reads what the definition states (each Map's Mode and ToleratedFailure*)
 * rather than the manifest's record.
 */
export function readWorkflowShape(definition: StateMachineDefinition, workflow: string): DeployedWorkflow {
  const byName = new Map<
    string,
    { name: string; stateNames: string[]; functionArn?: string; mapStates: string[]; distributedMaps: string[]; tolerates: boolean }
  >();
  for (const { name, state, path, maps } of walkStates(definition)) {
    if (state.Type !== 'Task') continue;
    // The Map whose iterations run this state directly (none when a Parallel branch sits between them).
    const nearest = maps.at(-1);
    const enclosingMap = nearest !== undefined && path.at(-2) === nearest.name ? nearest.name : undefined;
    const distributedMap = [...maps].reverse().find((m) => m.state.ItemProcessor.ProcessorConfig.Mode === 'DISTRIBUTED')?.name;
    const resource = state.Resource;
    const task = taskOfState(name, state.Parameters);
    const entry = byName.get(task) ?? { name: task, stateNames: [], mapStates: [], distributedMaps: [], tolerates: false };
    // A Distributed Map's ToleratedFailure*, or inline, the Catch that keeps a failed instance (docs/scale.md).
    const tolerant = maps.some((m) => m.state.ToleratedFailureCount !== undefined || m.state.ToleratedFailurePercentage !== undefined);
    if (tolerant || (enclosingMap !== undefined && (state.Catch?.length ?? 0) > 0)) entry.tolerates = true;
    if (distributedMap && !entry.distributedMaps.includes(distributedMap)) entry.distributedMaps.push(distributedMap);
    entry.stateNames.push(name);
    if (resource.startsWith('arn:aws:lambda:') || resource.includes(':function:')) entry.functionArn = resource;
    if (enclosingMap && !entry.mapStates.includes(enclosingMap)) entry.mapStates.push(enclosingMap);
    byName.set(task, entry);
  }
  const skipStates = new Map<string, string>();
  const skippedTaskOf = skipStateReader(byName.keys());
  for (const { name, state } of walkStates(definition)) {
    const task = skippedTaskOf(state);
    if (task !== undefined && !skipStates.has(task)) skipStates.set(task, name);
  }
  const tasks: DeployedTask[] = [...byName.values()].map((t) => ({
    name: t.name,
    stateName: t.stateNames[0] ?? t.name,
    stateNames: t.stateNames,
    ...(t.functionArn !== undefined ? { functionArn: t.functionArn } : {}),
    mapStates: t.mapStates,
    distributedMaps: t.distributedMaps,
    ...(t.mapStates.length > 0 ? { fanOut: t.tolerates ? { tolerateFailures: true as const } : (true as const) } : {}),
    ...(skipStates.has(t.name) ? { skipState: skipStates.get(t.name) } : {}),
    // The name the compiler reserves for the handler: its Task state's payload names it so, as any task's does.
    ...(t.name === ON_FAILURE_TASK ? { role: 'on_failure' as const } : {}),
  }));
  const params = readParamsDefaults(definition);
  return params === undefined ? { workflow, tasks } : { workflow, tasks, params };
}

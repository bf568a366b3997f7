import type { State, StateMachineDefinition, SubMachine } from '../../compiler/index.js';

/** A task of a deployed workflow, read back from its definition. */
export interface DeployedTask {
  readonly name: string;
  /** The Task state that runs its instances. */
  readonly stateName: string;
  /** Lambda ARN of a python/node task (the substituted resource). */
  readonly functionArn?: string;
  /** Map states whose iterations run this task directly (the fan-out, or its workers). */
  readonly mapStates: readonly string[];
  readonly fanOut?: true;
}

export interface DeployedWorkflow {
  readonly workflow: string;
  readonly tasks: readonly DeployedTask[];
}

/**
 * The tasks of a deployed Ork state machine. Each Task state runs one task, and is named after it (see
 * docs/compiler.md); its enclosing Map is its fan-out.
 */
export function readWorkflowShape(definition: StateMachineDefinition, workflow: string): DeployedWorkflow {
  const tasks: DeployedTask[] = [];
  const visit = (machine: SubMachine, enclosingMap: string | undefined): void => {
    for (const [name, state] of Object.entries(machine.States) as [string, State][]) {
      if (state.Type === 'Task') {
        const resource = state.Resource;
        tasks.push({
          name,
          stateName: name,
          ...(resource.startsWith('arn:aws:lambda:') || resource.includes(':function:') ? { functionArn: resource } : {}),
          mapStates: enclosingMap ? [enclosingMap] : [],
          ...(enclosingMap ? { fanOut: true as const } : {}),
        });
      } else if (state.Type === 'Map') {
        visit(state.ItemProcessor, name);
      } else if (state.Type === 'Parallel') {
        for (const branch of state.Branches) visit(branch, undefined);
      }
    }
  };
  visit(definition, undefined);
  return { workflow, tasks };
}

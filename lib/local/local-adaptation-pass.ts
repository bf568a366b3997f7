import { walkStates, type State, type StateMachineDefinition, type SubMachine } from '../../compiler/index.js';

/**
 * The local interpreter runs the deployed definition. Where it differs from AWS, a named pass rewrites
 * only that feature; each pass says what it changes and why, and a test pins it (test/local).
 */
export interface LocalAdaptation {
  readonly name: string;
  readonly why: string;
  apply(definition: StateMachineDefinition): StateMachineDefinition;
}

/** Every state of `machine`, those inside Maps' ItemProcessors and Parallel branches included (walkStates, for the passes). */
export function mapStates(machine: SubMachine, visit: (name: string, state: State) => void): void {
  for (const { name, state } of walkStates(machine)) visit(name, state);
}

import type { PassState, PayloadTemplate, StateMachineDefinition } from './asl-types.js';

/**
 * The first state of a workflow with params defaults: a Pass that sets the execution input beside the defaults,
 * as data, for the next state to merge the input over. The deployed definition keeps them there, which is how
 * `ork start` knows a deployed workflow's required params (a default of null) without its workflow.yaml.
 */
export function paramsDefaultsState(defaults: Readonly<Record<string, unknown>>): PassState {
  return {
    Type: 'Pass',
    Comment: 'Workflow input beside the params defaults',
    Parameters: { 'input.$': '$', defaults: structuredClone(defaults) as PayloadTemplate },
  };
}

/**
 * The params defaults of a compiled (or deployed) Ork definition: those its first state holds, `{}` when it
 * starts with the execution input alone, undefined when it does not start as an Ork definition does.
 */
export function readParamsDefaults(definition: StateMachineDefinition): Readonly<Record<string, unknown>> | undefined {
  const first = definition.States[definition.StartAt];
  if (first?.Type !== 'Pass' || !first.Parameters) return undefined;
  const { defaults } = first.Parameters;
  if (first.Parameters['input.$'] === '$' && defaults !== null && typeof defaults === 'object' && !Array.isArray(defaults)) return defaults;
  return first.Parameters['params.$'] === '$' ? {} : undefined;
}

import type { StateMachineDefinition } from '../../compiler/index.js';

/**
 * The local interpreter runs the deployed definition. Where it differs from AWS, a named pass rewrites
 * only that feature; each pass says what it changes and why, and a test pins it (test/local).
 */
export interface LocalAdaptation {
  readonly name: string;
  readonly why: string;
  apply(definition: StateMachineDefinition): StateMachineDefinition;
}

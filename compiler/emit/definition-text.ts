import type { StateMachineDefinition } from './asl-types.js';

/**
 * The definition as the JSON text that is deployed and printed. One difference from JSON.stringify:
 * ToleratedFailurePercentage is written as a decimal (`5.0`). It is the same number to Step Functions,
 * and the ASL parser that moto (and LocalStack) derive from reads this field only as a decimal, so strict
 * offline checkers accept the definition as it is.
 */
export function definitionText(definition: StateMachineDefinition, indent?: number): string {
  return JSON.stringify(definition, null, indent).replace(/("ToleratedFailurePercentage":\s*)(\d+)(?=\s*[,}\n])/g, '$1$2.0');
}

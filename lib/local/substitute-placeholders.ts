import type { StateMachineDefinition } from '../../compiler/index.js';

/**
 * Fills `${Name}` placeholders as CloudFormation's DefinitionSubstitutions does: by text, anywhere in the
 * definition. An unknown placeholder is an error rather than a silently broken definition.
 */
export function substitutePlaceholders(definition: StateMachineDefinition, values: Readonly<Record<string, string>>): StateMachineDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for placeholder ${whole}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as StateMachineDefinition;
}

import { expect } from 'vitest';
import type { ConstructRef } from './snapshot.js';

/** Helpers over CloudFormation JSON and state machine definitions, for the deploy tests. */

export type Json = Record<string, unknown>;

export interface Resource {
  Type: string;
  Properties?: Json;
  Metadata?: Json;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Json;
}

/** The logical id of a construct's CloudFormation resource, as the shared app recorded it. */
export function idOf(construct: ConstructRef): string {
  return construct.logicalId;
}

export function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function actionsOf(statement: Statement): string[] {
  return list(statement.Action);
}

export function key(value: unknown): string {
  return JSON.stringify(value);
}

export function getAtt(id: string, attribute = 'Arn'): Json {
  return { 'Fn::GetAtt': [id, attribute] };
}

/** Every state of a definition, nested ones (Map, Parallel) included. */
export function allStates(definition: Json): [string, Json][] {
  const found: [string, Json][] = [];
  const walk = (machine: Json | undefined): void => {
    for (const [name, state] of Object.entries((machine?.States ?? {}) as Record<string, Json>)) {
      found.push([name, state]);
      walk(state.ItemProcessor as Json | undefined);
      walk(state.Iterator as Json | undefined);
      for (const branch of list(state.Branches as Json[])) walk(branch);
    }
  };
  walk(definition);
  return found;
}

/** The `${…}` placeholders of a definition. */
export function placeholdersOf(definition: Json): Set<string> {
  return new Set([...(JSON.stringify(definition).match(/\$\{(\w+)\}/g) ?? [])].map((p) => p.slice(2, -1)));
}

/**
 * The substitution keys, sorted, but OrkPayloadBucket when the definition does not use it: every machine is
 * given that one (CloudFormation ignores a substitution without its placeholder); all others exactly when used.
 */
export function substitutedBeyondPayloadBucket(definition: Json, substitutions: Json): string[] {
  expect(Object.keys(substitutions)).toContain('OrkPayloadBucket');
  const used = placeholdersOf(definition);
  return Object.keys(substitutions)
    .filter((k) => k !== 'OrkPayloadBucket' || used.has(k))
    .sort();
}

import { Placeholders, ref, type StateMachineDefinition } from '../../compiler/index.js';

/** Where a workflow's Distributed Maps write their results (ResultWriter Prefix), as docs/scale.md lays it out. */
export function resultsPrefix(workflow: string): string {
  return `ork-results/${workflow}/`;
}

type Json = Record<string, unknown>;

/** A Map state whose ItemProcessor runs in DISTRIBUTED mode, with the path of state names that leads to it. */
export interface DistributedMapState {
  readonly path: readonly string[];
  readonly state: Readonly<Json>;
}

/**
 * Every Distributed Map of a definition, nested ones included (inside a Parallel's branches or another Map's
 * processor: a Distributed Map's children may themselves fan out). Inline Maps (no ProcessorConfig, or
 * Mode INLINE) are not listed: they run inside the parent execution and need no extra permission.
 */
export function distributedMapStates(definition: StateMachineDefinition | Readonly<Json>): DistributedMapState[] {
  const found: DistributedMapState[] = [];
  const walk = (machine: unknown, path: readonly string[]): void => {
    const states = isObject(machine) && isObject(machine.States) ? machine.States : {};
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      const here = [...path, name];
      const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : undefined;
      const config = processor && isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : undefined;
      if (state.Type === 'Map' && config?.Mode === 'DISTRIBUTED') found.push({ path: here, state });
      walk(processor, here);
      walk(state.Iterator, here);
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) walk(branch, here);
    }
  };
  walk(definition, []);
  return found;
}

/**
 * Checks that each Distributed Map writes its results where the construct lets it: the payload bucket, under
 * the workflow's results prefix. Those are the only S3 writes the state machine role is granted, so a
 * definition writing elsewhere would deploy and then fail at its first Map Run; this fails the synth instead.
 */
export function checkResultWriters(maps: readonly DistributedMapState[], workflow: string, constructPath: string): void {
  const prefix = resultsPrefix(workflow);
  for (const { path, state } of maps) {
    const writer = state.ResultWriter;
    if (writer === undefined) continue;
    const parameters = isObject(writer) && isObject(writer.Parameters) ? writer.Parameters : {};
    const bucket = parameters.Bucket;
    const key = parameters.Prefix;
    if (bucket !== ref(Placeholders.payloadBucket) || typeof key !== 'string' || !`${key}/`.startsWith(prefix)) {
      throw new Error(
        `${constructPath}: the Distributed Map ${path.join(' > ')} writes its results to ${JSON.stringify(parameters)}; ` +
          `the state machine role may write only to Bucket ${ref(Placeholders.payloadBucket)} under Prefix ${prefix}`,
      );
    }
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

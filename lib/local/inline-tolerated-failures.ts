import { Markers } from '../../lambdas/contract/contract.js';
import { instanceLabel } from './instance-key.js';
import type { ToleratedFailure } from './run-events.js';

interface FailureMarker {
  readonly [Markers.failed]: { readonly error?: unknown; readonly cause?: unknown; readonly item_index?: unknown; readonly parallel_index?: unknown };
}

function isMarker(value: unknown): value is FailureMarker {
  return typeof value === 'object' && value !== null && Markers.failed in value && typeof (value as FailureMarker)[Markers.failed] === 'object';
}

/**
 * An inline fan-out with tolerate_failures keeps each failed instance as `{"ork_failed": …}` in its list of
 * outputs (docs/scale.md); the run's summary lists them as a Distributed Map's tolerated failures are.
 */
export function inlineToleratedFailures(outputs: Readonly<Record<string, unknown>>): ToleratedFailure[] {
  const found: ToleratedFailure[] = [];
  for (const [task, output] of Object.entries(outputs)) {
    if (!Array.isArray(output)) continue;
    for (const element of output) {
      if (!isMarker(element)) continue;
      const failure = element[Markers.failed];
      const instance = instanceLabel({
        task,
        ...(typeof failure.item_index === 'number' ? { itemIndex: failure.item_index } : {}),
        ...(typeof failure.parallel_index === 'number' ? { parallelIndex: failure.parallel_index } : {}),
      });
      found.push({
        task,
        instance,
        error: String(failure.error ?? 'States.TaskFailed'),
        message: typeof failure.cause === 'string' ? failure.cause : JSON.stringify(failure.cause ?? ''),
      });
    }
  }
  return found;
}

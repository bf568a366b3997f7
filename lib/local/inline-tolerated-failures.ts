import type { ToleratedFailure } from './run-events.js';

interface FailureMarker {
  readonly ork_failed: { readonly error?: unknown; readonly cause?: unknown; readonly item_index?: unknown; readonly parallel_index?: unknown };
}

function isMarker(value: unknown): value is FailureMarker {
  return typeof value === 'object' && value !== null && 'ork_failed' in value && typeof (value as FailureMarker).ork_failed === 'object';
}

/** `[item 3, #1]`-style label of the instance, as the run's other messages name instances. */
function label(marker: FailureMarker['ork_failed']): string {
  const parts: string[] = [];
  if (typeof marker.item_index === 'number') parts.push(`item ${marker.item_index}`);
  if (typeof marker.parallel_index === 'number') parts.push(`#${marker.parallel_index}`);
  return `[${parts.join(', ')}]`;
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
      const failure = element.ork_failed;
      found.push({ task, instance: `${task}${label(failure)}`, error: String(failure.error ?? 'States.TaskFailed'), message: typeof failure.cause === 'string' ? failure.cause : JSON.stringify(failure.cause ?? '') });
    }
  }
  return found;
}

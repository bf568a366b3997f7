import type { TaskManifest, TaskManifestEntry } from '../../../compiler/index.js';
import { ARRAY_RANGE_LIMIT, INLINE_FAN_OUT_LIMIT } from '../../../compiler/index.js';

function describe(entry: TaskManifestEntry): string | undefined {
  const fanOut = entry.fanOut;
  if (!fanOut) return undefined;
  // The Distributed Maps emit built for the task, as the manifest records them.
  const maps = fanOut.maps.filter((m) => m.mode === 'distributed');
  const children = [...new Set(maps.map((m) => (m.executionType ?? '').toLowerCase()))].join(' or ');
  const chunked = maps.some((m) => m.grouping === 'chunk')
    ? `, ${ARRAY_RANGE_LIMIT.toLocaleString('en-US')} instances per child past ${ARRAY_RANGE_LIMIT.toLocaleString('en-US')}`
    : '';
  const batch = maps.find((m) => m.grouping === 'batch')?.instancesPerChild;
  const distributed = `Distributed Map (${children} child executions${batch ? `, ${batch} instances each` : ''}${chunked})`;
  const reason = fanOut.mode
    ? `mode: ${fanOut.mode}`
    : fanOut.batchSize !== undefined
      ? 'batch_size needs it'
      : fanOut.concurrency !== undefined && fanOut.concurrency > INLINE_FAN_OUT_LIMIT
        ? `concurrency: ${fanOut.concurrency} is above the ${INLINE_FAN_OUT_LIMIT} an inline Map runs`
        : typeof fanOut.parallel === 'number' && fanOut.parallel > INLINE_FAN_OUT_LIMIT
          ? `${fanOut.parallel.toLocaleString('en-US')} instances`
          : undefined;
  const why = reason ? ` — ${reason}` : '';
  let how: string;
  if (fanOut.kinds.inline && fanOut.kinds.distributed) {
    how = fanOut.foreach
      ? `inline Map while ${fanOut.foreach} has up to ${INLINE_FAN_OUT_LIMIT} elements, ${distributed} above (the upstream task stores the list)`
      : `inline Map up to ${INLINE_FAN_OUT_LIMIT} instances, ${distributed} above (chosen by the machine from the count)`;
  } else if (fanOut.kinds.distributed) {
    how = `${distributed}${why}`;
  } else {
    how = `inline Map${why}`;
  }
  const tolerance = fanOut.tolerateFailures !== undefined ? `; tolerates ${fanOut.tolerateFailures} failed` : '';
  return `  ${entry.name}: ${how}${tolerance}`;
}

/** What `ork compile --explain` says about each fan-out: which Map kind runs it on AWS, and why (docs/scale.md). */
export function explainFanOuts(manifest: TaskManifest): string {
  const lines = manifest.tasks.map((t) => describe(t)).filter((l): l is string => l !== undefined);
  if (lines.length === 0) return '';
  return `\nFan-outs:\n${lines.join('\n')}\n`;
}

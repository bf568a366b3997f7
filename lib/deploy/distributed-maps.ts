import { Placeholders, ref, resultsPrefix, type FanOutMap, type TaskManifest } from '../../compiler/index.js';

/** The workflow's Distributed Maps, as emit recorded them in the manifest. */
export function distributedMapsOf(manifest: TaskManifest): FanOutMap[] {
  return manifest.tasks.flatMap((task) => task.fanOut?.maps ?? []).filter((map) => map.mode === 'distributed');
}

/**
 * Checks that each Distributed Map writes its results where the construct lets it: the payload bucket, under
 * the workflow's results prefix. Those are the only S3 writes the state machine role is granted, so a
 * definition writing elsewhere would deploy and then fail at its first Map Run; this fails the synth instead.
 */
export function checkResultWriters(maps: readonly FanOutMap[], workflow: string, constructPath: string): void {
  const prefix = resultsPrefix(workflow);
  for (const { path, resultWriter } of maps) {
    if (resultWriter === undefined) continue;
    if (resultWriter.bucket !== ref(Placeholders.payloadBucket) || !`${resultWriter.prefix}/`.startsWith(prefix)) {
      throw new Error(
        `${constructPath}: the Distributed Map ${path.join(' > ')} writes its results to ` +
          `${JSON.stringify({ Bucket: resultWriter.bucket, Prefix: resultWriter.prefix })}; ` +
          `the state machine role may write only to Bucket ${ref(Placeholders.payloadBucket)} under Prefix ${prefix}`,
      );
    }
  }
}

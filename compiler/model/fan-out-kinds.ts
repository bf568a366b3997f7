import type { FanOut, TaskSpec } from './workflow-spec.js';

/** Inline Map runs about 40 iterations at once; past that, or past this many instances, Ork goes distributed. */
export const INLINE_FAN_OUT_LIMIT = 40;
/** `States.ArrayRange` returns at most 1,000 items: the most instances one inline Map (or one chunk) can index. */
export const ARRAY_RANGE_LIMIT = 1000;
/** Chunk starts come from one ArrayRange too, so chunked fan-outs stop at 1,000 × 1,000. */
export const MAX_FAN_OUT = ARRAY_RANGE_LIMIT * ARRAY_RANGE_LIMIT;
/** Distributed Map's ceiling on concurrent child executions. */
export const DISTRIBUTED_MAX_CONCURRENCY = 10_000;
/** Express executions end after five minutes. */
export const EXPRESS_MAX_SECONDS = 300;

/** Which Map kinds the compiled machine may use for a fan-out; both means a run-time choice (docs/scale.md). */
export interface FanOutKinds {
  readonly inline: boolean;
  readonly distributed: boolean;
}

/** Options that only a Distributed Map has. */
function needsDistributed(fanOut: FanOut): boolean {
  return fanOut.batchSize !== undefined || (fanOut.concurrency !== undefined && fanOut.concurrency > INLINE_FAN_OUT_LIMIT);
}

export function fanOutKinds(fanOut: FanOut): FanOutKinds {
  if (fanOut.mode === 'inline') return { inline: true, distributed: false };
  if (fanOut.mode === 'distributed' || needsDistributed(fanOut)) return { inline: false, distributed: true };
  const parallel = fanOut.parallel;
  if (parallel?.kind === 'static') {
    if (!fanOut.foreach) return parallel.count <= INLINE_FAN_OUT_LIMIT ? { inline: true, distributed: false } : { inline: false, distributed: true };
    if (parallel.count > INLINE_FAN_OUT_LIMIT) return { inline: false, distributed: true };
  }
  return { inline: true, distributed: true };
}

/**
 * For a `foreach:` fan-out that may run distributed: the upstream runtime stores the list and hands on a
 * reference when it has more than this many elements; -1 means always.
 */
export function spillAbove(fanOut: FanOut): number | undefined {
  if (!fanOut.foreach) return undefined;
  const kinds = fanOutKinds(fanOut);
  if (!kinds.distributed) return undefined;
  if (!kinds.inline) return -1;
  const perItem = fanOut.parallel?.kind === 'static' ? fanOut.parallel.count : 1;
  return Math.max(1, Math.floor(INLINE_FAN_OUT_LIMIT / perItem));
}

/** The longest one instance can take, retries and their waits included; undefined when unbounded. */
export function worstInstanceSeconds(task: TaskSpec, attemptSeconds: number | undefined = task.timeoutSeconds): number | undefined {
  if (attemptSeconds === undefined) return undefined;
  const { retries, delaySeconds, backoff, maxDelaySeconds } = task.retry;
  let total = attemptSeconds * (retries + 1);
  for (let attempt = 0; attempt < retries; attempt++) {
    const delay = delaySeconds * backoff ** attempt;
    total += maxDelaySeconds !== undefined ? Math.min(delay, maxDelaySeconds) : delay;
  }
  return total;
}

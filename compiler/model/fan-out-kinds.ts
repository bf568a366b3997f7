import { ARRAY_RANGE_LIMIT, INLINE_MAP_CONCURRENCY } from './aws-limits.js';
import type { FanOut, TaskSpec } from './workflow-spec.js';

/** Past what an inline Map runs at once (instances, or concurrency), Ork goes distributed. */
export const INLINE_FAN_OUT_LIMIT = INLINE_MAP_CONCURRENCY;
/**
 * One inline Map (or one chunk) indexes at most ARRAY_RANGE_LIMIT instances, and chunk starts come from one
 * ArrayRange too: chunked fan-outs stop at 1,000 × 1,000.
 */
export const MAX_FAN_OUT = ARRAY_RANGE_LIMIT * ARRAY_RANGE_LIMIT;

/** The most instances a fan-out may have, and why: what the emitted count guards and ORK217 both say. */
export interface FanOutLimit {
  readonly count: number;
  readonly why: string;
  readonly hint: string;
}

/**
 * The most instances a `parallel:` count may reach, given the task's other options. Every instance but the
 * chunked kind is indexed by one States.ArrayRange; a chunked fan-out has neither batches nor tolerated
 * failures (each chunk is one child execution running an inline Map).
 */
export function fanOutLimit(fanOut: FanOut): FanOutLimit {
  if (fanOut.mode === 'inline')
    return { count: ARRAY_RANGE_LIMIT, why: 'the most an inline fan-out supports (States.ArrayRange)', hint: 'remove mode: inline to go distributed' };
  if (fanOut.foreach)
    return {
      count: ARRAY_RANGE_LIMIT,
      why: 'the most instances per element a fan-out supports (States.ArrayRange)',
      hint: 'give each instance a share of the work',
    };
  if (fanOut.batchSize !== undefined)
    return { count: ARRAY_RANGE_LIMIT, why: 'the most a batched fan-out supports', hint: 'remove batch_size, or give each instance a share of the work' };
  if (fanOut.tolerateFailures !== undefined)
    return {
      count: ARRAY_RANGE_LIMIT,
      why: 'the most a fan-out with tolerate_failures supports',
      hint: 'remove tolerate_failures, or give each instance a share of the work',
    };
  return { count: MAX_FAN_OUT, why: 'the most a fan-out supports', hint: 'give each instance a share of the work' };
}

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

// Generated from lambdas/python/ork/contract.json by scripts/contract-module.ts: edit the JSON, then run
// `npx tsx scripts/contract-module.ts`. What each fact means: docs/payload.md, docs/worker-protocol.md.

/** The payload's `ork` field: a runtime refuses a version it does not know instead of misreading it. */
export const PAYLOAD_VERSION = 1;

/** The keys of the references and markers that travel in the data (docs/payload.md, docs/scale.md). */
export const Markers = {
  reference: '$ork_ref',
  items: 'ork_items',
  results: 'ork_results',
  failed: 'ork_failed',
} as const;

/** The environment variables the runtimes read (set by the deploy constructs, the machine or `ork run`). */
export const Environment = {
  attempt: 'ORK_ATTEMPT',
  heartbeatSeconds: 'ORK_HEARTBEAT_SECONDS',
  largeOutputBytes: 'ORK_LARGE_OUTPUT_BYTES',
  metricsNamespace: 'ORK_METRICS_NAMESPACE',
  payload: 'ORK_PAYLOAD',
  payloadBucket: 'ORK_PAYLOAD_BUCKET',
  payloadDir: 'ORK_PAYLOAD_DIR',
  payloadPrefix: 'ORK_PAYLOAD_PREFIX',
  payloadReadDirs: 'ORK_PAYLOAD_READ_DIRS',
  payloadUrl: 'ORK_PAYLOAD_URL',
  readCacheBytes: 'ORK_READ_CACHE_BYTES',
  secrets: 'ORK_SECRETS',
  secretsTtlSeconds: 'ORK_SECRETS_TTL_SECONDS',
  taskFile: 'ORK_TASK_FILE',
  taskToken: 'ORK_TASK_TOKEN',
  workflow: 'ORK_WORKFLOW',
  workflowDir: 'ORK_WORKFLOW_DIR',
} as const;

/** The local workers' protocol channel (docs/worker-protocol.md). */
export const WORKER_CHANNEL_FD = 3;

/**
 * A worker measures a reply's `waits` on a task's first WAITS_SAMPLED_FIRST invocations, then on one in
 * WAITS_SAMPLE_EVERY (docs/worker-protocol.md): reading it is one of the dearest calls of an invocation.
 */
export const WAITS_SAMPLED_FIRST = 8;
export const WAITS_SAMPLE_EVERY = 16;

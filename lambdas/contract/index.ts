// The runtime contract between the compiled machine, the local engine and the task SDKs (docs/payload.md,
// docs/worker-protocol.md). The Node SDK imports contract.ts, instance-label.ts and failure-schema.ts directly,
// not this index: a worker does not load zod for the schemas it does not use.
export { Environment, Markers, PAYLOAD_VERSION, WORKER_CHANNEL_FD } from './contract.js';
export { instanceLabel, payloadInstanceLabel, type InstanceFields } from './instance-label.js';
export { failureSchema, type Failure } from './failure-schema.js';
export {
  conditionFieldSchema,
  failureMarkerSchema,
  fanOutFieldSchema,
  itemsReferenceSchema,
  payloadSchema,
  referenceSchema,
  resultsReferenceSchema,
  type PayloadJson,
  type PayloadKey,
} from './payload-schema.js';
export {
  readyMessageSchema,
  workerFailureSchema,
  workerReplySchema,
  workerRequestSchema,
  type ReadyMessage,
  type WorkerReply,
  type WorkerRequest,
} from './worker-protocol.js';
export { payloadJsonSchema, workerProtocolJsonSchema } from './json-schema.js';

export * from './workflow-spec.js';
export * from './fan-out-kinds.js';
export * from './aws-limits.js';
export * from './construct-ids.js';
export * from './condition.js';
export * from './trigger.js';
export * from './scheduled-time.js';

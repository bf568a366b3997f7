export * from './workflow-spec.js';
export * from './fan-out-kinds.js';
export * from './construct-ids.js';

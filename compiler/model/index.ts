export * from './workflow-spec.js';
export * from './fan-out-kinds.js';

export * from './compiler-host.js';
export * from './units.js';
export * from './workflow-schema.js';
export * from './build-spec.js';
export * from './validate-workflow.js';
export * from './rules/index.js';
export * from './json-schema.js';

export * from './parse-workflow.js';
export * from './source-map.js';

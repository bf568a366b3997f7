export * from './task-graph.js';
export * from './check-graph.js';
export * from './rules/index.js';

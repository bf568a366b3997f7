export * from './graph-rule.js';
export * from './references.js';
export * from './fan-out-source.js';
export * from './cycles.js';
export * from './condition-references.js';

export * from './parse-workflow.js';
export * from './source-map.js';
export { MAX_ALIAS_EXPANSION, MAX_ALIAS_EXPANSION_CHARACTERS, MAX_NESTING_DEPTH } from './check-tree.js';

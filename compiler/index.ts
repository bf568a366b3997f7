export * from './compile.js';
export * from './diagnostics/index.js';
export * from './model/index.js';
export * from './parse/index.js';
export * from './validate/index.js';
export * from './graph/index.js';
export * from './plan/index.js';
export * from './emit/index.js';

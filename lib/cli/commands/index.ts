export * from './validate.js';
export * from './compile.js';
export * from './graph.js';
export * from './schema.js';
export * from './run.js';
export * from './runs.js';
export * from './show.js';
export * from './init.js';

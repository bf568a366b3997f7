export * from './tokenize-condition.js';
export * from './parse-condition.js';
export * from './value-offsets.js';
export * from './parse-when.js';

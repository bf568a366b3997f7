export * from './diagnostic.js';
export * from './codes.js';
export * from './format-diagnostic.js';
export * from './suggest.js';
export * from './make-diagnostic.js';

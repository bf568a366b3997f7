export * from './python-output-fields.js';
export * from './node-output-fields.js';
export * from './output-fields.js';

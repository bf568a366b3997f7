export * from './workflow-spec.js';

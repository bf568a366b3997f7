export * from './ork-workflow.js';
export * from './ork-workflow-stack.js';
export * from './workflow-monitoring.js';
export * from './workflow-schedule.js';
export * from './workflow-directories.js';
export * from './deploy-context.js';
export * from './synth-error.js';

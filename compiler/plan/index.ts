export * from './schedule-plan.js';
export * from './plan-schedule.js';

// The Ork Node SDK: `import { defineTask, z } from 'ork/task'`.
export { z } from 'zod';
export { defineTask, type OrkTask, type TaskDefinition } from './task.js';
export { Context, type CloudWatchUnit } from './context.js';
export { OrkError } from './errors.js';
export type { Failure } from './failures.js';
export { lambdaHandler } from './lambda-handler.js';

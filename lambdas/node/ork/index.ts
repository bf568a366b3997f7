// The Ork Node SDK: `import { defineTask, z } from 'ork/task'`.
export { z } from 'zod';
export { defineTask, type OrkTask, type TaskDefinition } from './task.js';
export { Context, type CloudWatchUnit } from './context.js';
export { OrkError } from './errors.js';
export type { Secrets } from './secrets.js';
export type { ToleratedFailure } from './failures.js';
export { failureSchema, type Failure } from '../../contract/failure-schema.js';
export { lambdaHandler } from './lambda-handler.js';

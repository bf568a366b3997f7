export { scheduleTimes, DEFAULT_SCHEDULE_TIMES_LIMIT, type ScheduleLike, type ScheduleTimesOptions } from './schedule-times.js';
export { parseBackfillTime } from './parse-backfill-time.js';
export { ScheduleError, type ScheduleErrorCode } from './schedule-error.js';

/**
 * The param a scheduled execution receives its scheduled time in: on AWS from EventBridge Scheduler's
 * `<aws.scheduler.scheduled-time>`, locally from `ork run --scheduled-time` and `ork backfill`.
 */
export const SCHEDULED_TIME_PARAM = 'scheduled_time';

/** ISO 8601 UTC to the second, as EventBridge Scheduler writes `<aws.scheduler.scheduled-time>`: 2026-01-01T06:00:00Z. */
export function formatScheduledTime(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

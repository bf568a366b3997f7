/** `30s`, `15m`, `2h`, `1d`, combinations such as `1h30m`, or a whole number of seconds. */
export const DURATION_PATTERN = '^(?=\\d)(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$';
const durationRegex = new RegExp(DURATION_PATTERN);

/** Seconds in a duration, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = durationRegex.exec(value.trim());
  if (!match) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  const seconds = Number(d) * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s);
  return seconds > 0 ? seconds : undefined;
}

/** `512`, `512MB`, `2GB`, `1GiB` (binary and decimal units both mean 1024 here, as Lambda and ECS count). */
export const MEMORY_PATTERN = '^(\\d+)\\s*(MB|MiB|M|GB|GiB|G)?$';
const memoryRegex = new RegExp(MEMORY_PATTERN, 'i');

/** Megabytes in a memory size, or undefined when it is not one. */
export function parseMemory(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = memoryRegex.exec(value.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 'MB').toUpperCase();
  const mb = unit.startsWith('G') ? amount * 1024 : amount;
  return mb > 0 ? mb : undefined;
}

export function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

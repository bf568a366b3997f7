import { ScheduleError } from './schedule-error.js';

const SECOND = 1000;
const HOUR = 3_600_000;
export const DAY = 86_400_000;
/**
 * Offsets are sampled on this grid and a transition is searched between two samples that differ. Every zone's
 * transitions since 1970 are weeks apart, so at most one falls between two samples.
 */
const GRID = 6 * HOUR;
/** The widest offsets of any zone (Pacific/Kiritimati +14:00, Etc/GMT+12 -12:00), with a margin. */
const EARLIEST_OFFSET = 15 * HOUR;
const LATEST_OFFSET = 13 * HOUR;

/** From this instant on, the zone's wall clock is `offset` ms ahead of UTC. */
export interface OffsetSegment {
  readonly start: number;
  readonly offset: number;
}

/**
 * Local wall-clock time in one IANA zone, through Intl (the zone data Node.js ships), with no dependency.
 * A wall time is written as "local ms": the ms since 1970 of that same calendar reading in UTC, so
 * `Date.UTC(y, m, d, h, min)` is the local ms of that reading and `instant + offset` the reading of an instant.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly samples = new Map<number, number>();
  private readonly transitions = new Map<number, number>();

  constructor(readonly zone: string) {
    try {
      this.format =
        zone === 'UTC'
          ? undefined
          : new Intl.DateTimeFormat('en-US', {
              timeZone: zone,
              hourCycle: 'h23',
              year: 'numeric',
              month: 'numeric',
              day: 'numeric',
              hour: 'numeric',
              minute: 'numeric',
              second: 'numeric',
            });
    } catch {
      throw new ScheduleError('InvalidTimeZone', `unknown time zone '${zone}'`, "use an IANA name such as 'Europe/Paris' or 'America/New_York'");
    }
  }

  /** How far the zone's wall clock is ahead of UTC at `instant`, in ms (whole seconds). */
  offsetAt(instant: number): number {
    if (!this.format) return 0;
    const at = Math.floor(instant / SECOND) * SECOND;
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(at)) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return local - at;
  }

  /** The wall-clock reading of `instant`, in local ms. */
  localOf(instant: number): number {
    return instant + this.offsetAt(instant);
  }

  private sample(index: number): number {
    let offset = this.samples.get(index);
    if (offset === undefined) {
      offset = this.offsetAt(index * GRID);
      this.samples.set(index, offset);
    }
    return offset;
  }

  /** The first second, between samples `index` and `index + 1`, with the offset of the later sample. */
  private transitionAfter(index: number): number {
    let at = this.transitions.get(index);
    if (at !== undefined) return at;
    const before = this.sample(index);
    let low = index * GRID;
    let high = (index + 1) * GRID;
    while (high - low > SECOND) {
      const middle = low + Math.floor((high - low) / 2 / SECOND) * SECOND;
      if (this.offsetAt(middle) === before) low = middle;
      else high = middle;
    }
    at = high;
    this.transitions.set(index, at);
    return at;
  }

  /**
   * The offsets in force over every instant whose reading falls within the local day starting at `dayStart`
   * (local ms), ascending; the first segment starts at -Infinity.
   */
  segmentsOfDay(dayStart: number): OffsetSegment[] {
    const first = Math.floor((dayStart - EARLIEST_OFFSET) / GRID);
    const last = Math.ceil((dayStart + DAY + LATEST_OFFSET) / GRID);
    const segments: OffsetSegment[] = [{ start: -Infinity, offset: this.sample(first) }];
    for (let index = first; index < last; index++) {
      const next = this.sample(index + 1);
      if (next !== this.sample(index)) segments.push({ start: this.transitionAfter(index), offset: next });
    }
    return segments;
  }
}

/**
 * The instant a wall-clock reading (local ms) happens, given the day's segments; undefined when the clock
 * never shows it (skipped when the clocks go forward). A reading shown twice (when the clocks go back)
 * happens at its first occurrence: EventBridge Scheduler fires once then, and does not fire again.
 */
export function instantOf(local: number, segments: readonly OffsetSegment[]): number | undefined {
  if (segments.length === 1) return local - (segments[0] as OffsetSegment).offset;
  let found: number | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as OffsetSegment;
    const instant = local - segment.offset;
    const end = segments[i + 1]?.start ?? Infinity;
    if (instant >= segment.start && instant < end && (found === undefined || instant < found)) found = instant;
  }
  return found;
}

/**
 * The instant a reading happens, or, for a reading the clock skips, the instant the clock jumps past it (the
 * first instant whose reading is later): where a bound such as `--from 2026-03-29T02:30` in Europe/Paris begins.
 */
export function instantAtOrAfter(local: number, segments: readonly OffsetSegment[]): number {
  const instant = instantOf(local, segments);
  if (instant !== undefined) return instant;
  let next = Infinity;
  for (const segment of segments.slice(1)) {
    if (segment.start + segment.offset >= local && segment.start < next) next = segment.start;
  }
  return next;
}

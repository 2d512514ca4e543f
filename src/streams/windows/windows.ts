/**
 * Window definitions with Kafka Streams' names and semantics:
 * - `TimeWindows`: tumbling (advance = size) or hopping (advance < size) windows aligned to the
 *   epoch, [start, start + size).
 * - `SlidingWindows`: windows of a maximum time difference, created as records arrive (KIP-450).
 * - `SessionWindows`: per-key activity sessions that merge when closer than the inactivity gap.
 * - `JoinWindows`: how far apart two records may be for a stream-stream join.
 * Each has a grace period: records later than window end + grace are dropped (and counted).
 * Durations are in milliseconds.
 */

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000; // Kafka's default before ofSizeWithNoGrace existed

function positive(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new RangeError(`${name} must be a positive number of ms, got ${ms}`);
  return ms;
}

function nonNegative(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be >= 0 ms, got ${ms}`);
  return ms;
}

export class TimeWindows {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;

  private constructor(size: number, advance: number, grace: number) {
    this.sizeMs = size;
    this.advanceMs = advance;
    this.graceMs = grace;
  }

  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(positive('window size', sizeMs), sizeMs, 0);
  }

  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(positive('window size', sizeMs), sizeMs, nonNegative('grace', graceMs));
  }

  /** Deprecated in Kafka (grace defaults to 24 h); kept for familiarity. */
  static of(sizeMs: number): TimeWindows {
    return new TimeWindows(positive('window size', sizeMs), sizeMs, DEFAULT_GRACE_MS);
  }

  /** Hopping windows: a new window every `advanceMs`. */
  advanceBy(advanceMs: number): TimeWindows {
    positive('advance', advanceMs);
    if (advanceMs > this.sizeMs)
      throw new RangeError(`advance (${advanceMs}) must not exceed size (${this.sizeMs})`);
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  grace(graceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, this.advanceMs, nonNegative('grace', graceMs));
  }

  /** Every window containing `timestamp`, oldest first. */
  windowsFor(timestamp: number): Window[] {
    const out: Window[] = [];
    let start = Math.max(0, timestamp - this.sizeMs + this.advanceMs);
    start -= start % this.advanceMs;
    for (; start <= timestamp; start += this.advanceMs) out.push({ start, end: start + this.sizeMs });
    return out.filter((w) => w.end > timestamp);
  }

  size(): number {
    return this.sizeMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

export class SlidingWindows {
  readonly timeDifferenceMs: number;
  readonly graceMs: number;

  private constructor(diff: number, grace: number) {
    this.timeDifferenceMs = diff;
    this.graceMs = grace;
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(positive('time difference', timeDifferenceMs), 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(positive('time difference', timeDifferenceMs), nonNegative('grace', graceMs));
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

export class SessionWindows {
  readonly inactivityGapMs: number;
  readonly graceMs: number;

  private constructor(gap: number, grace: number) {
    this.inactivityGapMs = gap;
    this.graceMs = grace;
  }

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return new SessionWindows(positive('inactivity gap', gapMs), 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(positive('inactivity gap', gapMs), nonNegative('grace', graceMs));
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

export class JoinWindows {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;

  private constructor(before: number, after: number, grace: number) {
    this.beforeMs = before;
    this.afterMs = after;
    this.graceMs = grace;
  }

  static ofTimeDifferenceWithNoGrace(diffMs: number): JoinWindows {
    return new JoinWindows(nonNegative('time difference', diffMs), diffMs, 0);
  }

  static ofTimeDifferenceAndGrace(diffMs: number, graceMs: number): JoinWindows {
    return new JoinWindows(nonNegative('time difference', diffMs), diffMs, nonNegative('grace', graceMs));
  }

  /** Only records of the other stream at most `beforeMs` earlier join. */
  before(beforeMs: number): JoinWindows {
    return new JoinWindows(nonNegative('before', beforeMs), this.afterMs, this.graceMs);
  }

  /** Only records of the other stream at most `afterMs` later join. */
  after(afterMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, nonNegative('after', afterMs), this.graceMs);
  }

  size(): number {
    return this.beforeMs + this.afterMs;
  }

  gracePeriodMs(): number {
    return this.graceMs;
  }
}

/** Text form used in logs and the windowed string serde: `key@start/end`. */
export function windowedToString<K>(w: Windowed<K>): string {
  return `${String(w.key)}@${w.window.start}/${w.window.end}`;
}

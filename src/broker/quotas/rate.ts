/**
 * A rate measured over sliding sample windows, as Kafka's `Rate` over a `SampledStat`: the last
 * `quota.window.num` windows of `quota.window.size.seconds` each. A sample is closed once its
 * window has passed; samples older than all the windows together are forgotten. The rate divides
 * the samples' total by the time they cover, never less than (windows − 1) full windows, so a
 * client's first burst is spread over the whole span (as in Kafka, a new client may send up to
 * about quota × span before it is throttled). Time is passed in, in milliseconds.
 */

interface Sample {
  start: number;
  value: number;
}

export class WindowedRate {
  private readonly samples: Sample[];
  private current = 0;
  readonly numWindows: number;
  readonly windowMs: number;

  constructor(numWindows: number, windowMs: number, now: number) {
    this.numWindows = numWindows;
    this.windowMs = windowMs;
    this.samples = Array.from({ length: numWindows }, () => ({ start: now, value: 0 }));
  }

  record(value: number, now: number): void {
    let s = this.samples[this.current]!;
    if (now - s.start >= this.windowMs) {
      this.current = (this.current + 1) % this.numWindows;
      s = this.samples[this.current]!;
      s.start = now;
      s.value = 0;
    }
    s.value += value;
  }

  /** Units per second. */
  measure(now: number): number {
    this.purge(now);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.span(now) / 1000);
  }

  /** The time the samples cover, in ms, at least (windows − 1) full windows (Kafka's windowSize). */
  span(now: number): number {
    let oldest = now;
    for (const s of this.samples) if (s.start < oldest) oldest = s.start;
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.windowMs);
    const minFull = this.numWindows - 1;
    if (full < minFull) elapsed += (minFull - full) * this.windowMs;
    return Math.max(elapsed, 1);
  }

  private purge(now: number): void {
    const expireAge = this.numWindows * this.windowMs;
    for (const s of this.samples) {
      if (now - s.start >= expireAge) {
        s.start = now;
        s.value = 0;
      }
    }
  }
}

/**
 * How long to throttle a client whose rate is above its quota, as Kafka's QuotaUtils.throttleTime:
 * long enough for the rate measured over the windows to fall back to the quota, at most the span.
 */
export function throttleTimeMs(rate: WindowedRate, quota: number, now: number): number {
  const observed = rate.measure(now);
  if (observed <= quota) return 0;
  const span = rate.span(now);
  return Math.min(Math.round(((observed - quota) / quota) * span), rate.numWindows * rate.windowMs);
}

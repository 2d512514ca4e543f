/** The nearest-rank percentile p (in [0, 100]) of ascending `sorted` (not empty). */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil((p * n) / 100 - 1e-9) - 1))]!;
}

/** Latency samples in a fixed-size buffer (bounded memory) and their percentiles. */
export class LatencySamples {
  private readonly values: Float64Array;
  count = 0;

  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.count < this.values.length) this.values[this.count++] = ms;
  }

  /** p in [0, 100]; null when there are no samples. Nearest-rank on the sorted samples. */
  percentiles(ps: readonly number[]): (number | null)[] {
    if (this.count === 0) return ps.map(() => null);
    const sorted = this.values.slice(0, this.count).sort();
    return ps.map((p) => nearestRank(sorted, p));
  }
}

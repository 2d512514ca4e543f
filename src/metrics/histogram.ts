/**
 * A histogram for hot paths: one label (e.g. the Kafka API name), observations land in a plain
 * Float64Array per label value found by a small integer key, so observing costs a bucket search and
 * three additions (prom-client's Histogram hashes its label object on every observation). It is
 * registered on a prom-client Registry as a custom metric and written in the standard
 * `_bucket{le=...}`/`_sum`/`_count` form.
 */
import type { Registry } from 'prom-client';

interface Series {
  label: string;
  /** Cumulative counts are computed at scrape time; these are per bucket, the last one +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly labelName: string;
  private readonly bounds: readonly number[];
  private readonly series: (Series | undefined)[] = [];

  constructor(opts: {
    name: string;
    help: string;
    labelName: string;
    buckets: readonly number[];
    registry: Registry;
  }) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelName = opts.labelName;
    this.bounds = opts.buckets;
    // biome-ignore lint/suspicious/noExplicitAny: prom-client types want its own Metric class; the registry only calls get().
    opts.registry.registerMetric(this as any);
  }

  /** Records `value` for the series `key` (label value `label`, given on first use). */
  observe(key: number, label: string, value: number): void {
    let s = this.series[key];
    if (s === undefined) {
      s = { label, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.series[key] = s;
    }
    let i = 0;
    const bounds = this.bounds;
    while (i < bounds.length && value > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Registry.resetMetrics() calls this: every series starts again from zero. */
  reset(): void {
    this.series.length = 0;
  }

  /** Observation counts per label value (the `_count` series). */
  counts(): [label: string, count: number][] {
    const out: [string, number][] = [];
    for (const s of this.series) if (s) out.push([s.label, s.count]);
    return out;
  }

  /** What prom-client's Registry reads at scrape time. */
  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { metricName: string; labels: Record<string, string | number>; value: number }[];
  } {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series) {
      if (!s) continue;
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { [this.labelName]: s.label, le },
          value: cumulative,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { [this.labelName]: s.label }, value: s.sum });
      values.push({
        metricName: `${this.name}_count`,
        labels: { [this.labelName]: s.label },
        value: s.count,
      });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

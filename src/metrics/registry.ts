/**
 * The Prometheus registry every Samsa service exposes at `/metrics`: a prom-client `Registry` with
 * Node's process metrics (`process_*`, `nodejs_*`) registered — prom-client's default collectors
 * except the GC-duration histogram, whose `gc` PerformanceObserver runs a JavaScript callback after
 * every garbage collection (many times a second on a busy broker with its 8 MB young generation;
 * docs/benchmarks.md) — plus helpers that hang a gauge or
 * counter on a callback run at scrape time. Services keep plain-number counters on their hot paths
 * and publish them through these callbacks, so a request never touches a label map. Metric names
 * follow Kafka's JMX exporter and kafka-exporter (docs/metrics.md lists them all).
 */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';

const requireHere = createRequire(import.meta.url);

// prom-client's classes from their own modules: its index also loads the other metric types, the
// Pushgateway, cluster support and the default collectors, whose CPU counter imports
// @opentelemetry/api (51 modules) for exemplars we do not use — about 1 MB of an idle Connect
// worker's heap (docs/benchmarks.md, "Connect worker memory, second pass"). The classes are the
// ones the index exports (it requires these same modules).
const Registry = requireHere('prom-client/lib/registry.js') as typeof PromClient.Registry;
type Registry = PromClient.Registry;
const Counter = requireHere('prom-client/lib/counter.js') as typeof PromClient.Counter;
type Counter = PromClient.Counter;
const Gauge = requireHere('prom-client/lib/gauge.js') as typeof PromClient.Gauge;
type Gauge = PromClient.Gauge;

export { Registry };

/** The text format's content type (Prometheus 0.0.4). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * prom-client's default collectors, by module name, without `gc` (see above) and `processCpuTotal`
 * (`processCpuCounters` below instead).
 */
const PROCESS_COLLECTORS = [
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
] as const;

type Collector = (registry: Registry, config: Record<string, unknown>) => void;

/**
 * prom-client's `processCpuTotal` collector without its exemplar support (the only reason it
 * imports @opentelemetry/api): the same three counters, names and help texts, bumped at scrape
 * time by the CPU used since the previous scrape.
 */
function processCpuCounters(registry: Registry): void {
  let last = process.cpuUsage();
  const user = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers: [registry],
    // This one metric's collect() sets all three.
    collect() {
      const now = process.cpuUsage();
      const userSeconds = (now.user - last.user) / 1e6;
      const systemSeconds = (now.system - last.system) / 1e6;
      last = now;
      user.inc(userSeconds);
      system.inc(systemSeconds);
      total.inc(userSeconds + systemSeconds);
    },
  });
  const system = new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers: [registry],
  });
  const total = new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers: [registry],
  });
}

/** A new registry; `processMetrics: false` leaves out Node's process metrics. */
export function createRegistry(opts: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.processMetrics !== false) {
    processCpuCounters(registry);
    for (const name of PROCESS_COLLECTORS)
      (requireHere(`prom-client/lib/metrics/${name}.js`) as Collector)(registry, {});
  }
  return registry;
}

/** One sample: label values (in `labelNames` order) and the value. */
export type Sample = readonly [labels: Record<string, string | number>, value: number];

interface CallbackMetric {
  registry: Registry;
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Called at scrape time; returns the current samples (or one unlabelled value). */
  collect: () => Iterable<Sample> | number;
}

/** A gauge whose samples are computed at scrape time (log sizes, lag, connection counts). */
export function callbackGauge(m: CallbackMetric): Gauge {
  return new Gauge({
    name: m.name,
    help: m.help,
    labelNames: [...(m.labelNames ?? [])],
    registers: [m.registry],
    collect() {
      this.reset();
      const samples = m.collect();
      if (typeof samples === 'number') this.set(samples);
      else for (const [labels, value] of samples) this.set(labels, value);
    },
  });
}

/** A counter that publishes totals kept elsewhere as plain numbers (read at scrape time). */
export function callbackCounter(m: CallbackMetric): Counter {
  return new Counter({
    name: m.name,
    help: m.help,
    labelNames: [...(m.labelNames ?? [])],
    registers: [m.registry],
    collect() {
      this.reset();
      const samples = m.collect();
      if (typeof samples === 'number') this.inc(samples);
      else for (const [labels, value] of samples) this.inc(labels, value);
    },
  });
}

/** A histogram kept elsewhere (cumulative counts per bucket, then +Inf), read at scrape time. */
export function callbackHistogram(m: {
  registry: Registry;
  name: string;
  help: string;
  buckets: readonly number[];
  collect: () => { cumulative: readonly number[]; count: number; sum: number };
}): void {
  const metric = {
    name: m.name,
    help: m.help,
    type: 'histogram',
    aggregator: 'sum',
    /** The histogram is kept by its owner; Registry.resetMetrics() leaves it alone. */
    reset() {},
    get() {
      const h = m.collect();
      const values = m.buckets.map((le, i) => ({
        metricName: `${m.name}_bucket`,
        labels: { le } as Record<string, string | number>,
        value: h.cumulative[i] ?? 0,
      }));
      values.push({ metricName: `${m.name}_bucket`, labels: { le: '+Inf' }, value: h.count });
      values.push({ metricName: `${m.name}_sum`, labels: {}, value: h.sum });
      values.push({ metricName: `${m.name}_count`, labels: {}, value: h.count });
      return { name: m.name, help: m.help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: the registry only calls get() on a custom metric.
  m.registry.registerMetric(metric as any);
}

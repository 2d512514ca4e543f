/**
 * The CPU time metrics add per request on the broker's hot path, measured in isolation (so it does
 * not drown in a shared machine's noise the way a throughput comparison does): what a Produce
 * request with one partition costs in instrumentation — two performance.now() calls, one request-time
 * histogram observation, one per-topic counters lookup and four additions. Compare with the
 * broker's time per request (docs/benchmarks.md). Then the cost of one scrape of a broker with 100
 * topics × 4 partitions: the time to answer GET /metrics, which runs the scrape-time walks.
 *
 * Usage: node bench/metrics-hot-path.ts
 */
import { TopicCounters } from '../src/broker/metrics.ts';
import { FastHistogram } from '../src/metrics/histogram.ts';
import { createRegistry } from '../src/metrics/registry.ts';
import { startBroker } from '../src/testing/index.ts';

const histogram = new FastHistogram({
  name: 'h',
  help: 'h',
  labelName: 'request',
  buckets: [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000],
  registry: createRegistry({ processMetrics: false }),
});
const topics = new Map<string, TopicCounters>();
for (let i = 0; i < 100; i++) topics.set(`topic-${i}`, new TopicCounters());
const names = [...topics.keys()];

function request(i: number): void {
  const started = performance.now();
  const c = topics.get(names[i % names.length]!)!;
  c.produceRequests++;
  c.messagesIn += 100;
  c.bytesIn += 12_000;
  histogram.observe(0, 'Produce', performance.now() - started);
}

for (const n of [1e5, 1e6, 5e6]) {
  // CPU time, not wall time: on a busy machine the wall clock also counts time spent preempted.
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) request(i);
  const used = process.cpuUsage(t0);
  const ns = ((used.user + used.system) * 1000) / n;
  console.log(`${n.toLocaleString('en')} requests: ${ns.toFixed(1)} ns CPU per request`);
}

const broker = await startBroker({ metrics: true });
for (let i = 0; i < 100; i++) await broker.broker.services.topics.create(`scrape-${i}`, 4, {});
let bytes = 0;
for (let i = 0; i < 5; i++) bytes = (await (await fetch(broker.metricsUrl!)).text()).length;
const scrapes = 50;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < scrapes; i++) await (await fetch(broker.metricsUrl!)).text();
const wall = (performance.now() - t0) / scrapes;
const cpu = process.cpuUsage(cpu0);
console.log(
  `scrape of 400 partitions (${Math.round(bytes / 1024)} KiB of text): ${wall.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000 / scrapes).toFixed(1)} ms CPU (broker and scraper, one process)`,
);
await broker.stop();

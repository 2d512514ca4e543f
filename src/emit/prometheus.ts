/**
 * Publishes an emitter's metrics (`emitter.metrics()`) on a prom-client Registry, read at scrape
 * time: `registerEmitterMetrics(emitter, registry)`, then serve the registry at `/metrics` the way
 * your app already does. One emitter per registry (the names carry no emitter label).
 */
import type { Registry } from 'prom-client';
import { callbackCounter, callbackGauge, callbackHistogram, type Sample } from '../metrics/registry.ts';
import { type EmitterMetrics, LATENCY_BUCKETS_MS } from './metrics.ts';

export function registerEmitterMetrics(emitter: { metrics(): EmitterMetrics }, registry: Registry): void {
  const counters: [string, string, (m: EmitterMetrics) => number][] = [
    ['emitted_total', 'emit() calls accepted', (m) => m.emitted],
    ['delivered_total', 'Events acknowledged by the broker', (m) => m.delivered],
    ['spooled_total', 'Events written to the disk spool', (m) => m.spooled],
    ['send_errors_total', 'Sends the broker answered with an error after retries', (m) => m.sendErrors],
  ];
  for (const [name, help, read] of counters)
    callbackCounter({
      registry,
      name: `samsa_emitter_${name}`,
      help,
      collect: () => read(emitter.metrics()),
    });
  callbackCounter({
    registry,
    name: 'samsa_emitter_dropped_total',
    help: 'Events dropped, per reason',
    labelNames: ['reason'],
    collect: () =>
      Object.entries(emitter.metrics().droppedByReason).map(([reason, n]): Sample => [{ reason }, n]),
  });
  const gauges: [string, string, (m: EmitterMetrics) => number][] = [
    ['buffered_events', 'Events waiting in memory', (m) => m.bufferedEvents],
    ['buffer_bytes', 'Bytes waiting in memory', (m) => m.bufferBytes],
    ['spool_bytes', 'Bytes in the spool not yet delivered', (m) => m.spoolBytes],
  ];
  for (const [name, help, read] of gauges)
    callbackGauge({ registry, name: `samsa_emitter_${name}`, help, collect: () => read(emitter.metrics()) });
  callbackHistogram({
    registry,
    name: 'samsa_emitter_delivery_latency_ms',
    help: 'Time from emit() to the broker acknowledgement, in ms',
    buckets: LATENCY_BUCKETS_MS,
    collect: () => {
      const l = emitter.metrics().deliveryLatency;
      return { cumulative: l.buckets, count: l.count, sum: l.sumMs };
    },
  });
}

/**
 * The HTTP proxy's Prometheus metrics at `GET /metrics`: HTTP requests by method and status,
 * records produced (and refused) and consumed per topic, and open consumer instances. Produce and
 * consume routes bump plain numbers in a per-topic map; the registry reads them when scraped.
 */
import type { FastifyInstance } from 'fastify';
import { addMetricsRoute, countRequests } from '../metrics/fastify.ts';
import { callbackCounter, callbackGauge, createRegistry, type Sample } from '../metrics/registry.ts';

interface TopicTotals {
  produced: number;
  failed: number;
  consumed: number;
}

export class ProxyMetrics {
  private readonly topics = new Map<string, TopicTotals>();

  /** Adds `/metrics` and request counting to the proxy's server; `consumers` counts instances. */
  install(app: FastifyInstance, consumers: () => number): void {
    const registry = createRegistry();
    countRequests(app, registry, 'kafka_rest');
    addMetricsRoute(app, registry);
    const counters: [string, string, keyof TopicTotals][] = [
      [
        'records_produced_total',
        'Records produced through the proxy and acknowledged, per topic',
        'produced',
      ],
      ['records_produce_errors_total', 'Records the proxy could not produce, per topic', 'failed'],
      ['records_consumed_total', 'Records returned to proxy consumers, per topic', 'consumed'],
    ];
    for (const [name, help, field] of counters) {
      callbackCounter({
        registry,
        name: `kafka_rest_${name}`,
        help,
        labelNames: ['topic'],
        collect: () => [...this.topics].map(([topic, t]): Sample => [{ topic }, t[field]]),
      });
    }
    callbackGauge({
      registry,
      name: 'kafka_rest_consumer_instances',
      help: 'Consumer instances open in the proxy',
      collect: consumers,
    });
  }

  private topic(name: string): TopicTotals {
    let t = this.topics.get(name);
    if (t === undefined) {
      t = { produced: 0, failed: 0, consumed: 0 };
      this.topics.set(name, t);
    }
    return t;
  }

  produced(topic: string, ok: number, failed: number): void {
    const t = this.topic(topic);
    t.produced += ok;
    t.failed += failed;
  }

  consumed(records: readonly { topic: string }[]): void {
    let last: string | undefined;
    let t: TopicTotals | undefined;
    for (const r of records) {
      if (r.topic !== last) {
        last = r.topic;
        t = this.topic(r.topic);
      }
      t!.consumed++;
    }
  }
}

/**
 * Publishes a KafkaStreams instance's metrics (`streams.metrics()`) on a prom-client Registry, read
 * at scrape time, with Kafka Streams' JMX names as the JMX exporter writes them:
 * `registerStreamsMetrics(streams, registry)`. One instance per registry (no client-id label).
 */
import type { Registry } from 'prom-client';
import { callbackCounter, callbackGauge, type Sample } from '../../metrics/registry.ts';
import type { StreamsMetricsSnapshot } from './metrics.ts';

export function registerStreamsMetrics(
  streams: { metrics(): StreamsMetricsSnapshot },
  registry: Registry,
): void {
  const thread = 'kafka_streams_stream_thread_metrics';
  const counters: [string, string, (m: StreamsMetricsSnapshot) => number][] = [
    [`${thread}_process_total`, 'Records processed', (m) => m.processTotal],
    [`${thread}_commit_total`, 'Commits', (m) => m.commitTotal],
    [`${thread}_punctuate_total`, 'Punctuations run', (m) => m.punctuateTotal],
    [
      'kafka_streams_stream_processor_node_metrics_produced_total',
      'Records sent to sink topics',
      (m) => m.producedTotal,
    ],
    [
      'kafka_streams_stream_task_metrics_dropped_records_total',
      'Records dropped (window closed)',
      (m) => m.droppedRecordsTotal,
    ],
    [
      'kafka_streams_stream_task_metrics_skipped_records_total',
      'Records skipped (bad data or timestamp)',
      (m) => m.skippedRecordsTotal,
    ],
    [
      'kafka_streams_stream_state_metrics_restore_total',
      'Records restored into state stores',
      (m) => m.restoredRecordsTotal,
    ],
    ['kafka_streams_rebalance_total', 'Rebalances seen', (m) => m.rebalanceTotal],
  ];
  for (const [name, help, read] of counters)
    callbackCounter({ registry, name, help, collect: () => read(streams.metrics()) });
  const gauges: [string, string, (m: StreamsMetricsSnapshot) => number][] = [
    [
      `${thread}_process_latency_avg`,
      'Average process time per record batch, ms',
      (m) => m.processLatencyAvgMs,
    ],
    [
      `${thread}_process_latency_max`,
      'Longest process time per record batch, ms',
      (m) => m.processLatencyMaxMs,
    ],
    [`${thread}_commit_latency_avg`, 'Average commit time, ms', (m) => m.commitLatencyAvgMs],
    [`${thread}_commit_latency_max`, 'Longest commit time, ms', (m) => m.commitLatencyMaxMs],
  ];
  for (const [name, help, read] of gauges)
    callbackGauge({ registry, name, help, collect: () => read(streams.metrics()) });
  callbackGauge({
    registry,
    name: 'kafka_streams_stream_task_metrics_records_lag',
    help: 'High watermark minus fetch position, per task and input partition',
    labelNames: ['task_id', 'partition'],
    collect: () =>
      Object.entries(streams.metrics().tasks).flatMap(([task_id, t]) =>
        Object.entries(t.lag).map(([partition, n]): Sample => [{ task_id, partition }, n]),
      ),
  });
  callbackCounter({
    registry,
    name: 'kafka_streams_stream_task_metrics_process_total',
    help: 'Records processed, per task (tasks now assigned)',
    labelNames: ['task_id'],
    collect: () =>
      Object.entries(streams.metrics().tasks).map(([task_id, t]): Sample => [{ task_id }, t.processTotal]),
  });
  callbackGauge({
    registry,
    name: 'kafka_streams_stream_task_metrics_buffered_records',
    help: 'Records buffered for processing, per task',
    labelNames: ['task_id'],
    collect: () =>
      Object.entries(streams.metrics().tasks).map(([task_id, t]): Sample => [{ task_id }, t.bufferedRecords]),
  });
}

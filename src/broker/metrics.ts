/**
 * The broker's Prometheus metrics, named as Kafka's JMX exporter and kafka-exporter name them
 * (docs/metrics.md lists each with its labels). Handlers bump plain numbers: per-topic counters
 * (`topic(name)`, one map lookup per topic per request), per-API request times (`request()`), the
 * purgatory sizes and authentication results. Everything that needs walking state — log sizes and
 * offsets, consumer group lag, states and members, open connections per listener — is computed
 * when Prometheus scrapes, never on the request path. Metrics for a deleted topic disappear at the
 * next scrape. Not (yet) exposed: per-client-id quotas, replication metrics (single node).
 */
import type { Registry } from 'prom-client';
import { lag } from '../coordinator/lag.ts';
import { FastHistogram } from '../metrics/histogram.ts';
import { callbackCounter, callbackGauge, createRegistry, type Sample } from '../metrics/registry.ts';
import { API_KEY_BY_ID } from '../protocol/generated/api-keys.ts';
import type { ListenerAddress } from './handler.ts';
import type { BrokerServices } from './services.ts';

/** Per-topic totals, bumped by the Produce and Fetch handlers. */
export class TopicCounters {
  messagesIn = 0;
  bytesIn = 0;
  bytesOut = 0;
  bytesRejected = 0;
  produceRequests = 0;
  fetchRequests = 0;
  failedProduceRequests = 0;
  failedFetchRequests = 0;
}

/** What the scrape-time gauges read from the running broker. */
export interface BrokerMetricsSource {
  readonly services: BrokerServices;
  /** The listener of every open connection. */
  connectionListeners(): Iterable<ListenerAddress>;
}

/** Request time buckets in ms (Kafka's TotalTimeMs covers the long-poll wait too). */
const TIME_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];

const TOPIC_COUNTERS: readonly [name: string, help: string, field: keyof TopicCounters][] = [
  ['messagesin', 'Records appended, per topic', 'messagesIn'],
  ['bytesin', 'Record batch bytes appended, per topic', 'bytesIn'],
  ['bytesout', 'Record batch bytes returned by Fetch, per topic', 'bytesOut'],
  [
    'bytesrejected',
    'Record batch bytes refused (too large, invalid, bad timestamps), per topic',
    'bytesRejected',
  ],
  ['totalproducerequests', 'Produce requests per topic-partition, per topic', 'produceRequests'],
  ['totalfetchrequests', 'Fetch requests per topic-partition, per topic', 'fetchRequests'],
  ['failedproducerequests', 'Produce partitions answered with an error, per topic', 'failedProduceRequests'],
  ['failedfetchrequests', 'Fetch partitions answered with an error, per topic', 'failedFetchRequests'],
];

export class BrokerMetrics {
  readonly registry: Registry;
  /** Fetch long polls waiting for data (Kafka's DelayedFetch purgatory). */
  fetchPurgatory = 0;
  /** acks=-1 produce requests waiting for fsync (Kafka's DelayedProduce purgatory). */
  producePurgatory = 0;
  private readonly topics = new Map<string, TopicCounters>();
  private readonly requestTime: FastHistogram;
  private readonly authFailures = new Map<string, number>();
  private readonly authSuccesses = new Map<string, number>();

  constructor(source: BrokerMetricsSource) {
    const registry = createRegistry();
    this.registry = registry;
    const { services } = source;
    for (const [name, help, field] of TOPIC_COUNTERS) {
      callbackCounter({
        registry,
        name: `kafka_server_brokertopicmetrics_${name}_total`,
        help,
        labelNames: ['topic'],
        collect: () => this.topicSamples(services, field),
      });
    }
    this.requestTime = new FastHistogram({
      registry,
      name: 'kafka_network_requestmetrics_totaltimems',
      help: 'Time from a request being read to its response being ready, in ms, per API',
      labelName: 'request',
      buckets: TIME_BUCKETS_MS,
    });
    callbackCounter({
      registry,
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests answered, per API',
      labelNames: ['request'],
      collect: () => this.requestTime.counts().map(([request, n]): Sample => [{ request }, n]),
    });
    callbackGauge({
      registry,
      name: 'kafka_server_socketservermetrics_connection_count',
      help: 'Open client connections, per listener',
      labelNames: ['listener'],
      collect: () => {
        const counts = new Map<string, number>();
        for (const l of source.connectionListeners())
          counts.set(l.protocol, (counts.get(l.protocol) ?? 0) + 1);
        return [...counts].map(([listener, n]): Sample => [{ listener }, n]);
      },
    });
    for (const [name, map, help] of [
      ['failed_authentication_total', this.authFailures, 'SASL authentications that failed, per listener'],
      [
        'successful_authentication_total',
        this.authSuccesses,
        'SASL authentications that succeeded, per listener',
      ],
    ] as const) {
      callbackCounter({
        registry,
        name: `kafka_server_socketservermetrics_${name}`,
        help,
        labelNames: ['listener'],
        collect: () => [...map].map(([listener, n]): Sample => [{ listener }, n]),
      });
    }
    callbackGauge({
      registry,
      name: 'kafka_server_delayedoperationpurgatory_purgatorysize',
      help: 'Requests waiting: Fetch long polls for data, Produce (acks=-1) for fsync',
      labelNames: ['delayedoperation'],
      collect: () => [
        [{ delayedoperation: 'Fetch' }, this.fetchPurgatory],
        [{ delayedoperation: 'Produce' }, this.producePurgatory],
      ],
    });
    this.registerLogGauges(services);
    this.registerGroupGauges(services);
  }

  /** The counters of an existing topic (callers check the topic exists, so names stay bounded). */
  topic(name: string): TopicCounters {
    let c = this.topics.get(name);
    if (c === undefined) {
      c = new TopicCounters();
      this.topics.set(name, c);
    }
    return c;
  }

  /** One answered request of API `apiKey` that took `ms`. */
  request(apiKey: number, ms: number): void {
    this.requestTime.observe(apiKey, API_KEY_BY_ID.get(apiKey)?.name ?? String(apiKey), ms);
  }

  /** A SASL authentication on a listener (by security protocol) succeeded or failed. */
  authentication(listener: string, ok: boolean): void {
    const map = ok ? this.authSuccesses : this.authFailures;
    map.set(listener, (map.get(listener) ?? 0) + 1);
  }

  private topicSamples(services: BrokerServices, field: keyof TopicCounters): Sample[] {
    const out: Sample[] = [];
    for (const [topic, c] of this.topics) {
      if (!services.topics.get(topic)) {
        this.topics.delete(topic);
        continue;
      }
      out.push([{ topic }, c[field]]);
    }
    return out;
  }

  private registerLogGauges(services: BrokerServices): void {
    const perPartition = (read: (topic: string, p: number) => number | undefined) => (): Sample[] => {
      const out: Sample[] = [];
      for (const t of services.topics.list()) {
        for (let p = 0; p < t.partitionCount; p++) {
          const v = read(t.name, p);
          if (v !== undefined) out.push([{ topic: t.name, partition: p }, v]);
        }
      }
      return out;
    };
    const { topics } = services;
    const gauges: [string, string, (t: string, p: number) => number | undefined][] = [
      ['size', 'Bytes on disk, per partition', (t, p) => topics.partitionSize(t, p)],
      [
        'logendoffset',
        'Offset of the next record, per partition',
        (t, p) => topics.partition(t, p)?.logEndOffset,
      ],
      [
        'logstartoffset',
        'First offset still readable, per partition',
        (t, p) => topics.partition(t, p)?.logStartOffset,
      ],
    ];
    for (const [name, help, read] of gauges) {
      callbackGauge({
        registry: this.registry,
        name: `kafka_log_log_${name}`,
        help,
        labelNames: ['topic', 'partition'],
        collect: perPartition(read),
      });
    }
    callbackGauge({
      registry: this.registry,
      name: 'kafka_topic_partitions',
      help: 'Partitions, per topic',
      labelNames: ['topic'],
      collect: () => topics.list().map((t): Sample => [{ topic: t.name }, t.partitionCount]),
    });
  }

  private registerGroupGauges(services: BrokerServices): void {
    const { groups, topics } = services;
    const offsets = (): { group: string; topic: string; partition: number; committed: bigint }[] => {
      const out: { group: string; topic: string; partition: number; committed: bigint }[] = [];
      for (const g of groups.listGroups().groups) {
        const fetched = groups.fetchOffsets(g.groupId, null);
        for (const t of fetched.topics)
          for (const p of t.partitions)
            if (p.errorCode === 0 && p.committedOffset >= 0n)
              out.push({
                group: g.groupId,
                topic: t.name,
                partition: p.partitionIndex,
                committed: p.committedOffset,
              });
      }
      return out;
    };
    callbackGauge({
      registry: this.registry,
      name: 'kafka_consumergroup_current_offset',
      help: 'Committed offset, per group, topic and partition',
      labelNames: ['consumergroup', 'topic', 'partition'],
      collect: () =>
        offsets().map(
          (o): Sample => [
            { consumergroup: o.group, topic: o.topic, partition: o.partition },
            Number(o.committed),
          ],
        ),
    });
    callbackGauge({
      registry: this.registry,
      name: 'kafka_consumergroup_lag',
      help: 'Records between the committed offset and the log end offset, per group, topic and partition',
      labelNames: ['consumergroup', 'topic', 'partition'],
      collect: () => {
        const out: Sample[] = [];
        for (const o of offsets()) {
          const log = topics.partition(o.topic, o.partition);
          if (!log) continue;
          const behind = lag(o.committed, BigInt(log.logEndOffset)) ?? 0n;
          out.push([{ consumergroup: o.group, topic: o.topic, partition: o.partition }, Number(behind)]);
        }
        return out;
      },
    });
    callbackGauge({
      registry: this.registry,
      name: 'kafka_consumergroup_members',
      help: 'Members, per group',
      labelNames: ['consumergroup'],
      collect: () =>
        groups
          .listGroups()
          .groups.map(
            (g): Sample => [{ consumergroup: g.groupId }, groups.describeGroup(g.groupId).members.length],
          ),
    });
    callbackGauge({
      registry: this.registry,
      name: 'kafka_consumergroup_state',
      help: 'The group state (1 for the current one): Empty, PreparingRebalance, CompletingRebalance, Stable, Dead',
      labelNames: ['consumergroup', 'state'],
      collect: () =>
        groups.listGroups().groups.map((g): Sample => [{ consumergroup: g.groupId, state: g.groupState }, 1]),
    });
    callbackGauge({
      registry: this.registry,
      name: 'kafka_coordinator_group_groupmetadatamanager_numgroups',
      help: 'Consumer groups, per state',
      labelNames: ['state'],
      collect: () => {
        const counts = new Map<string, number>();
        for (const g of groups.listGroups().groups)
          counts.set(g.groupState, (counts.get(g.groupState) ?? 0) + 1);
        return [...counts].map(([state, n]): Sample => [{ state }, n]);
      },
    });
  }
}

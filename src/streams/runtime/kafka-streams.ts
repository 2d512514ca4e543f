/**
 * `KafkaStreams`: runs a topology against a Kafka cluster (Samsa or any Kafka) with the settings
 * of Kafka Streams. start() locks the state directory, creates internal topics, and runs the
 * processing loop (StreamThread) in the background; close() commits, writes checkpoints, leaves
 * the group and releases the lock. SIGTERM/SIGINT close the instance gracefully by default.
 * Interactive queries: `store(name)` reads this instance's stores; `queryMetadataForKey` and
 * `metadataForAllStreamsClients` say which instance (application.server) holds a key.
 * States follow Kafka's: CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN → NOT_RUNNING, or ERROR.
 */
import { Admin, ConfigResourceTypes, Consumer, Producer } from '@platformatic/kafka';
import pino from 'pino';
import { connectionOptions, type KafkaConnectionOptions } from '../../client/connection-options.ts';
import { partitionForKey } from '../../client/partitioner.ts';
import { RawFetcher } from '../../client/raw-fetch.ts';
import { defaultSerdes, parseStreamsConfig, type StreamsConfig, type StreamsConfigInput } from '../config.ts';
import { InvalidStateStoreException, type Logger, StreamsException } from '../errors.ts';
import type { StateStore } from '../processor/api.ts';
import type { Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';
import type { ReadOnlyKeyValueStore } from '../state/key-value-store.ts';
import type { ReadOnlySessionStore } from '../state/session-store.ts';
import { StateDirectory } from '../state/state-directory.ts';
import type { ReadOnlyWindowStore } from '../state/window-store.ts';
import { unwrapTimestamped, unwrapTimestampedWindow } from '../test-driver/topology-test-driver.ts';
import { tpKey } from './fetcher.ts';
import { GlobalStores } from './global-stores.ts';
import { GroupMember } from './group-member.ts';
import { prepareInternalTopics } from './internal-topics.ts';
import { StreamsMetrics, type StreamsMetricsSnapshot } from './metrics.ts';
import { KafkaRecordCollector } from './record-collector.ts';
import { type StateRestoreListener, StreamThread } from './stream-thread.ts';

export type { StateRestoreListener };

export type KafkaStreamsState =
  | 'CREATED'
  | 'REBALANCING'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'NOT_RUNNING'
  | 'PENDING_ERROR'
  | 'ERROR';

export interface HostInfo {
  host: string;
  port: number;
}

/** Kafka's StreamsMetadata: one instance, what it runs and which stores it holds. */
export interface StreamsMetadata {
  hostInfo: HostInfo;
  stateStoreNames: string[];
  topicPartitions: { topic: string; partition: number }[];
}

export interface KeyQueryMetadata {
  activeHost: HostInfo;
  standbyHosts: HostInfo[];
  partition: number;
}

export interface KafkaStreamsOptions {
  /** Close gracefully on SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  logger?: Logger;
}

export class KafkaStreams {
  private readonly topology: Topology;
  private readonly config: StreamsConfig;
  private readonly logger: Logger;
  private readonly handleSignals: boolean;
  private readonly metricsImpl = new StreamsMetrics();
  private stateValue: KafkaStreamsState = 'CREATED';
  private stateListener: ((newState: KafkaStreamsState, oldState: KafkaStreamsState) => void) | null = null;
  private restoreListener: StateRestoreListener | null = null;
  private uncaughtHandler: ((err: Error) => void) | null = null;
  private thread: StreamThread | null = null;
  private running: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private resources: {
    admin: Admin;
    consumer: Consumer;
    fetcher: RawFetcher;
    producer: Producer;
    member: GroupMember;
    stateDirectory: StateDirectory;
    globals: GlobalStores;
    collector?: KafkaRecordCollector;
  } | null = null;
  private readonly signalHandler = (signal: NodeJS.Signals) => {
    this.logger.info({ signal }, 'closing on signal');
    void this.close().finally(() => {
      process.removeListener('SIGTERM', this.signalHandler);
      process.removeListener('SIGINT', this.signalHandler);
      process.kill(process.pid, signal);
    });
  };
  private storeToSubtopology = new Map<string, number>();

  constructor(topology: Topology, config: StreamsConfigInput, options: KafkaStreamsOptions = {}) {
    this.topology = topology;
    this.config = parseStreamsConfig(config, { requireBootstrap: true });
    this.logger =
      options.logger ??
      pino({
        level: process.env.SAMSA_STREAMS_LOG_LEVEL ?? 'info',
        base: { app: this.config.applicationId },
      });
    this.handleSignals = options.handleSignals ?? true;
    for (const st of topology.subtopologies())
      for (const s of st.stores) this.storeToSubtopology.set(s, st.id);
  }

  state(): KafkaStreamsState {
    return this.stateValue;
  }

  private setState(next: KafkaStreamsState): void {
    const old = this.stateValue;
    if (old === next) return;
    if (
      (old === 'PENDING_SHUTDOWN' || old === 'NOT_RUNNING' || old === 'ERROR') &&
      (next === 'RUNNING' || next === 'REBALANCING')
    )
      return;
    this.stateValue = next;
    this.stateListener?.(next, old);
  }

  setStateListener(listener: (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void): void {
    this.stateListener = listener;
  }

  setGlobalStateRestoreListener(listener: StateRestoreListener): void {
    this.restoreListener = listener;
  }

  /** Called with the error that stopped the instance (state ERROR). */
  setUncaughtExceptionHandler(handler: (err: Error) => void): void {
    this.uncaughtHandler = handler;
  }

  private connection(): KafkaConnectionOptions {
    const c = this.config;
    const input: Parameters<typeof connectionOptions>[0] = {};
    if (c.bootstrapServers) input.bootstrap = c.bootstrapServers;
    if (c.sasl.mechanism) input.saslMechanism = c.sasl.mechanism;
    if (c.sasl.username) input.saslUsername = c.sasl.username;
    if (c.sasl.password) input.saslPassword = c.sasl.password;
    return connectionOptions(input, process.env);
  }

  /** Starts processing in the background; resolves once the instance is set up (before the first assignment). */
  async start(): Promise<void> {
    if (this.stateValue !== 'CREATED')
      throw new StreamsException(`start() called in state ${this.stateValue}`);
    const c = this.config;
    const stateDirectory = new StateDirectory(c.stateDir, c.applicationId);
    stateDirectory.lock();
    const processId = stateDirectory.processId();
    const connection = this.connection();
    const base = {
      ...connection,
      clientId: c.clientId,
      connectTimeout: 5_000,
      requestTimeout: c.requestTimeoutMs,
      retries: 5,
      retryDelay: 250,
      autocreateTopics: false,
    };
    const eos = c.processingGuarantee === 'exactly_once_v2';
    const transactionalId = eos ? `${c.applicationId}-${processId}-1` : null;
    const admin = new Admin(base);
    const consumer = new Consumer({
      ...base,
      groupId: c.applicationId,
      autocommit: false,
      maxWaitTime: c.pollMs,
    });
    const fetcher = new RawFetcher({
      clientId: c.clientId,
      connection,
      metadata: consumer,
      requestTimeoutMs: c.requestTimeoutMs,
    });
    const producer = new Producer({
      ...base,
      acks: -1,
      idempotent: eos,
      ...(eos ? { transactionalId: transactionalId!, timeout: c.transactionTimeoutMs } : {}),
    });
    const member = new GroupMember({
      groupId: c.applicationId,
      clientId: c.clientId,
      connection,
      consumer,
      sessionTimeoutMs: c.sessionTimeoutMs,
      rebalanceTimeoutMs: c.maxPollIntervalMs,
      heartbeatIntervalMs: c.heartbeatIntervalMs,
      requestTimeoutMs: c.requestTimeoutMs,
      logger: this.logger,
    });
    const serdes = defaultSerdes(c);
    const globals = new GlobalStores(this.topology, {
      applicationId: c.applicationId,
      stateDir: null,
      defaultKeySerde: serdes.defaultKeySerde,
      defaultValueSerde: serdes.defaultValueSerde,
      logger: this.logger,
    });
    this.resources = { admin, consumer, fetcher, producer, member, stateDirectory, globals };
    try {
      const plan = await prepareInternalTopics(
        admin,
        this.topology,
        c.applicationId,
        c.replicationFactor,
        this.logger,
      );
      const collector = new KafkaRecordCollector(producer, eos, this.metricsImpl);
      this.resources.collector = collector;
      for (const [topic, n] of plan.partitionCounts) collector.setPartitionCount(topic, n);
      for (const t of plan.changelogs.values()) {
        const st = [...this.storeToSubtopology].find(([s]) => plan.changelogs.get(s) === t)?.[1];
        const sources = plan.subtopologies.find((s) => s.id === st)?.sourceTopics ?? [];
        collector.setPartitionCount(t, Math.max(0, ...sources.map((s) => plan.partitionCounts.get(s) ?? 0)));
      }
      // output topics' partition counts now, so the first records need not wait for them (a
      // topic missing here is looked up, and reported, at its first record as before)
      const outputs = [...this.topology.nodes.values()].flatMap((n) =>
        n.kind === 'sink' && typeof n.topic === 'string' && !this.topology.internalTopics.has(n.topic)
          ? [n.topic]
          : [],
      );
      const unknown = [...new Set(outputs)].filter((t) => collector.partitionsFor(t) === undefined);
      if (unknown.length > 0) {
        const metadata = await admin.metadata({ topics: unknown }).catch(() => null);
        for (const t of unknown) {
          const n = metadata?.topics.get(t)?.partitionsCount;
          if (n !== undefined && n > 0) collector.setPartitionCount(t, n);
        }
      }
      // at_least_once batches are sized to each written topic's max.message.bytes (one request's
      // worth); a broker that does not answer (ACLs) leaves the collector's smaller default
      if (!eos) {
        const written = [
          ...new Set([...outputs, ...plan.changelogs.values(), ...this.topology.internalTopics.keys()]),
        ];
        const described = await admin
          .describeConfigs({
            resources: written.map((t) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: t })),
          })
          .catch(() => []);
        for (const d of described) {
          const v = d.configs.find((c) => c.name === 'max.message.bytes')?.value;
          if (v) collector.setMaxMessageBytes(d.resourceName, Number(v));
        }
      }
      globals.init();
      this.thread = new StreamThread({
        topology: this.topology,
        config: c,
        serdes,
        consumer,
        fetcher,
        member,
        collector,
        stateDirectory,
        plan,
        globals,
        processId,
        transactionalId,
        producerInfo: () =>
          producer.producerId === undefined || producer.producerEpoch === undefined
            ? null
            : { producerId: producer.producerId, producerEpoch: producer.producerEpoch },
        logger: this.logger,
        metrics: this.metricsImpl,
        restoreListener: () => this.restoreListener,
        onStateChange: (s) => this.setState(s),
      });
    } catch (err) {
      await this.release();
      this.setState('ERROR');
      throw err;
    }
    if (this.handleSignals) {
      process.on('SIGTERM', this.signalHandler);
      process.on('SIGINT', this.signalHandler);
    }
    this.setState('REBALANCING');
    const thread = this.thread;
    this.running = thread.run().catch(async (err: Error) => {
      this.logger.error({ err: err.message, stack: err.stack }, 'stream thread failed; the instance stops');
      this.setState('PENDING_ERROR');
      try {
        await thread.shutdown();
      } catch {}
      await this.release();
      this.setState('ERROR');
      this.uncaughtHandler?.(err);
    });
  }

  private async release(): Promise<void> {
    const r = this.resources;
    this.resources = null;
    if (!r) return;
    process.removeListener('SIGTERM', this.signalHandler);
    process.removeListener('SIGINT', this.signalHandler);
    r.globals.close();
    await r.member.close().catch(() => {});
    await Promise.all(
      [
        r.collector?.close() ?? Promise.resolve(),
        r.consumer.close(true),
        r.fetcher.close(),
        r.producer.close(true),
        r.admin.close(),
      ].map((p) => p.catch(() => {})),
    );
    r.stateDirectory.unlock();
  }

  /** Commits, closes tasks (writing checkpoints), leaves the group and stops. */
  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      if (this.stateValue === 'CREATED') {
        this.setState('NOT_RUNNING');
        return;
      }
      if (this.stateValue === 'ERROR') return;
      this.setState('PENDING_SHUTDOWN');
      const thread = this.thread;
      if (thread) {
        thread.stop();
        await this.running?.catch(() => {});
        if (this.stateValue === 'PENDING_SHUTDOWN') {
          try {
            await thread.shutdown();
          } catch (err) {
            this.logger.warn({ err: (err as Error).message }, 'error during shutdown');
          }
        }
      }
      await this.release();
      if (this.stateValue === 'PENDING_SHUTDOWN') this.setState('NOT_RUNNING');
    })();
    return this.closing;
  }

  /** Deletes this application's local state directory (only while not running). */
  cleanUp(): void {
    if (this.stateValue !== 'CREATED' && this.stateValue !== 'NOT_RUNNING' && this.stateValue !== 'ERROR')
      throw new StreamsException('cleanUp() can only be called before start() or after close()');
    new StateDirectory(this.config.stateDir, this.config.applicationId).cleanUp();
  }

  metrics(): StreamsMetricsSnapshot {
    return this.metricsImpl.snapshot();
  }

  // ---------------------------------------------------------------- interactive queries

  private localStores(name: string): StateStore[] {
    if (this.stateValue !== 'RUNNING')
      throw new InvalidStateStoreException(
        `cannot query store ${name} while the instance is ${this.stateValue} (wait for RUNNING)`,
      );
    const global = this.resources?.globals.store(name);
    if (global) return [global];
    if (!this.storeToSubtopology.has(name))
      throw new InvalidStateStoreException(`no store named ${name} in this topology`);
    return [...(this.thread?.tasks.values() ?? [])].flatMap((t) => {
      const s = t.stores.get(name);
      return s ? [s] : [];
    });
  }

  /** Read-only view of a key-value store over every task of this instance (DSL timestamps hidden). */
  keyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const stores = () => this.localStores(name).map((s) => unwrapTimestamped<K, V>(s as never));
    return {
      get: (key) => {
        for (const s of stores()) {
          const v = s.get(key);
          if (v !== null) return v;
        }
        return null;
      },
      range: (from, to) => stores().flatMap((s) => s.range(from, to)),
      all: () => stores().flatMap((s) => s.all()),
      prefixScan: (p) => stores().flatMap((s) => s.prefixScan(p)),
      approximateNumEntries: () => stores().reduce((n, s) => n + s.approximateNumEntries(), 0),
    };
  }

  windowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    const stores = () => this.localStores(name).map((s) => unwrapTimestampedWindow<K, V>(s as never));
    return {
      fetch: (key, time) => {
        for (const s of stores()) {
          const v = s.fetch(key, time);
          if (v !== null) return v;
        }
        return null;
      },
      fetchRange: (key, from, to) => stores().flatMap((s) => s.fetchRange(key, from, to)),
      fetchAll: (from, to) => stores().flatMap((s) => s.fetchAll(from, to)),
      all: () => stores().flatMap((s) => s.all()),
    };
  }

  sessionStore<K, V>(name: string): ReadOnlySessionStore<K, V> {
    const stores = () => this.localStores(name) as unknown as ReadOnlySessionStore<K, V>[];
    return {
      findSessions: (key, a, b) => stores().flatMap((s) => s.findSessions(key, a, b)),
      fetchSession: (key, a, b) => {
        for (const s of stores()) {
          const v = s.fetchSession(key, a, b);
          if (v !== null) return v;
        }
        return null;
      },
      fetch: (key) => stores().flatMap((s) => s.fetch(key)),
    };
  }

  /** Every instance of this application (with application.server set), from the last assignment. */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    const a = this.thread?.assignment;
    if (!a) return [];
    const subtopologies = this.topology.subtopologies();
    return Object.entries(a.tasksByHost).map(([endpoint, tasks]) => {
      const [host, port] = endpoint.split(':');
      const stores = new Set<string>();
      for (const t of tasks)
        for (const s of subtopologies[Number(t.split('_')[0])]?.stores ?? []) stores.add(s);
      return {
        hostInfo: { host: host!, port: Number(port) },
        stateStoreNames: [...stores],
        topicPartitions: (a.partitionsByHost[endpoint] ?? []).map((tp) => {
          const i = tp.lastIndexOf(':');
          return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
        }),
      };
    });
  }

  /** Which instance holds `key` in store `storeName` (keys are partitioned as the store's input). */
  queryMetadataForKey<K>(storeName: string, key: K, keySerde: Serde<K>): KeyQueryMetadata | null {
    const a = this.thread?.assignment;
    const st = this.storeToSubtopology.get(storeName);
    if (!a || st === undefined) return null;
    const sub = this.topology.subtopologies()[st]!;
    const topic = sub.sourceTopics[0]!;
    const resolved = this.topology.internalTopics.has(topic)
      ? `${this.config.applicationId}-${topic}`
      : topic;
    const n = this.resources ? undefined : undefined;
    void n;
    const partitions = Object.values(a.partitionsByHost)
      .flat()
      .filter((tp) => tp.startsWith(`${resolved}:`)).length;
    const keyBytes = keySerde.serializer().serialize(resolved, key);
    if (keyBytes === null || partitions === 0) return null;
    const partition = partitionForKey(keyBytes, partitions);
    const wanted = tpKey(resolved, partition);
    for (const [endpoint, tps] of Object.entries(a.partitionsByHost)) {
      if (tps.includes(wanted)) {
        const [host, port] = endpoint.split(':');
        return { activeHost: { host: host!, port: Number(port) }, standbyHosts: [], partition };
      }
    }
    return null;
  }
}

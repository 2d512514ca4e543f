/**
 * `TopologyTestDriver`: runs a topology without a broker, like Kafka Streams' class of that name.
 * Pipe records into input topics, read what the sinks wrote from output topics, look into state
 * stores, and move time by hand (`advanceWallClockTime`, record timestamps for stream time).
 * Every sub-topology runs as one task (partition 0); records written to a topic the topology
 * reads (repartition topics included) are fed back in, and every piped record is followed by a
 * commit, so caches are flushed and output appears at once. Stores live in memory.
 */
import pino from 'pino';
import { defaultSerdes, parseStreamsConfig, type StreamsConfig, type StreamsConfigInput } from '../config.ts';
import { StreamsException } from '../errors.ts';
import type { Headers, StateStore } from '../processor/api.ts';
import type { Topology } from '../processor/topology.ts';
import { GlobalStores } from '../runtime/global-stores.ts';
import { StreamsMetrics, type StreamsMetricsSnapshot } from '../runtime/metrics.ts';
import { type RawRecord, type RecordCollector, StreamTask } from '../runtime/stream-task.ts';
import type { Serde } from '../serdes.ts';
import type { KeyValueStore, ReadOnlyKeyValueStore, ValueAndTimestamp } from '../state/key-value-store.ts';
import type { SessionStore } from '../state/session-store.ts';
import type { WindowStore } from '../state/window-store.ts';
import { TestInputTopic, TestOutputTopic, type TestRecord } from './test-topics.ts';

export interface ProducedRecord {
  topic: string;
  partition: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Headers;
}

export class TopologyTestDriver {
  private readonly config: StreamsConfig;
  private readonly tasks: StreamTask[] = [];
  private readonly taskByTopic = new Map<string, StreamTask>();
  private readonly outputs = new Map<string, ProducedRecord[]>();
  private readonly offsets = new Map<string, bigint>();
  private readonly loopBack: RawRecord[] = [];
  private readonly globals: GlobalStores;
  private readonly metricsImpl = new StreamsMetrics();
  private wallClock: number;
  private closed = false;

  constructor(
    topology: Topology,
    config: Partial<StreamsConfigInput> = {},
    initialWallClockTimeMs = Date.now(),
  ) {
    this.config = parseStreamsConfig({ 'application.id': 'test-driver', ...config } as StreamsConfigInput, {
      requireBootstrap: false,
    });
    this.wallClock = initialWallClockTimeMs;
    const logger = pino({ level: process.env.SAMSA_TEST_LOG_LEVEL ?? 'silent' });
    const appId = this.config.applicationId;
    const resolveTopic = (name: string) => (topology.internalTopics.has(name) ? `${appId}-${name}` : name);
    const collector: RecordCollector = {
      send: (topic, key, value, timestamp, headers, partition) =>
        this.capture({ topic, key, value, timestamp, headers, partition }),
      partitionsFor: () => 1,
    };
    const serdes = defaultSerdes(this.config);
    this.globals = new GlobalStores(topology, {
      applicationId: appId,
      stateDir: null,
      defaultKeySerde: serdes.defaultKeySerde,
      defaultValueSerde: serdes.defaultValueSerde,
      logger,
    });
    this.globals.init();
    const env = {
      applicationId: appId,
      ...serdes,
      deserializationHandler: this.config.deserializationHandler(logger),
      defaultTimestampExtractor: this.config.timestampExtractor,
      cacheMaxBytes: 0,
      resolveTopic,
      collector,
      stateDir: null,
      changelogTopic: () => null,
      globalStore: (name: string) => this.globals.store(name),
      systemTime: () => this.wallClock,
      metrics: this.metricsImpl,
      logger,
    };
    for (const st of topology.subtopologies()) {
      const task = new StreamTask(topology, st.id, 0, env);
      task.initStores();
      task.initProcessors();
      this.tasks.push(task);
      for (const p of task.inputPartitions) this.taskByTopic.set(p.topic, task);
    }
  }

  private capture(r: ProducedRecord): void {
    if (this.taskByTopic.has(r.topic)) {
      this.loopBack.push({
        topic: r.topic,
        partition: 0,
        offset: Number(this.nextOffset(r.topic)),
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: r.headers,
      });
    }
    let list = this.outputs.get(r.topic);
    if (list === undefined) {
      list = [];
      this.outputs.set(r.topic, list);
    }
    list.push(r);
  }

  private nextOffset(topic: string): bigint {
    const o = this.offsets.get(topic) ?? 0n;
    this.offsets.set(topic, o + 1n);
    return o;
  }

  /** @internal used by TestInputTopic */
  pipeRaw(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
  ): void {
    if (this.closed) throw new StreamsException('the test driver is closed');
    const raw: RawRecord = {
      topic,
      partition: 0,
      offset: Number(this.nextOffset(topic)),
      timestamp,
      key,
      value,
      headers,
    };
    if (this.globals.handles(topic)) {
      this.globals.apply(raw);
      return;
    }
    const task = this.taskByTopic.get(topic);
    if (!task)
      throw new StreamsException(
        `Unknown topic: ${topic} (the topology reads ${[...this.taskByTopic.keys()].join(', ')})`,
      );
    task.addRecords([raw]);
    this.drain();
  }

  private drain(): void {
    for (let rounds = 0; ; rounds++) {
      if (rounds > 1_000_000) throw new StreamsException('topology keeps producing into its own inputs');
      for (const t of this.tasks) while (t.process(1000) > 0);
      for (const t of this.tasks) t.prepareCommit();
      if (this.loopBack.length === 0) return;
      const batch = this.loopBack.splice(0);
      for (const r of batch) this.taskByTopic.get(r.topic)!.addRecords([r]);
    }
  }

  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    return new TestInputTopic(
      this,
      topic,
      keySerde,
      valueSerde,
      options.startTimestampMs ?? this.wallClock,
      options.autoAdvanceMs ?? 0,
    );
  }

  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /** @internal used by TestOutputTopic: removes and returns what was written to a topic. */
  takeOutput(topic: string, max = Number.POSITIVE_INFINITY): ProducedRecord[] {
    const list = this.outputs.get(topic) ?? [];
    return list.splice(0, Math.min(max, list.length));
  }

  /** @internal */
  outputSize(topic: string): number {
    return this.outputs.get(topic)?.length ?? 0;
  }

  /** Moves wall-clock time forward and fires due WALL_CLOCK_TIME punctuators. */
  advanceWallClockTime(ms: number): void {
    this.wallClock += ms;
    for (const t of this.tasks) t.punctuateWallClock(this.wallClock);
    this.drain();
  }

  producedTopicNames(): Set<string> {
    return new Set(this.outputs.keys());
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S | undefined {
    for (const t of this.tasks) {
      const s = t.stores.get(name);
      if (s) return s as S;
    }
    return this.globals.store(name) as S | undefined;
  }

  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const s = this.getStateStore<KeyValueStore<K, unknown> & StateStore>(name);
    if (!s) throw new StreamsException(`no store named ${name}`);
    return unwrapTimestamped<K, V>(s);
  }

  getTimestampedKeyValueStore<K, V>(name: string): KeyValueStore<K, ValueAndTimestamp<V>> {
    const s = this.getStateStore<KeyValueStore<K, ValueAndTimestamp<V>> & StateStore>(name);
    if (!s) throw new StreamsException(`no store named ${name}`);
    return s;
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> {
    const s = this.getStateStore<WindowStore<K, V> & StateStore>(name);
    if (!s) throw new StreamsException(`no store named ${name}`);
    return unwrapTimestampedWindow(s);
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> {
    const s = this.getStateStore<SessionStore<K, V> & StateStore>(name);
    if (!s) throw new StreamsException(`no store named ${name}`);
    return s;
  }

  metrics(): StreamsMetricsSnapshot {
    return this.metricsImpl.snapshot();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tasks) t.close();
    this.globals.close();
  }
}

function isTimestamped(v: unknown): v is ValueAndTimestamp<unknown> {
  return (
    v !== null && typeof v === 'object' && 'timestamp' in v && 'value' in v && Object.keys(v).length === 2
  );
}

/** A read-only view of a key-value store that hides DSL timestamps (as Kafka's IQ does). */
export function unwrapTimestamped<K, V>(s: KeyValueStore<K, unknown>): ReadOnlyKeyValueStore<K, V> {
  const un = (v: unknown) => (isTimestamped(v) ? v.value : v) as V;
  return {
    get: (k) => {
      const v = s.get(k);
      return v === null ? null : un(v);
    },
    range: (a, b) => s.range(a, b).map((e) => ({ key: e.key, value: un(e.value) })),
    all: () => s.all().map((e) => ({ key: e.key, value: un(e.value) })),
    prefixScan: (p) => s.prefixScan(p).map((e) => ({ key: e.key, value: un(e.value) })),
    approximateNumEntries: () => s.approximateNumEntries(),
  };
}

export function unwrapTimestampedWindow<K, V>(s: WindowStore<K, unknown>): WindowStore<K, V> {
  const un = (v: unknown) => (isTimestamped(v) ? v.value : v) as V;
  return {
    name: s.name,
    put: (k, v, t) => s.put(k, v, t),
    fetch: (k, t) => {
      const v = s.fetch(k, t);
      return v === null ? null : un(v);
    },
    fetchRange: (k, a, b) =>
      s.fetchRange(k, a, b).map((e) => ({ timestamp: e.timestamp, value: un(e.value) })),
    fetchAll: (a, b) => s.fetchAll(a, b).map((e) => ({ key: e.key, value: un(e.value) })),
    all: () => s.all().map((e) => ({ key: e.key, value: un(e.value) })),
  };
}

export type { TestRecord };

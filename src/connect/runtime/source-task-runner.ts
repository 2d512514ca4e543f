/**
 * Runs one source task (Kafka's `WorkerSourceTask`): poll → transforms → converters → produce with
 * acks=all, batch by batch in order. Source offsets of records the broker acknowledged are written
 * to the offset store every `offset.flush.interval.ms` (and when the task stops), and only then is
 * `task.commit()` called with them, so a connector confirms upstream only what is safe in Kafka.
 * Records dropped by a transform or skipped under `errors.tolerance=all` still advance the offset.
 * A request of less than a full chunk waits `linger.ms` (the connector's `producer.override.linger.ms`,
 * else the worker's `producer.linger.ms`, else 5 ms: Kafka 4.0's producer default) for what the task
 * brings next, so a trickle of small transactions (CDC streaming) costs one Produce request per
 * linger window rather than per round trip. Batches are compressed as the producer's
 * `compression.type` says (none, gzip, snappy, lz4 or zstd; the same override-then-worker lookup;
 * the codecs' `compression.<codec>.level` settings are not read: each codec's default level).
 * A partition's batch is at most 512 KiB, or less as the producer's `batch.size` /
 * `max.request.size` or the topic's `max.message.bytes` say.
 * Topics missing on first use are created (`topic.creation.default.partitions` /
 * `.replication.factor`, else the broker's defaults, and any other `topic.creation.default.*` key
 * as a topic config: KIP-158's default group).
 * Not implemented: exactly-once source support (KIP-618) and transaction boundaries; KIP-158's
 * named groups (`topic.creation.groups`); the producer's `acks` (always all); KIP-779's
 * `errors.tolerance` for records the broker refuses (the task fails).
 */

import { BatchProducer } from '../../client/batch-producer.ts';
import { batchProducerOnClient } from '../../client/batch-producer-on-client.ts';
import { partitionForKey } from '../../client/partitioner.ts';
import {
  BATCH_COMPRESSIONS,
  type BatchCompression,
  type BatchRecord,
} from '../../client/record-batch-encoder.ts';
import type {
  CommittedSourceOffset,
  SourceConnectorPlugin,
  SourceMap,
  SourceRecord,
  SourceTask,
} from '../api/index.ts';
import {
  ErrorHandler,
  errorHandlingConfig,
  type FailureContext,
  type Stage,
  sleep,
  traceOf,
} from '../errors/error-handler.ts';
import { applyChain, buildChain, type ChainStep } from '../transforms/index.ts';
import { DEFAULT_BATCH_BYTES, recordBytes, TopicBatchLimits } from './batch-limits.ts';
import { headerBytes, type TaskConverters, taskConverters } from './converters.ts';
import { canonical } from './offset-store.ts';
import { choiceClientSetting, integerClientSetting, type TaskEnv, type TaskRunner } from './task-env.ts';

function sameMap(a: SourceMap, b: SourceMap): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** Records per produce request (its bytes: a batch's limit, `#limits`). */
const SEND_CHUNK = 500;
/**
 * Produce requests in flight at once (the client's own limit per connection). The task is polled
 * again only once every converted record is in a request. Full requests (SEND_CHUNK records or a
 * batch's limit of bytes) go out up to this limit; a partial one goes only when no other partial
 * one is in flight. The producer sends one request per partition at a time anyway (not idempotent, so in
 * order), so a second small request would only wait behind the first: instead, what a trickle of
 * changes (CDC streaming) brings while one request is in flight gathers in the task, and is polled,
 * converted and sent as the next request once that one is acknowledged, as Kafka's producer fills a
 * batch while its one request is in flight. A change then waits for at most the round trip under
 * way, not for a queue of up to five single-record requests, each a round trip of its own.
 */
const MAX_REQUESTS_IN_FLIGHT = 5;

/**
 * `linger.ms` when neither the connector nor the worker sets it: Kafka 4.0's producer default
 * (KIP-1030). At 5,000 single-change transactions/s it cut the Produce requests from one per round
 * trip (~1 ms: a few records each) to one per ~6 ms, and with them worker and broker CPU per change
 * (docs/benchmarks.md, "CDC streaming CPU").
 */
const DEFAULT_LINGER_MS = 5;

/** A converted value: one Buffer, or parts the batch encoder writes one after another. */
type ValueBytes = Buffer | readonly Buffer[];

/** A converted record in the shape BatchProducer encodes (headers as pairs, timestamp in ms). */
interface OutMessage {
  topic: string;
  key?: Buffer;
  value?: ValueBytes;
  headers?: [Buffer, Buffer][];
  partition?: number;
  timestamp?: number;
}

/**
 * A polled record's source position and what goes to Kafka for it (null: dropped by a transform or
 * skipped). The record itself is not kept: a snapshot's records would otherwise all live (and be
 * copied by the GC) until their request is acknowledged.
 */
interface Outgoing {
  sourcePartition: SourceMap;
  sourceOffset: SourceMap;
  message: OutMessage | null;
}

const TOPIC_CREATION_DEFAULT = 'topic.creation.default.';
/** Keys of the default topic-creation group that are not topic configs. */
const TOPIC_CREATION_SETTINGS = new Set(['partitions', 'replication.factor', 'include', 'exclude']);

/**
 * The topic configs of KIP-158's default group: every `topic.creation.default.<config>` key but
 * the group's own settings (`cleanup.policy`, `retention.ms`, `message.timestamp.type`, ...).
 */
export function topicCreationConfigs(c: Readonly<Record<string, string>>): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const [key, value] of Object.entries(c)) {
    if (!key.startsWith(TOPIC_CREATION_DEFAULT)) continue;
    const name = key.slice(TOPIC_CREATION_DEFAULT.length);
    if (!TOPIC_CREATION_SETTINGS.has(name)) configs[name] = value;
  }
  return configs;
}

export class SourceTaskRunner implements TaskRunner {
  readonly #env: TaskEnv;
  readonly #abort = new AbortController();
  #task: SourceTask | null = null;
  #loop: Promise<void> | null = null;
  #paused = false;
  #resumeWaiter: (() => void) | null = null;
  /** canonical partition → latest acknowledged offset, not yet flushed. */
  #acked = new Map<string, CommittedSourceOffset>();
  #lastFlush = Date.now();
  /** The offset flush under way, if any (one at a time). */
  #flushing: Promise<void> | null = null;
  #chain: ChainStep[] = [];
  #converters!: TaskConverters;
  #errors!: ErrorHandler;
  #knownTopics = new Set<string>();
  /**
   * The bytes of a partition's batch: DEFAULT_BATCH_BYTES (512 KiB), or less as the producer's
   * `batch.size` / `max.request.size` or the topic's `max.message.bytes` say (set at start).
   */
  #limits!: TopicBatchLimits;
  /** Partition counts of topics records named an explicit partition of (refreshed when one is beyond). */
  #partitionCounts = new Map<string, number>();
  /** Converted records not yet in a produce request, in poll order. */
  #pending: Outgoing[] = [];
  #requestsInFlight = 0;
  /** A request of less than a full chunk is in flight (at most one at a time). */
  #partialInFlight = false;
  /** Resolves once the last request handed out and every one before it are acknowledged. */
  #tail: Promise<void> = Promise.resolve();
  /** The first failed send: the task fails with it, and nothing after it is acknowledged. */
  #sendFailure: { error: unknown } | null = null;
  /** Wakes the poll loop waiting for `#pending` to be handed out. */
  #room: (() => void) | null = null;
  /** How long a partial request waits for more records (linger.ms). */
  #lingerMs = DEFAULT_LINGER_MS;
  /** The producer's compression.type (Kafka's default: none). */
  #compression: BatchCompression = 'none';
  /** When the partial request at the head of `#pending` goes out (performance.now()). */
  #lingerUntil = 0;
  /** Armed while a partial request lingers: it sends the request at the end of the linger. */
  #lingerTimer: NodeJS.Timeout | null = null;
  /** Stopped: nothing more is sent. */
  #closed = false;

  constructor(env: TaskEnv) {
    this.#env = env;
  }

  async start(paused: boolean): Promise<void> {
    const env = this.#env;
    this.#paused = paused;
    try {
      this.#errors = new ErrorHandler(
        errorHandlingConfig(env.connectorConfig),
        env.logger,
        [],
        this.#abort.signal,
      );
      this.#chain = buildChain(env.connectorConfig);
      this.#lingerMs = integerClientSetting(env, 'producer', 'linger.ms', DEFAULT_LINGER_MS, 0);
      // Kafka's defaults (16 KiB batches, 1 MiB requests) are not applied: 512 KiB batches cost the
      // broker and the worker far less per record. Set, either one caps the batches (0: a record each).
      this.#limits = new TopicBatchLimits(
        env.admin,
        Math.min(
          DEFAULT_BATCH_BYTES,
          integerClientSetting(env, 'producer', 'batch.size', DEFAULT_BATCH_BYTES, 0),
          integerClientSetting(env, 'producer', 'max.request.size', DEFAULT_BATCH_BYTES, 1),
        ),
      );
      this.#compression = choiceClientSetting(
        env,
        'producer',
        'compression.type',
        BATCH_COMPRESSIONS,
        'none',
      );
      this.#converters = await taskConverters(env.plugins, env.worker, env.connectorConfig);
      this.#task = (env.plugin as SourceConnectorPlugin).createTask();
      await this.#task.start(env.taskConfig, {
        connectorName: env.connector,
        taskId: env.taskId,
        logger: env.logger,
        signal: this.#abort.signal,
        offsetStorageReader: { offset: async (partition) => env.offsets.get(env.connector, partition) },
      });
    } catch (err) {
      this.#fail(err);
      return;
    }
    env.report(paused ? 'PAUSED' : 'RUNNING', null);
    this.#loop = this.#run();
  }

  #fail(err: unknown): void {
    this.#env.logger.error({ err }, 'source task failed');
    this.#env.report('FAILED', traceOf(err));
  }

  pause(): void {
    this.#paused = true;
    this.#env.report('PAUSED', null);
  }

  resume(): void {
    this.#paused = false;
    this.#resumeWaiter?.();
    this.#env.report('RUNNING', null);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted) {
        if (this.#paused) {
          await new Promise<void>((resolve) => {
            this.#resumeWaiter = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
          this.#resumeWaiter = null;
          continue;
        }
        const polled = await this.#errors.execute(
          { stage: 'TASK_POLL', executingClass: this.#env.plugin.className },
          () => this.#task!.poll(),
        );
        if (signal.aborted) break;
        const records = polled.ok ? (polled.value ?? []) : [];
        // Only the count is used past the produce, so the records can go once converted.
        const count = records.length;
        this.#env.counters.polled += count;
        if (count > 0) await this.#produce(records);
        if (
          Date.now() - this.#lastFlush >= this.#env.worker.offsetFlushIntervalMs &&
          this.#flushing === null
        ) {
          // In the background: polling and producing go on while the offsets are written.
          this.#lastFlush = Date.now();
          this.#flushing = this.#flush().finally(() => {
            this.#flushing = null;
          });
          this.#flushing.catch((err) => {
            if (!signal.aborted) this.#fail(err);
          });
        }
        if (count === 0) {
          await this.#drain(); // surfaces a failed send while the source is idle
          await sleep(10, signal);
        }
      }
    } catch (err) {
      if (!signal.aborted) this.#fail(err);
    }
  }

  async #ensureTopic(topic: string): Promise<void> {
    if (this.#knownTopics.has(topic)) return;
    const c = this.#env.connectorConfig;
    await this.#env.kafka.ensureTopic(topic, {
      partitions: Number(c['topic.creation.default.partitions'] ?? -1),
      replicationFactor: Number(c['topic.creation.default.replication.factor'] ?? -1),
      configs: topicCreationConfigs(c),
    });
    // The topic's max.message.bytes caps its batches, so that a topic made for small records
    // (max.message.bytes=16384, say) takes them as Kafka's producer would send them (batch.size
    // 16 KiB) instead of refusing a 512 KiB batch with MESSAGE_TOO_LARGE.
    await this.#limits.learn(topic);
    this.#knownTopics.add(topic);
    this.#env.topicUsed(topic);
  }

  /**
   * Converts a polled batch and queues it for the producer; resolves once all of it is in
   * requests (not acknowledged: up to MAX_REQUESTS_IN_FLIGHT are in flight), or, for a batch
   * smaller than a request, once its partial request is acknowledged, or at once while that
   * request lingers (what the next polls bring joins it, as a Kafka producer's batch fills during
   * linger.ms).
   * Acknowledgements (hence stored offsets) follow poll order: a request's offsets count only once
   * it and every request before it are acknowledged.
   */
  async #produce(records: readonly SourceRecord[]): Promise<void> {
    // A trickle (less than a request's worth per poll) polls again only once its request is
    // acknowledged: what arrives meanwhile is converted then and goes out at once, rather than
    // converted now and held back a further round trip behind the request in flight.
    const trickle = records.length < SEND_CHUNK;
    const converted = await this.#convert(records);
    this.#throwIfFailed();
    if (this.#pending.length === 0) this.#lingerUntil = performance.now() + this.#lingerMs;
    for (const entry of converted) this.#pending.push(entry);
    this.#pump();
    while (this.#sendFailure === null) {
      if (this.#pending.length === 0) {
        if (!(trickle && this.#partialInFlight)) break;
      } else if (this.#lingerTimer !== null && !this.#partialInFlight) {
        break; // a partial request lingers: poll on, what comes joins it
      }
      await new Promise<void>((resolve) => {
        this.#room = resolve;
      });
      this.#room = null;
    }
    this.#throwIfFailed();
  }

  /** Sends the lingering partial request once its time is up. */
  #armLinger(): void {
    if (this.#lingerTimer !== null) return;
    this.#lingerTimer = setTimeout(
      () => {
        this.#lingerTimer = null;
        this.#pump();
      },
      Math.max(0, this.#lingerUntil - performance.now()),
    );
  }

  #throwIfFailed(): void {
    if (this.#sendFailure !== null) throw this.#sendFailure.error;
  }

  /** Cuts requests from `#pending` while fewer than MAX_REQUESTS_IN_FLIGHT are in flight. */
  #pump(): void {
    if (this.#closed) return;
    while (
      this.#requestsInFlight < MAX_REQUESTS_IN_FLIGHT &&
      this.#pending.length > 0 &&
      this.#sendFailure === null
    ) {
      const cut = nextChunk(this.#pending, this.#limits.limit);
      // One partial request at a time: the next waits for its acknowledgement and takes in what
      // arrived meanwhile, so a trickle rides one round trip instead of a queue of tiny requests;
      // and it waits out its linger.
      if (!cut.full && this.#partialInFlight) break;
      if (!cut.full && performance.now() < this.#lingerUntil) {
        this.#armLinger();
        break;
      }
      const partial = !cut.full;
      if (partial) this.#partialInFlight = true;
      const entries = this.#pending.splice(0, cut.length);
      const messages: OutMessage[] = [];
      for (const e of entries) if (e.message !== null) messages.push(e.message);
      const previous = this.#tail;
      this.#requestsInFlight++;
      const sending = (async () => {
        try {
          if (messages.length > 0) await this.#send(messages);
        } finally {
          this.#requestsInFlight--;
          if (partial) this.#partialInFlight = false;
          queueMicrotask(() => this.#pump());
        }
        await previous;
        this.#env.counters.written += messages.length;
        // Acknowledged (or deliberately skipped): their source offsets may now be stored.
        // Consecutive records usually share a source partition: its key is computed once per run.
        let previousPartition: SourceMap | null = null;
        let key = '';
        for (const r of entries) {
          if (previousPartition === null || !sameMap(previousPartition, r.sourcePartition)) {
            key = canonical(r.sourcePartition);
            previousPartition = r.sourcePartition;
          }
          this.#acked.set(key, { partition: r.sourcePartition, offset: r.sourceOffset });
        }
      })();
      sending.catch((error: unknown) => {
        this.#sendFailure ??= { error };
        this.#room?.();
      });
      this.#tail = sending;
    }
    if (this.#pending.length === 0 || this.#lingerTimer !== null) this.#room?.();
  }

  /** Resolves once every converted record is acknowledged (rejects if a send failed). */
  async #drain(): Promise<void> {
    for (;;) {
      this.#throwIfFailed();
      this.#lingerUntil = 0; // nothing lingers when draining
      this.#pump();
      const tail = this.#tail;
      await tail.catch(() => {});
      this.#throwIfFailed();
      if (this.#pending.length === 0 && this.#requestsInFlight === 0 && tail === this.#tail) return;
    }
  }

  async #convert(records: readonly SourceRecord[]): Promise<Outgoing[]> {
    const out: Outgoing[] = [];
    const chain = this.#chain;
    const { key: keyConverter, value: valueConverter, keyClass, valueClass } = this.#converters;
    // Each stage is called directly; only a stage that throws (or answers with a promise) goes
    // through the error handler, exactly as `execute` would have taken it from there. So a record
    // that converts allocates no failure context, closure or outcome.
    for (const original of records) {
      let record: SourceRecord | null = original;
      if (chain.length > 0) {
        // A transform is synchronous, but one may still hand back a promise: the handler settles it.
        const transform = (): SourceRecord | null | Promise<SourceRecord | null> =>
          applyChain(chain, original);
        let transformed: SourceRecord | null | Promise<SourceRecord | null> | typeof SKIPPED;
        try {
          transformed = transform();
        } catch (err) {
          transformed = await this.#recovered('TRANSFORMATION', 'transforms', original, transform, err);
        }
        if (transformed instanceof Promise)
          transformed = await this.#settled('TRANSFORMATION', 'transforms', original, transform, transformed);
        record = transformed === SKIPPED ? null : transformed;
      }
      if (record === null) {
        out.push({
          sourcePartition: original.sourcePartition,
          sourceOffset: original.sourceOffset,
          message: null,
        });
        continue;
      }
      const r = record;
      let key: Buffer | null | Promise<Buffer | null> | typeof SKIPPED;
      try {
        key = keyConverter.fromConnectData(r.topic, r.headers, r.keySchema, r.key);
      } catch (err) {
        key = await this.#recovered('KEY_CONVERTER', keyClass, original, this.#keyOf(r), err);
      }
      if (key instanceof Promise)
        key = await this.#settled('KEY_CONVERTER', keyClass, original, this.#keyOf(r), key);
      if (key === SKIPPED) {
        out.push({
          sourcePartition: original.sourcePartition,
          sourceOffset: original.sourceOffset,
          message: null,
        });
        continue;
      }
      let value: ValueBytes | null | Promise<ValueBytes | null> | typeof SKIPPED;
      try {
        value =
          valueConverter.fromConnectDataParts !== undefined
            ? valueConverter.fromConnectDataParts(r.topic, r.headers, r.valueSchema, r.value)
            : valueConverter.fromConnectData(r.topic, r.headers, r.valueSchema, r.value);
      } catch (err) {
        value = await this.#recovered('VALUE_CONVERTER', valueClass, original, this.#valueOf(r), err);
      }
      if (value instanceof Promise)
        value = await this.#settled('VALUE_CONVERTER', valueClass, original, this.#valueOf(r), value);
      if (value === SKIPPED) {
        out.push({
          sourcePartition: original.sourcePartition,
          sourceOffset: original.sourceOffset,
          message: null,
        });
        continue;
      }
      if (!this.#knownTopics.has(r.topic)) await this.#ensureTopic(r.topic);
      const message: OutMessage = { topic: r.topic };
      if (key !== null) message.key = key;
      if (value !== null) message.value = value;
      if (r.headers.length > 0)
        message.headers = r.headers.map((h) => [Buffer.from(h.key, 'utf8'), headerBytes(h)]);
      if (r.kafkaPartition !== null) {
        await this.#checkPartition(r.topic, r.kafkaPartition);
        message.partition = r.kafkaPartition;
      }
      if (r.timestamp !== null) message.timestamp = r.timestamp;
      out.push({ sourcePartition: original.sourcePartition, sourceOffset: original.sourceOffset, message });
    }
    return out;
  }

  #keyOf(r: SourceRecord): () => ReturnType<TaskConverters['key']['fromConnectData']> {
    const converter = this.#converters.key;
    return () => converter.fromConnectData(r.topic, r.headers, r.keySchema, r.key);
  }

  #valueOf(r: SourceRecord): () => ValueBytes | null | Promise<ValueBytes | null> {
    const converter = this.#converters.value;
    return () =>
      converter.fromConnectDataParts !== undefined
        ? converter.fromConnectDataParts(r.topic, r.headers, r.valueSchema, r.value)
        : converter.fromConnectData(r.topic, r.headers, r.valueSchema, r.value);
  }

  /** The error handler's outcome for a stage whose first call threw `err`: its value, or SKIPPED. */
  async #recovered<T>(
    stage: Stage,
    executingClass: string,
    original: SourceRecord,
    fn: () => T | Promise<T>,
    err: unknown,
  ): Promise<T | typeof SKIPPED> {
    const outcome = await this.#errors.recover(failureContext(stage, executingClass, original), fn, err);
    return outcome.ok ? outcome.value : SKIPPED;
  }

  /** The error handler's outcome for a stage whose first call gave a promise. */
  async #settled<T>(
    stage: Stage,
    executingClass: string,
    original: SourceRecord,
    fn: () => T | Promise<T>,
    value: Promise<T>,
  ): Promise<T | typeof SKIPPED> {
    const outcome = await this.#errors.settle(failureContext(stage, executingClass, original), fn, value);
    return outcome.ok ? outcome.value : SKIPPED;
  }

  /**
   * A record for a partition the topic does not have fails the task, as Kafka's producer refuses it
   * ("Invalid partition given with record"), instead of landing in another partition.
   */
  async #checkPartition(topic: string, partition: number): Promise<void> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined && partition >= 0 && partition < known) return;
    const metadata = await this.#env.producer.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    this.#partitionCounts.set(topic, count);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      throw new Error(
        `Invalid partition given with record: ${partition} is not in the range [0...${count}) of topic ${topic}`,
      );
    }
  }

  /** The send path: one RecordBatch per partition through a BatchProducer (one batch in flight per partition). */
  #batches: BatchProducer | null = null;
  /** Chunks are partitioned and handed over one after the other, so they stay in order. */
  #handedOver: Promise<void> = Promise.resolve();
  #roundRobin = 0;

  /**
   * Sends with acks=all through a `BatchProducer` (Metadata on the worker producer's connections,
   * Produce on its own unless the worker uses SASL: batch-producer-on-client.ts), one batch
   * in flight per partition (so in order); it retries retriable errors itself. What it refuses for
   * good fails the task.
   */
  async #send(messages: OutMessage[]): Promise<void> {
    const producer = (this.#batches ??= new BatchProducer({
      // Metadata on the worker producer's connections, Produce on lean ones of its own (unless SASL).
      ...batchProducerOnClient(this.#env.producer),
      // Not idempotent, like the worker's producer (see record-collector.ts for why not yet): one
      // batch in flight per partition keeps the chunks in order.
      idempotent: false,
      compression: this.#compression,
    }));
    let acked: Promise<unknown> = Promise.resolve();
    const handedOver = this.#handedOver.then(async () => {
      const groups = new Map<string, { topic: string; partition: number; records: BatchRecord[] }>();
      for (const m of messages) {
        let partition = m.partition;
        if (partition === undefined) {
          let count = this.#partitionCounts.get(m.topic);
          if (count === undefined) {
            count = await producer.partitionCount(m.topic);
            this.#partitionCounts.set(m.topic, count);
          }
          partition =
            m.key !== undefined ? partitionForKey(m.key, count) : (this.#roundRobin++ & 0x7fffffff) % count;
        }
        const id = `${partition}\0${m.topic}`;
        let g = groups.get(id);
        if (g === undefined) groups.set(id, (g = { topic: m.topic, partition, records: [] }));
        // An OutMessage is a BatchRecord (its topic and partition are not read): no copy per record.
        g.records.push(m);
      }
      acked = Promise.all([...groups.values()].map((g) => producer.send(g.topic, g.partition, g.records)));
    });
    this.#handedOver = handedOver.catch(() => {});
    await handedOver;
    await acked;
  }

  /** Stores acknowledged offsets, then tells the task (Kafka's commitOffsets + commit). */
  async #flush(): Promise<void> {
    this.#lastFlush = Date.now();
    if (this.#acked.size === 0) return;
    const committed = [...this.#acked.values()];
    this.#acked = new Map();
    await this.#env.offsets.set(this.#env.connector, committed);
    await this.#task?.commit?.(committed);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const timeout = sleep(this.#env.worker.taskShutdownTimeoutMs);
    await Promise.race([this.#loop, timeout]);
    await Promise.race([this.#drain().catch(() => {}), sleep(this.#env.worker.taskShutdownTimeoutMs)]);
    await this.#flushing?.catch(() => {});
    try {
      await this.#flush();
    } catch (err) {
      this.#env.logger.error({ err }, 'flushing source offsets on stop failed');
    }
    try {
      await this.#task?.stop();
    } catch (err) {
      this.#env.logger.warn({ err }, 'source task stop failed');
    }
    // Its own Produce connections; what was not acknowledged by now is not in the stored offsets.
    this.#closed = true;
    if (this.#lingerTimer !== null) clearTimeout(this.#lingerTimer);
    await this.#batches?.close({ abort: true }).catch(() => {});
    this.#batches = null;
  }
}

/**
 * The next request from the head of `pending`: how many entries (at most SEND_CHUNK records, and
 * at most the smallest `batchBytes` of their topics by a generous estimate of their encoded size;
 * a record larger than that goes alone), and whether that fills a request (more would not fit).
 */
function nextChunk(
  pending: readonly Outgoing[],
  batchBytes: (topic: string) => number,
): { length: number; full: boolean } {
  let records = 0;
  let bytes = 0;
  let limit = Number.POSITIVE_INFINITY;
  let i = 0;
  for (; i < pending.length; i++) {
    const m = pending[i]!.message;
    if (m === null) continue;
    const size = recordBytes(m.key?.length ?? 0, valueLength(m.value), m.headers);
    const cap = Math.min(limit, batchBytes(m.topic));
    if (records > 0 && (records >= SEND_CHUNK || bytes + size > cap)) {
      return { length: i, full: true };
    }
    records++;
    bytes += size;
    limit = cap;
  }
  return { length: i, full: records >= SEND_CHUNK };
}

function valueLength(value: ValueBytes | undefined): number {
  if (value === undefined) return 0;
  if (!Array.isArray(value)) return (value as Buffer).length;
  let n = 0;
  for (const part of value as readonly Buffer[]) n += part.length;
  return n;
}

/** A stage's answer for a record it skipped (errors.tolerance=all). */
const SKIPPED: unique symbol = Symbol('skipped');

function failureContext(stage: Stage, executingClass: string, original: SourceRecord): FailureContext {
  return {
    stage,
    executingClass,
    describeRecord: () =>
      `SourceRecord{topic=${original.topic}, partition=${JSON.stringify(original.sourcePartition)}, offset=${JSON.stringify(original.sourceOffset)}}`,
  };
}

/**
 * Runs one sink task (Kafka's `WorkerSinkTask`): a member of the consumer group `connect-<name>`
 * (through @platformatic/kafka's classic consumer protocol) fetching its assigned partitions,
 * converting and transforming each record (errors per `errors.tolerance`, bad records to the
 * dead-letter queue), and handing batches to `put`. Consumer offsets are committed every
 * `offset.flush.interval.ms` (or on `requestCommit`, on revocation and on stop), and only what
 * `preCommit` (default: `flush`, then everything put) returns. A `RetriableError` from `put` makes
 * the runner deliver the same batch again after the task's `timeout` (or a backoff).
 *
 * Consumer settings: `auto.offset.reset` (earliest, as Kafka Connect sets), `max.poll.records`,
 * `session.timeout.ms`, `heartbeat.interval.ms`, `max.poll.interval.ms`, `max.partition.fetch.bytes`,
 * `fetch.max.bytes` from the worker's
 * `consumer.` keys and the connector's `consumer.override.` keys.
 */
import type { Consumer } from '@platformatic/kafka';
import { createConsumer } from '../../client/clients.ts';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import type {
  ConnectHeader,
  SchemaAndValue,
  SinkConnectorPlugin,
  SinkOffsets,
  SinkRecord,
  SinkTask,
  TopicPartition,
} from '../api/index.ts';
import { RetriableError, topicPartitionKey } from '../api/index.ts';
import { DeadLetterQueue } from '../errors/dead-letter.ts';
import {
  ErrorHandler,
  type ErrorReporter,
  errorHandlingConfig,
  type FailureContext,
  type Outcome,
  sleep,
  traceOf,
} from '../errors/error-handler.ts';
import { applyChain, buildChain, type ChainStep } from '../transforms/index.ts';
import { type TaskConverters, taskConverters } from './converters.ts';
import { DEFAULT_FETCH_LIMITS, Fetcher, type FetchLimits, type FetchRound } from './fetcher.ts';
import { clientSetting, integerClientSetting, type TaskEnv, type TaskRunner } from './task-env.ts';

/** `consumer.` worker keys overridden by `consumer.override.` connector keys. */
function consumerSetting(env: TaskEnv, key: string): string | undefined {
  return clientSetting(env, 'consumer', key);
}

/** The consumer's fetch sizes (`max.partition.fetch.bytes`, `fetch.max.bytes`), Kafka's defaults. */
export function sinkFetchLimits(env: TaskEnv): FetchLimits {
  return {
    partitionMaxBytes: integerClientSetting(
      env,
      'consumer',
      'max.partition.fetch.bytes',
      DEFAULT_FETCH_LIMITS.partitionMaxBytes,
      1,
    ),
    maxBytes: integerClientSetting(env, 'consumer', 'fetch.max.bytes', DEFAULT_FETCH_LIMITS.maxBytes, 1),
  };
}

export function sinkTopics(env: {
  connectorConfig: Readonly<Record<string, string>>;
  plugin: SinkConnectorPlugin;
}): {
  topics: string[];
  regex: RegExp | null;
} {
  const c = env.connectorConfig;
  const topics = (c.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  topics.push(...(env.plugin.additionalTopics?.(c) ?? []));
  const regex = (c['topics.regex'] ?? '').trim();
  return { topics: [...new Set(topics)], regex: regex === '' ? null : new RegExp(`^(?:${regex})$`) };
}

/** The key converter's call for a record, for the error handler to retry. */
function keyConversion(
  converter: TaskConverters['key'],
  r: ConsumedRecord,
): () => SchemaAndValue | Promise<SchemaAndValue> {
  return () => converter.toConnectData(r.topic, [], r.key);
}

/** The value converter's call for a record, for the error handler to retry. */
function valueConversion(
  converter: TaskConverters['value'],
  r: ConsumedRecord,
): () => SchemaAndValue | Promise<SchemaAndValue> {
  return () => converter.toConnectData(r.topic, [], r.value);
}

/** A consumed record as the dead-letter queue takes it. */
function dlqSource(r: ConsumedRecord): Parameters<DeadLetterQueue['write']>[0] {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    raw: {
      key: r.key,
      value: r.value,
      headers: r.headers.map(([k, v]) => [k.toString('utf8'), v ?? Buffer.alloc(0)] as const),
      timestamp: Number(r.timestamp),
    },
  };
}

export class SinkTaskRunner implements TaskRunner {
  readonly #env: TaskEnv;
  readonly #abort = new AbortController();
  #consumer: Consumer | null = null;
  #fetcher: Fetcher | null = null;
  #task: SinkTask | null = null;
  #loop: Promise<void> | null = null;
  #paused = false;
  /** Assigned partitions → next offset to fetch. */
  readonly #positions = new Map<string, TopicPartition & { offset: bigint }>();
  /** Offsets of everything put so far (next offset to consume). */
  readonly #current: SinkOffsets = new Map();
  readonly #pausedByTask = new Set<string>();
  #pendingRewinds: { topic: string; partition: number; offset: bigint }[] = [];
  /** Fetched records not yet handed to `put`, and the positions after the whole fetch. */
  #buffer: ConsumedRecord[] = [];
  #bufferEnd = new Map<string, bigint>();
  #bufferStale = false;
  /** A fetch started ahead, valid while `epoch` is unchanged (no rewind, pause or rebalance since). */
  #prefetch: { round: Promise<FetchRound>; epoch: number } | null = null;
  #epoch = 0;
  #assignmentChanged: TopicPartition[] | null = null;
  #timeoutMs = 0;
  #commitRequested = false;
  #lastCommit = Date.now();
  #chain: ChainStep[] = [];
  #converters!: TaskConverters;
  #errors!: ErrorHandler;
  #dlq: DeadLetterQueue | null = null;
  #wake: (() => void) | null = null;

  constructor(env: TaskEnv) {
    this.#env = env;
  }

  async start(paused: boolean): Promise<void> {
    const env = this.#env;
    this.#paused = paused;
    try {
      const errorConfig = errorHandlingConfig(env.connectorConfig);
      const reporters: ErrorReporter[] = [];
      if (errorConfig.tolerance === 'all' && errorConfig.dlqTopic !== '') {
        this.#dlq = new DeadLetterQueue({
          topic: errorConfig.dlqTopic,
          replicationFactor: errorConfig.dlqReplicationFactor,
          contextHeaders: errorConfig.dlqContextHeaders,
          kafka: env.kafka,
          connector: env.connector,
          taskId: env.taskId,
        });
      }
      this.#errors = new ErrorHandler(errorConfig, env.logger, reporters, this.#abort.signal);
      this.#chain = buildChain(env.connectorConfig);
      this.#converters = await taskConverters(env.plugins, env.worker, env.connectorConfig);
      this.#task = (env.plugin as SinkConnectorPlugin).createTask();
      const dlq = this.#dlq;
      await this.#task.start(env.taskConfig, {
        connectorName: env.connector,
        taskId: env.taskId,
        logger: env.logger,
        signal: this.#abort.signal,
        assignment: () => [...this.#positions.values()].map(({ topic, partition }) => ({ topic, partition })),
        offset: (offsets) => {
          for (const o of offsets) this.#pendingRewinds.push(o);
        },
        timeout: (ms) => {
          this.#timeoutMs = ms;
        },
        pause: (...partitions) => {
          for (const p of partitions) this.#pausedByTask.add(topicPartitionKey(p.topic, p.partition));
          this.#bufferStale = true;
        },
        resume: (...partitions) => {
          for (const p of partitions) this.#pausedByTask.delete(topicPartitionKey(p.topic, p.partition));
          this.#wake?.();
        },
        requestCommit: () => {
          this.#commitRequested = true;
        },
        errantRecordReporter: dlq
          ? {
              report: (record, error) =>
                dlq.write(
                  {
                    topic: record.originalTopic,
                    partition: record.originalKafkaPartition,
                    offset: record.originalKafkaOffset,
                    raw: record.raw,
                  },
                  { stage: 'TASK_PUT', executingClass: env.plugin.className },
                  error,
                ),
            }
          : null,
        kafka: env.kafka,
      });
      await this.#join();
    } catch (err) {
      this.#fail(err);
      return;
    }
    env.report(paused ? 'PAUSED' : 'RUNNING', null);
    this.#loop = this.#run();
  }

  async #join(): Promise<void> {
    const env = this.#env;
    const { topics, regex } = sinkTopics({
      connectorConfig: env.connectorConfig,
      plugin: env.plugin as SinkConnectorPlugin,
    });
    const subscribed = [...topics];
    if (regex) {
      for (const t of await env.admin.listTopics({ includeInternals: false }))
        if (regex.test(t)) subscribed.push(t);
    }
    // Sink topics must exist to be subscribed (Kafka's consumer would wait for them).
    for (const t of topics) await env.kafka.ensureTopic(t);
    const limits = sinkFetchLimits(env);
    const session = Number(consumerSetting(env, 'session.timeout.ms') ?? 10_000);
    // Given to the consumer itself too: its own rejoins (after a failed commit) must use them.
    const timeouts = {
      sessionTimeout: session,
      rebalanceTimeout: Number(consumerSetting(env, 'max.poll.interval.ms') ?? 300_000),
      heartbeatInterval: Number(
        consumerSetting(env, 'heartbeat.interval.ms') ?? Math.min(3_000, session / 3),
      ),
    };
    const consumer = createConsumer(env.worker.connection, {
      clientId: `connector-consumer-${env.connector}-${env.taskId}`,
      groupId: `connect-${env.connector}`,
      ...timeouts,
    });
    this.#consumer = consumer;
    this.#fetcher = new Fetcher(consumer, limits);
    consumer.on('consumer:group:join', (payload) => {
      this.#assignmentChanged = (payload.assignments ?? []).flatMap((a) =>
        a.partitions.map((partition) => ({ topic: a.topic, partition })),
      );
      this.#wake?.();
    });
    consumer.topics.trackAll(...new Set(subscribed));
    await consumer.joinGroup(timeouts);
    for (const t of subscribed) env.topicUsed(t);
  }

  #fail(err: unknown): void {
    this.#env.logger.error({ err }, 'sink task failed');
    this.#env.report('FAILED', traceOf(err));
  }

  pause(): void {
    this.#paused = true;
    this.#env.report('PAUSED', null);
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#env.report('RUNNING', null);
  }

  async #applyAssignment(assigned: TopicPartition[]): Promise<void> {
    const next = new Set(assigned.map((p) => topicPartitionKey(p.topic, p.partition)));
    const revoked = [...this.#positions.values()].filter(
      (p) => !next.has(topicPartitionKey(p.topic, p.partition)),
    );
    if (revoked.length > 0) {
      await this.#commit(true);
      for (const p of revoked) {
        this.#positions.delete(topicPartitionKey(p.topic, p.partition));
        this.#current.delete(topicPartitionKey(p.topic, p.partition));
      }
      await this.#task!.close?.(revoked.map(({ topic, partition }) => ({ topic, partition })));
    }
    const added = assigned.filter((p) => !this.#positions.has(topicPartitionKey(p.topic, p.partition)));
    if (added.length === 0) return;
    const consumer = this.#consumer!;
    const committed = await consumer.listCommittedOffsets({
      topics: [...new Set(added.map((p) => p.topic))].map((topic) => ({
        topic,
        partitions: added.filter((p) => p.topic === topic).map((p) => p.partition),
      })),
    });
    const reset = (consumerSetting(this.#env, 'auto.offset.reset') ?? 'earliest').toLowerCase();
    const needReset = added.filter((p) => (committed.get(p.topic)?.[p.partition] ?? -1n) < 0n);
    const resetOffsets =
      needReset.length > 0
        ? await consumer.listOffsets({
            topics: [...new Set(needReset.map((p) => p.topic))],
            partitions: Object.fromEntries(
              [...new Set(needReset.map((p) => p.topic))].map((t) => [
                t,
                needReset.filter((p) => p.topic === t).map((p) => p.partition),
              ]),
            ),
            timestamp: reset === 'latest' ? -1n : -2n,
          })
        : new Map<string, bigint[]>();
    for (const p of added) {
      const c = committed.get(p.topic)?.[p.partition] ?? -1n;
      const offset = c >= 0n ? c : (resetOffsets.get(p.topic)?.[p.partition] ?? 0n);
      this.#positions.set(topicPartitionKey(p.topic, p.partition), { ...p, offset });
    }
    await this.#task!.open?.(added.map(({ topic, partition }) => ({ topic, partition })));
  }

  #toSinkRecord(
    r: ConsumedRecord,
    key: { schema: SinkRecord['keySchema']; value: unknown },
    value: { schema: SinkRecord['valueSchema']; value: unknown },
  ): SinkRecord {
    // Records without headers (the usual case) take no mapping closures.
    const rawHeaders =
      r.headers.length === 0
        ? []
        : r.headers.map(([k, v]) => [k.toString('utf8'), v ?? Buffer.alloc(0)] as const);
    const headers: ConnectHeader[] =
      rawHeaders.length === 0
        ? []
        : rawHeaders.map(([k, v]) => ({
            key: k,
            value: v.toString('utf8'),
            schema: null,
          }));
    const timestamp = Number(r.timestamp);
    return {
      topic: r.topic,
      kafkaPartition: r.partition,
      kafkaOffset: r.offset,
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp,
      timestampType: 'CreateTime',
      headers,
      originalTopic: r.topic,
      originalKafkaPartition: r.partition,
      originalKafkaOffset: r.offset,
      raw: { key: r.key, value: r.value, headers: rawHeaders, timestamp },
    };
  }

  /**
   * Converts and transforms a batch. Under errors.tolerance=none a failure stops the batch there:
   * `failedAt` is the index of the record that failed, and `error` the failure.
   */
  async #convert(
    records: readonly ConsumedRecord[],
  ): Promise<{ out: SinkRecord[]; failedAt: number; error: unknown }> {
    const out: SinkRecord[] = [];
    let index = -1;
    try {
      for (const r of records) {
        index++;
        // Synchronous converters and transforms (the usual case) cost no promise per record.
        const pending = this.#convertOne(r, out);
        if (pending !== undefined) await pending;
      }
    } catch (error) {
      return { out, failedAt: index, error };
    }
    return { out, failedAt: -1, error: null };
  }

  /** The record being converted (conversion is sequential), for the error contexts' descriptions. */
  #converting: ConsumedRecord | null = null;
  readonly #describe = (): string => {
    const r = this.#converting!;
    return `ConsumerRecord(topic = ${r.topic}, partition = ${r.partition}, offset = ${r.offset})`;
  };
  #contexts: Record<'key' | 'value' | 'transform', FailureContext> | null = null;

  /** Converts and transforms one record into `out`; a promise only when a step is asynchronous. */
  #convertOne(r: ConsumedRecord, out: SinkRecord[]): Promise<void> | undefined {
    this.#converting = r;
    const { key: keyConverter, value: valueConverter, keyClass, valueClass } = this.#converters;
    const contexts = (this.#contexts ??= {
      key: { stage: 'KEY_CONVERTER', executingClass: keyClass, describeRecord: this.#describe },
      value: { stage: 'VALUE_CONVERTER', executingClass: valueClass, describeRecord: this.#describe },
      transform: { stage: 'TRANSFORMATION', executingClass: 'transforms', describeRecord: this.#describe },
    });
    // The converters are called directly: the error handler (its retries, tolerance and
    // reporting) takes over from a first call that throws or answers with a promise, so a record
    // that converts costs no closure or outcome object.
    let key: SchemaAndValue | Promise<SchemaAndValue>;
    try {
      key = keyConverter.toConnectData(r.topic, [], r.key);
    } catch (err) {
      return this.#convertRest(
        r,
        out,
        this.#errors.recover(contexts.key, keyConversion(keyConverter, r), err),
        null,
      );
    }
    if (key instanceof Promise)
      return this.#convertRest(
        r,
        out,
        this.#errors.settle(contexts.key, keyConversion(keyConverter, r), key),
        null,
      );
    let value: SchemaAndValue | Promise<SchemaAndValue>;
    try {
      value = valueConverter.toConnectData(r.topic, [], r.value);
    } catch (err) {
      return this.#convertRest(
        r,
        out,
        key,
        this.#errors.recover(contexts.value, valueConversion(valueConverter, r), err),
      );
    }
    if (value instanceof Promise)
      return this.#convertRest(
        r,
        out,
        key,
        this.#errors.settle(contexts.value, valueConversion(valueConverter, r), value),
      );
    const record = this.#toSinkRecord(r, key, value);
    if (this.#chain.length === 0) {
      out.push(record);
      return undefined;
    }
    const transformed = this.#errors.execute(contexts.transform, () => applyChain(this.#chain, record));
    if (transformed instanceof Promise) return this.#transformRest(r, out, transformed);
    if (!transformed.ok) return this.#deadLetter(dlqSource(r), 'TRANSFORMATION', 'transforms');
    if (transformed.value !== null) out.push(transformed.value);
    return undefined;
  }

  /** The rest of `#convertOne` once a converter threw or answered with a promise. */
  async #convertRest(
    r: ConsumedRecord,
    out: SinkRecord[],
    keyOutcome: SchemaAndValue | Promise<Outcome<SchemaAndValue>>,
    valueOutcome: Promise<Outcome<SchemaAndValue>> | null,
  ): Promise<void> {
    const { value: valueConverter, keyClass, valueClass } = this.#converters;
    const contexts = this.#contexts!;
    let key: SchemaAndValue;
    if (keyOutcome instanceof Promise) {
      const k = await keyOutcome;
      if (!k.ok) return this.#deadLetter(dlqSource(r), 'KEY_CONVERTER', keyClass);
      key = k.value;
    } else key = keyOutcome;
    let value =
      valueOutcome ??
      this.#errors.execute(contexts.value, () => valueConverter.toConnectData(r.topic, [], r.value));
    if (value instanceof Promise) value = await value;
    if (!value.ok) return this.#deadLetter(dlqSource(r), 'VALUE_CONVERTER', valueClass);
    const record = this.#toSinkRecord(r, key, value.value);
    if (this.#chain.length === 0) {
      out.push(record);
      return;
    }
    let transformed = this.#errors.execute(contexts.transform, () => applyChain(this.#chain, record));
    if (transformed instanceof Promise) transformed = await transformed;
    if (!transformed.ok) return this.#deadLetter(dlqSource(r), 'TRANSFORMATION', 'transforms');
    if (transformed.value !== null) out.push(transformed.value);
  }

  async #transformRest(
    r: ConsumedRecord,
    out: SinkRecord[],
    pending: Promise<Outcome<SinkRecord | null>>,
  ): Promise<void> {
    const transformed = await pending;
    if (!transformed.ok) return this.#deadLetter(dlqSource(r), 'TRANSFORMATION', 'transforms');
    if (transformed.value !== null) out.push(transformed.value);
  }

  async #deadLetter(
    source: Parameters<DeadLetterQueue['write']>[0],
    stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION',
    cls: string,
  ): Promise<void> {
    if (!this.#dlq) return;
    await this.#dlq.write(
      source,
      { stage, executingClass: cls },
      this.#errors.lastError ?? new Error('unknown error'),
    );
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const maxRecords = Number(consumerSetting(this.#env, 'max.poll.records') ?? 500);
    let pending: SinkRecord[] | null = null;
    let pendingPositions: Map<string, bigint> | null = null;
    try {
      while (!signal.aborted) {
        if (this.#assignmentChanged) {
          const assigned = this.#assignmentChanged;
          this.#assignmentChanged = null;
          this.#bufferStale = true;
          await this.#applyAssignment(assigned);
        }
        if (this.#bufferStale || this.#pendingRewinds.length > 0) {
          // Records fetched ahead are dropped; positions stand at the first record not yet put.
          this.#epoch++;
          this.#prefetch?.round.catch(() => {});
          this.#prefetch = null;
          this.#buffer = [];
          this.#bufferEnd = new Map();
          this.#bufferStale = false;
        }
        for (const r of this.#pendingRewinds.splice(0)) {
          const key = topicPartitionKey(r.topic, r.partition);
          const p = this.#positions.get(key);
          if (p) p.offset = r.offset;
        }
        if (this.#paused) {
          await this.#idle(500);
          continue;
        }
        if (pending === null) {
          const positions = new Map<string, Map<number, bigint>>();
          for (const [key, p] of this.#positions) {
            if (this.#pausedByTask.has(key)) continue;
            const m = positions.get(p.topic) ?? new Map<number, bigint>();
            m.set(p.partition, p.offset);
            positions.set(p.topic, m);
          }
          if (positions.size === 0) {
            if (this.#timeoutMs > 0 || this.#pausedByTask.size > 0) await this.#putEmpty();
            await this.#maybeCommit();
            await this.#idle(200);
            continue;
          }
          if (this.#buffer.length === 0) {
            const prefetched = this.#prefetch;
            this.#prefetch = null;
            const round =
              prefetched && prefetched.epoch === this.#epoch
                ? await prefetched.round
                : await this.#fetcher!.fetch(positions, 500);
            if (signal.aborted) break;
            this.#buffer = round.records;
            this.#env.counters.read += round.records.length;
            this.#bufferEnd = new Map();
            for (const [topic, m] of round.positions) {
              for (const [partition, next] of m)
                this.#bufferEnd.set(topicPartitionKey(topic, partition), next);
            }
            if (round.failed > 0 && round.records.length === 0) await sleep(200, signal);
          }
          // Up to max.poll.records from what was fetched; positions after the records taken (and
          // after the whole fetch, control batches included, once it is used up).
          const records = this.#buffer.splice(0, maxRecords);
          pendingPositions = new Map();
          // A fetch holds each partition's records together: one position per run of a partition.
          for (let i = 0; i < records.length; i++) {
            const r = records[i]!;
            const next = records[i + 1];
            if (next !== undefined && next.partition === r.partition && next.topic === r.topic) continue;
            pendingPositions.set(topicPartitionKey(r.topic, r.partition), r.offset + 1n);
          }
          if (this.#buffer.length === 0) {
            for (const [key, next] of this.#bufferEnd) pendingPositions.set(key, next);
            // Fetch the next records while these are converted and put.
            if (records.length > 0) this.#startPrefetch(positions, pendingPositions);
          }
          const converted = await this.#convert(records);
          pending = converted.out;
          if (converted.failedAt >= 0) {
            // errors.tolerance=none: deliver what came before the bad record, commit up to it, fail.
            const stopAt = new Map<string, bigint>();
            for (const r of records.slice(converted.failedAt)) {
              const key = topicPartitionKey(r.topic, r.partition);
              if (!stopAt.has(key)) stopAt.set(key, r.offset);
            }
            for (const [key, offset] of stopAt) pendingPositions.set(key, offset);
            if (await this.#put(pending)) {
              this.#advance(pendingPositions);
              await this.#commit(false);
            }
            throw converted.error;
          }
        }
        const delivered = await this.#put(pending);
        if (!delivered) continue; // retriable: same batch again
        this.#advance(pendingPositions ?? new Map());
        pending = null;
        pendingPositions = null;
        await this.#maybeCommit();
      }
    } catch (err) {
      if (!signal.aborted) this.#fail(err);
    }
  }

  #startPrefetch(
    fetched: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
    after: ReadonlyMap<string, bigint>,
  ): void {
    const next = new Map<string, Map<number, bigint>>();
    for (const [topic, m] of fetched) {
      const copy = new Map<number, bigint>();
      for (const [partition, offset] of m)
        copy.set(partition, after.get(topicPartitionKey(topic, partition)) ?? offset);
      next.set(topic, copy);
    }
    const round = this.#fetcher!.fetch(next, 500);
    round.catch(() => {});
    this.#prefetch = { round, epoch: this.#epoch };
  }

  #advance(positions: ReadonlyMap<string, bigint>): void {
    for (const [key, next] of positions) {
      const p = this.#positions.get(key);
      if (!p) continue;
      p.offset = next;
      this.#current.set(key, { topic: p.topic, partition: p.partition, offset: next });
    }
  }

  async #idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
      this.#abort.signal.addEventListener('abort', () => this.#wake?.(), { once: true });
    });
    this.#wake = null;
  }

  async #putEmpty(): Promise<void> {
    if (this.#timeoutMs > 0) {
      await this.#idle(this.#timeoutMs);
      this.#timeoutMs = 0;
    }
    await this.#put([]);
  }

  /** Delivers a batch; false when the task asked for it again (RetriableError). */
  async #put(batch: readonly SinkRecord[]): Promise<boolean> {
    try {
      await this.#task!.put(batch);
      this.#env.counters.put += batch.length;
      return true;
    } catch (err) {
      if (err instanceof RetriableError) {
        this.#env.logger.warn({ err }, 'sink task put failed with a retriable error; redelivering the batch');
        const wait = this.#timeoutMs > 0 ? this.#timeoutMs : 1_000;
        this.#timeoutMs = 0;
        await this.#idle(wait);
        return false;
      }
      throw err;
    }
  }

  async #maybeCommit(): Promise<void> {
    if (this.#commitRequested || Date.now() - this.#lastCommit >= this.#env.worker.offsetFlushIntervalMs) {
      await this.#commit(false);
    }
  }

  /** preCommit/flush, then commit what the task says is durable. */
  async #commit(closing: boolean): Promise<void> {
    this.#commitRequested = false;
    this.#lastCommit = Date.now();
    const task = this.#task;
    const consumer = this.#consumer;
    if (!task || !consumer || this.#current.size === 0) return;
    const current: SinkOffsets = new Map([...this.#current].map(([k, v]) => [k, { ...v }]));
    let safe: SinkOffsets;
    if (task.preCommit) safe = await task.preCommit(current);
    else {
      await task.flush?.(current);
      safe = current;
    }
    if (safe.size === 0) return;
    try {
      await consumer.commit({
        offsets: [...safe.values()].map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          leaderEpoch: -1,
        })),
      });
    } catch (err) {
      // A rebalance moved the partitions: the next owner re-reads from the last commit.
      this.#env.logger.warn({ err, closing }, 'committing sink offsets failed');
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await Promise.race([this.#loop, sleep(this.#env.worker.taskShutdownTimeoutMs)]);
    try {
      await this.#commit(true);
      await this.#task?.close?.(
        [...this.#positions.values()].map(({ topic, partition }) => ({ topic, partition })),
      );
    } catch (err) {
      this.#env.logger.warn({ err }, 'final sink commit failed');
    }
    try {
      await this.#task?.stop();
    } catch (err) {
      this.#env.logger.warn({ err }, 'sink task stop failed');
    }
    await Promise.resolve(this.#consumer?.leaveGroup(true)).catch(() => {});
    await this.#consumer?.close(true).catch(() => {});
  }
}

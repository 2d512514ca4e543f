/**
 * Sends what tasks produce (sink output and changelog records) in batches. Partitions are chosen
 * like Kafka's default partitioner (murmur2 of the key; keyless records round-robin) unless the
 * record has one. Under at_least_once, records are grouped per partition, encoded as one
 * RecordBatch each and sent by the client's `BatchProducer` (acks=-1, one batch in flight per
 * partition, so in order) over the @platformatic/kafka producer's connections; batches go
 * out as they fill and `flush()` waits for all of them (the commit waits on it). Under
 * exactly_once_v2 the @platformatic/kafka producer sends (BatchProducer does not take part in the
 * library's transactions yet):
 * every batch is part of the open transaction: partitions are added to the transaction in order,
 * then batches are sent, and `commitTransaction` adds the input offsets (TxnOffsetCommit) and
 * commits; `abort` drops everything since the last commit.
 */
import { kOptions, type MessageToProduce, type Producer } from '@platformatic/kafka';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

import { BatchProducer } from '../../client/batch-producer.ts';
import { partitionForKey } from '../../client/partitioner.ts';
import type { BatchRecord } from '../../client/record-batch-encoder.ts';
import type { Headers } from '../processor/api.ts';
import type { StreamsMetrics } from './metrics.ts';
import type { RecordCollector } from './stream-task.ts';

const BATCH = 2_000;

export class KafkaRecordCollector implements RecordCollector {
  private readonly producer: Producer;
  private readonly eos: boolean;
  private readonly metrics: StreamsMetrics;
  private readonly partitionCounts = new Map<string, number>();
  private buffer: MessageToProduce[] = [];
  private inflight: Promise<unknown>[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private txn: Transaction | null = null;
  private roundRobin = 0;
  /** at_least_once: the batch producer on the library producer's connections. */
  private readonly batches: BatchProducer | null;

  constructor(producer: Producer, eos: boolean, metrics: StreamsMetrics) {
    this.producer = producer;
    this.eos = eos;
    this.metrics = metrics;
    this.batches = eos
      ? null
      : new BatchProducer({
          bootstrapBrokers: producer[kOptions].bootstrapBrokers.map((b) =>
            typeof b === 'string' ? b : `${b.host}:${b.port}`,
          ),
          connections: producer.connections,
          // Not idempotent, like the producer it replaces: one batch in flight per partition keeps
          // the order. (Idempotent, the output of a run after an exactly_once_v2 run on the same
          // broker was not readable read_committed in test/streams/exactly-once.test.ts; not
          // understood yet.)
          idempotent: false,
        });
  }

  setPartitionCount(topic: string, count: number): void {
    this.partitionCounts.set(topic, count);
  }

  partitionsFor(topic: string): number | undefined {
    return this.partitionCounts.get(topic);
  }

  send(
    topic: string,
    key: Buffer | null,
    value: Buffer | null,
    timestamp: number,
    headers: Headers,
    partition: number | undefined,
  ): void {
    const message: MessageToProduce = {
      topic,
      key: key ?? undefined,
      value: value as Buffer,
      timestamp: BigInt(timestamp),
    };
    if (partition !== undefined) message.partition = partition;
    if (headers.length > 0) {
      const map = new Map<Buffer, Buffer>();
      for (const [k, v] of headers) map.set(Buffer.from(k), v ?? Buffer.alloc(0));
      message.headers = map;
    }
    this.buffer.push(message);
    this.metrics.producedTotal++;
    if (this.buffer.length >= BATCH) this.sendBuffered();
  }

  /** Hands buffered records to the producer (without waiting). */
  sendBuffered(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(async () => {
      if (this.failure !== null) return;
      try {
        await this.assignPartitions(batch);
        if (this.batches !== null) {
          this.sendBatches(this.batches, batch);
        } else if (this.eos) {
          if (this.txn === null) this.txn = await this.producer.beginTransaction();
          const metadata = await this.producer.metadata({ topics: [...new Set(batch.map((m) => m.topic))] });
          await this.txn.addPartitions(metadata, batch as never);
          this.track(this.txn.send({ messages: batch }));
        } else {
          this.track(this.producer.send({ messages: batch }));
        }
      } catch (err) {
        this.failure ??= err;
      }
    });
  }

  /** One RecordBatch per partition, in the order the records were sent. */
  private sendBatches(producer: BatchProducer, batch: MessageToProduce[]): void {
    const groups = new Map<string, { topic: string; partition: number; records: BatchRecord[] }>();
    for (const m of batch) {
      const id = `${m.partition}\0${m.topic}`;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { topic: m.topic, partition: m.partition!, records: [] }));
      g.records.push({
        key: m.key ?? null,
        value: m.value ?? null,
        timestamp: Number(m.timestamp),
        headers: m.headers instanceof Map ? [...(m.headers as Map<Buffer, Buffer>)] : undefined,
      });
    }
    for (const g of groups.values()) this.track(producer.send(g.topic, g.partition, g.records));
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => {
      this.failure ??= err;
    });
    this.inflight.push(tracked);
  }

  private async assignPartitions(batch: MessageToProduce[]): Promise<void> {
    const unknown = [
      ...new Set(
        batch
          .filter((m) => m.partition === undefined && !this.partitionCounts.has(m.topic))
          .map((m) => m.topic),
      ),
    ];
    if (unknown.length > 0) {
      if (this.batches !== null) {
        for (const t of unknown) {
          const count = await this.batches.partitionCount(t).catch((err: Error) => {
            throw new Error(`output topic ${t} does not exist (${err.message})`);
          });
          this.partitionCounts.set(t, count);
        }
      } else {
        const metadata = await this.producer.metadata({ topics: unknown });
        for (const t of unknown) {
          const info = metadata.topics.get(t);
          if (!info) throw new Error(`output topic ${t} does not exist`);
          this.partitionCounts.set(t, info.partitionsCount);
        }
      }
    }
    for (const m of batch) {
      if (m.partition !== undefined) continue;
      const n = this.partitionCounts.get(m.topic)!;
      m.partition = m.key ? partitionForKey(m.key as Buffer, n) : this.roundRobin++ % n;
    }
  }

  /** Waits until everything handed over so far is acknowledged; throws the first send error. */
  async flush(): Promise<void> {
    this.sendBuffered();
    await this.chain;
    const pending = this.inflight;
    this.inflight = [];
    await Promise.all(pending);
    if (this.failure !== null) {
      const err = this.failure;
      this.failure = null;
      throw err;
    }
  }

  /** exactly_once_v2: flushes, runs `commitOffsets` inside the transaction, then commits it. */
  async commitTransaction(
    commitOffsets: (txn: Transaction) => Promise<void>,
    hasOffsets: boolean,
  ): Promise<void> {
    await this.flush();
    if (this.txn === null) {
      if (!hasOffsets) return;
      this.txn = await this.producer.beginTransaction();
    }
    const txn = this.txn;
    await commitOffsets(txn);
    await txn.commit();
    this.txn = null;
  }

  /** Whether a transaction is open (records sent since the last commit). */
  get inTransaction(): boolean {
    return this.txn !== null;
  }

  /** Drops unsent records and aborts the open transaction (exactly_once_v2). */
  async abort(): Promise<void> {
    this.buffer = [];
    await this.chain.catch(() => {});
    await Promise.all(this.inflight);
    this.inflight = [];
    this.failure = null;
    const txn = this.txn;
    this.txn = null;
    if (txn !== null) await txn.abort().catch(() => txn.cancel().catch(() => {}));
  }
}

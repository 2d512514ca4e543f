/**
 * Sends what tasks produce (sink output and changelog records) through one @platformatic/kafka
 * producer, in batches. Partitions are chosen like Kafka's default partitioner (murmur2 of the key;
 * keyless records round-robin) unless the record has one. Under at_least_once, batches go out as
 * they fill and `flush()` waits for all of them (the commit waits on it). Under exactly_once_v2
 * every batch is part of the open transaction: partitions are added to the transaction in order,
 * then batches are sent, and `commitTransaction` adds the input offsets (TxnOffsetCommit) and
 * commits; `abort` drops everything since the last commit.
 */
import type { MessageToProduce, Producer } from '@platformatic/kafka';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

import { partitionForKey } from '../../client/partitioner.ts';
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

  constructor(producer: Producer, eos: boolean, metrics: StreamsMetrics) {
    this.producer = producer;
    this.eos = eos;
    this.metrics = metrics;
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
        if (this.eos) {
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
      const metadata = await this.producer.metadata({ topics: unknown });
      for (const t of unknown) {
        const info = metadata.topics.get(t);
        if (!info) throw new Error(`output topic ${t} does not exist`);
        this.partitionCounts.set(t, info.partitionsCount);
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

/**
 * Sends what tasks produce (sink output and changelog records) in batches. Partitions are chosen
 * like Kafka's default partitioner (murmur2 of the key; keyless records round-robin) unless the
 * record has one. Under at_least_once, each record is written straight into its partition's
 * RecordBatch (client/record-batch-builder.ts; keys and values from the built-in String and JSON
 * serdes come as text and are written as UTF-8 there), and a batch is handed to the client's
 * `BatchProducer` (acks=-1, one batch in flight per partition, so in order, over the
 * @platformatic/kafka producer's connections) when it reaches 256 KiB and at the end of every
 * processing round (`sendBuffered`); `flush()` waits until all are acknowledged (the commit waits
 * on it). Records of a topic whose partition count is not known yet wait for it (Metadata) on a
 * promise chain, and later batches queue behind them so a partition's order holds. Under
 * exactly_once_v2 the @platformatic/kafka producer sends (BatchProducer does not take part in the
 * library's transactions yet):
 * every batch is part of the open transaction: partitions are added to the transaction in order,
 * then batches are sent, and `commitTransaction` adds the input offsets (TxnOffsetCommit) and
 * commits; `abort` drops everything since the last commit.
 */
import type { MessageToProduce, Producer } from '@platformatic/kafka';

type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

import { BatchProducer } from '../../client/batch-producer.ts';
import { batchProducerOnClient } from '../../client/batch-producer-on-client.ts';
import { partitionForKey, partitionForTextKey } from '../../client/partitioner.ts';
import { RecordBatchBuilder } from '../../client/record-batch-builder.ts';
import type { BatchRecord } from '../../client/record-batch-encoder.ts';
import type { Headers } from '../processor/api.ts';
import type { StreamsMetrics } from './metrics.ts';
import type { RecordCollector } from './stream-task.ts';

const BATCH = 2_000;
/**
 * at_least_once: a partition's batch is sent when the next record would take it past its topic's
 * batch limit, or at the end of a processing round. The limit is 90% of the topic's
 * `max.message.bytes` (at most 1 MiB) when that is known (`setMaxMessageBytes`, read at start), else
 * this. Fewer, larger requests matter: with one batch in flight per partition, 256 KiB batches left
 * ~0.2 s of output unacknowledged at the end of a 1,000,000-record stateless run, ~0.9 MiB ones
 * ~0.01 s (bench/streams/throughput.ts).
 */
const DEFAULT_BATCH_BYTES = 256 * 1024;
const MAX_BATCH_BYTES = 1024 * 1024;

interface PartitionBatch {
  topic: string;
  partition: number;
  builder: RecordBatchBuilder;
  /** In `open` (has records appended since the last send). */
  open: boolean;
  /** The batch is sent before a record would take it past this many bytes. */
  limit: number;
}

const EMPTY = Buffer.alloc(0);

/** Header names as bytes; a null value is sent as an empty one (as the library producer did). */
function batchHeaders(headers: Headers): [Buffer, Buffer | null][] {
  return headers.map(([k, v]) => [Buffer.from(k), v ?? EMPTY]);
}

function bytesOf(b: Buffer | string | null): Buffer | null {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

export class KafkaRecordCollector implements RecordCollector {
  private readonly producer: Producer;
  private readonly eos: boolean;
  private readonly metrics: StreamsMetrics;
  private readonly partitionCounts = new Map<string, number>();
  private readonly batchLimits = new Map<string, number>();
  /** exactly_once_v2: messages for the library's transactional producer. */
  private buffer: MessageToProduce[] = [];
  /** at_least_once: the batch being built per topic and partition. */
  private readonly partitionBatches = new Map<string, (PartitionBatch | undefined)[]>();
  /** at_least_once: the partition batches with records, in the order they got their first. */
  private open: PartitionBatch[] = [];
  /** at_least_once: records whose topic's partition count is not known yet. */
  private unassigned: { topic: string; record: BatchRecord }[] = [];
  /** Steps queued on `chain` and not finished (while any is, batches go through the chain too). */
  private chainPending = 0;
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
          // Metadata on the producer's connections, Produce on lean ones of its own (unless SASL).
          ...batchProducerOnClient(producer),
          // Not idempotent, like the producer it replaces: one batch in flight per partition keeps
          // the order. (Idempotent, the output of a run after an exactly_once_v2 run on the same
          // broker was not readable read_committed in test/streams/exactly-once.test.ts; not
          // understood yet.)
          idempotent: false,
        });
  }

  /** A topic's `max.message.bytes` (set before its first record): its batches are kept to 90% of it (at most 1 MiB). */
  setMaxMessageBytes(topic: string, bytes: number): void {
    if (Number.isFinite(bytes) && bytes > 0)
      this.batchLimits.set(topic, Math.floor(Math.min(MAX_BATCH_BYTES, bytes) * 0.9));
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
    this.sendText(topic, key, value, timestamp, headers, partition);
  }

  sendText(
    topic: string,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: Headers,
    partition: number | undefined,
  ): void {
    this.metrics.producedTotal++;
    if (this.batches !== null) this.add(topic, key, value, timestamp, headers, partition);
    else this.addMessage(topic, bytesOf(key), bytesOf(value), timestamp, headers, partition);
  }

  /** at_least_once: written straight into its partition's batch (no object kept per record). */
  private add(
    topic: string,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: Headers,
    partition: number | undefined,
  ): void {
    const batchHeaderList = headers.length > 0 ? batchHeaders(headers) : undefined;
    if (partition === undefined) {
      const n = this.partitionCounts.get(topic);
      if (n !== undefined)
        partition =
          key === null
            ? this.roundRobin++ % n
            : typeof key === 'string'
              ? partitionForTextKey(key, n)
              : partitionForKey(key, n);
    }
    if (partition === undefined) {
      this.unassigned.push({
        topic,
        record: { key: bytesOf(key), value, timestamp, headers: batchHeaderList },
      });
      return;
    }
    let byPartition = this.partitionBatches.get(topic);
    if (byPartition === undefined) this.partitionBatches.set(topic, (byPartition = []));
    let pb = byPartition[partition];
    if (pb === undefined)
      byPartition[partition] = pb = {
        topic,
        partition,
        builder: new RecordBatchBuilder(),
        open: false,
        limit: this.batchLimits.get(topic) ?? DEFAULT_BATCH_BYTES,
      };
    // the batch goes before a record that would take it past the limit (text counted at 3 bytes
    // per UTF-16 unit, an upper bound); a record larger than the limit goes in a batch of its own
    if (pb.builder.count > 0) {
      let size = pb.builder.bytes + 32;
      if (key !== null) size += typeof key === 'string' ? key.length * 3 : key.length;
      if (value !== null) size += typeof value === 'string' ? value.length * 3 : value.length;
      if (batchHeaderList) for (const [k, v] of batchHeaderList) size += k.length + (v?.length ?? 0) + 10;
      if (size > pb.limit) this.dispatch(pb, pb.builder.finish()!);
    }
    if (!pb.open) {
      pb.open = true;
      this.open.push(pb);
    }
    pb.builder.append(key, value, timestamp, batchHeaderList);
  }

  /**
   * at_least_once: hands an encoded batch to the producer now, or after the steps queued on the
   * chain (records waiting for their topic's partition count) so a partition's batches keep
   * their order.
   */
  private dispatch(pb: PartitionBatch, batch: Buffer): void {
    if (this.chainPending === 0) {
      if (this.failure === null) this.sendBatch(pb, batch);
      return;
    }
    this.chainPending++;
    this.chain = this.chain.then(() => {
      this.chainPending--;
      if (this.failure === null) this.sendBatch(pb, batch);
    });
  }

  /** Sends a built batch; once acknowledged, its bytes go back to the builder for a later batch. */
  private sendBatch(pb: PartitionBatch, batch: Buffer): void {
    this.batches!.sendEncoded(pb.topic, pb.partition, batch).then(
      () => pb.builder.recycle(batch),
      this.onBatchError,
    );
  }

  /** exactly_once_v2: a message for the library's producer. */
  private addMessage(
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
    if (this.buffer.length >= BATCH) this.sendBuffered();
  }

  /** Hands buffered records to the producer (without waiting). */
  sendBuffered(): void {
    if (this.batches !== null) {
      const producer = this.batches;
      const unassigned = this.unassigned;
      if (unassigned.length > 0) {
        this.unassigned = [];
        this.chainPending++;
        this.chain = this.chain.then(async () => {
          try {
            if (this.failure !== null) return;
            // sent before their topic's partition count was known: before any record of that
            // topic in the partition batches, which wait on the chain behind this step
            this.sendUnassigned(producer, await this.assignUnassigned(unassigned));
          } catch (err) {
            this.failure ??= err;
          } finally {
            this.chainPending--;
          }
        });
      }
      const open = this.open;
      this.open = [];
      for (const pb of open) {
        pb.open = false;
        const batch = pb.builder.finish();
        if (batch !== null) this.dispatch(pb, batch);
      }
      return;
    }
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

  /** Partitions of records sent before their topic's partition count was known. */
  private async assignUnassigned(
    records: { topic: string; record: BatchRecord }[],
  ): Promise<{ topic: string; partition: number; record: BatchRecord }[]> {
    for (const t of new Set(records.map((r) => r.topic))) {
      if (this.partitionCounts.has(t)) continue;
      const count = await this.batches!.partitionCount(t).catch((err: Error) => {
        throw new Error(`output topic ${t} does not exist (${err.message})`);
      });
      this.partitionCounts.set(t, count);
    }
    return records.map(({ topic, record }) => {
      const n = this.partitionCounts.get(topic)!;
      const partition = record.key ? partitionForKey(record.key, n) : this.roundRobin++ % n;
      return { topic, partition, record };
    });
  }

  /** One RecordBatch per partition, in the order the records were sent. */
  private sendUnassigned(
    producer: BatchProducer,
    records: { topic: string; partition: number; record: BatchRecord }[],
  ): void {
    const groups = new Map<string, { topic: string; partition: number; records: BatchRecord[] }>();
    for (const r of records) {
      const id = `${r.partition}\0${r.topic}`;
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = { topic: r.topic, partition: r.partition, records: [] }));
      g.records.push(r.record);
    }
    for (const g of groups.values()) this.trackBatch(producer.send(g.topic, g.partition, g.records));
  }

  /** at_least_once: a batch's failure is kept for flush() (which waits on the producer). */
  private trackBatch(p: Promise<unknown>): void {
    p.then(undefined, this.onBatchError);
  }

  private readonly onBatchError = (err: unknown): void => {
    this.failure ??= err;
  };

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
    // at_least_once: every batch handed to the producer so far is answered (errors are kept by
    // trackBatch's handlers, which run before this resolves)
    await this.batches?.flush();
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

  /** Closes the at_least_once batch producer's own Produce connections (what was not acknowledged is rejected). */
  async close(): Promise<void> {
    await this.batches?.close({ abort: true });
  }

  /** Drops unsent records and aborts the open transaction (exactly_once_v2). */
  async abort(): Promise<void> {
    this.buffer = [];
    for (const pb of this.open) {
      pb.open = false;
      pb.builder.finish();
    }
    this.open = [];
    this.unassigned = [];
    await this.chain.catch(() => {});
    await this.batches?.flush();
    await Promise.all(this.inflight);
    this.inflight = [];
    this.failure = null;
    const txn = this.txn;
    this.txn = null;
    if (txn !== null) await txn.abort().catch(() => txn.cancel().catch(() => {}));
  }
}

/**
 * The `_schemas` topic as the registry's log: on start it creates the topic if missing (one
 * partition, `cleanup.policy=compact`, replication min(3, brokers) as Confluent does) or checks an
 * existing one, reads it from the beginning into a RegistryState and keeps tailing it, so every
 * instance follows every write. Writes (only the leader writes) are produced with acks=all and
 * resolve once this instance's reader has applied them, so a write's effect is visible to the
 * next request. Speaks Kafka only through @platformatic/kafka.
 */
import type { Consumer, Producer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import { createAdmin, createConsumer, createProducer } from '../../client/clients.ts';
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import { readPartitions } from '../../client/partition-reader.ts';
import { RegistryState } from './state.ts';

export interface StoreRecord {
  key: Buffer;
  value: Buffer | null;
}

export interface KafkaStoreOptions {
  connection: KafkaConnectionOptions;
  topic: string;
  clientId: string;
  logger: Logger;
  /** How long start() waits for the topic to be read to its end. */
  initTimeoutMs?: number;
}

/** The store could not reach or use Kafka (the API answers 50001). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

export class KafkaStore {
  readonly state = new RegistryState();
  private readonly options: KafkaStoreOptions;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private readonly abort = new AbortController();
  /** Next offset the reader will apply. */
  private position = 0n;
  private waiters: { offset: bigint; resolve: () => void; reject: (err: Error) => void }[] = [];
  private reading: Promise<void> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(options: KafkaStoreOptions) {
    this.options = options;
  }

  /** Called after each applied record (caches invalidate on it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.ensureTopic();
    const { connection, clientId } = this.options;
    this.consumer = createConsumer(connection, { clientId, groupId: `${clientId}-reader` });
    this.producer = createProducer(connection, { clientId });
    this.reading = this.read();
    await this.catchUp(this.options.initTimeoutMs ?? 60_000);
  }

  private async ensureTopic(): Promise<void> {
    const { connection, clientId, topic } = this.options;
    const admin = createAdmin(connection, { clientId });
    try {
      const metadata = await admin.metadata({ topics: [] });
      const existing = (await admin.listTopics({ includeInternals: true })).includes(topic);
      if (!existing) {
        const replicas = Math.max(1, Math.min(3, metadata.brokers.size));
        try {
          await admin.createTopics({
            topics: [topic],
            partitions: 1,
            replicas,
            configs: [{ name: 'cleanup.policy', value: 'compact' }],
          });
          this.options.logger.info({ topic, replicas }, 'created the schemas topic');
        } catch (err) {
          // Another instance may have created it at the same moment.
          if (!(await admin.listTopics({ includeInternals: true })).includes(topic)) throw err;
        }
        return;
      }
      const described = await admin.metadata({ topics: [topic] });
      const partitions = described.topics.get(topic)?.partitionsCount ?? 0;
      if (partitions !== 1) {
        throw new StoreError(
          `The schemas topic ${topic} should have exactly 1 partition but has ${partitions}`,
        );
      }
      const [config] = await admin.describeConfigs({
        resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['cleanup.policy'] }],
      });
      const policy = config?.configs.find((c) => c.name === 'cleanup.policy')?.value ?? '';
      if (
        !policy
          .split(',')
          .map((p) => p.trim())
          .includes('compact')
      ) {
        this.options.logger.warn(
          { topic, policy },
          `The retention policy of the schema topic ${topic} is incorrect: expected cleanup.policy=compact`,
        );
      }
    } finally {
      await admin.close();
    }
  }

  /** Tails the topic from the current position; after a failure (broker away) it resumes there. */
  private async read(): Promise<void> {
    const consumer = this.consumer!;
    const { topic, logger } = this.options;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      try {
        const positions = new Map([[0, this.position]]);
        for await (const record of readPartitions({
          consumer,
          topic,
          positions,
          signal: this.abort.signal,
        })) {
          if (record.key !== null) {
            try {
              this.state.apply(record.key, record.value);
            } catch (err) {
              logger.warn({ err, offset: String(record.offset) }, 'skipped an unreadable _schemas record');
            }
          }
          this.position = record.offset + 1n;
          failures = 0;
          for (const listener of this.listeners) listener();
          this.settle();
        }
      } catch (err) {
        if (this.abort.signal.aborted) return;
        failures++;
        logger.error({ err, failures }, `reading ${topic} failed; resuming at offset ${this.position}`);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(5_000, 250 * 2 ** Math.min(failures, 5))).unref(),
        );
      }
    }
  }

  private settle(): void {
    const done = this.waiters.filter((w) => w.offset <= this.position);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.offset > this.position);
    for (const w of done) w.resolve();
  }

  /** Resolves once the reader has applied every record before `offset`. */
  waitFor(offset: bigint, timeoutMs = 30_000): Promise<void> {
    if (offset <= this.position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new StoreError(
            `timed out after ${timeoutMs} ms waiting for the schemas topic to reach offset ${offset}`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      const waiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until everything in the topic now has been applied (a new leader does this first). */
  async catchUp(timeoutMs = 30_000): Promise<void> {
    const offsets = await this.consumer!.listOffsets({
      topics: [this.options.topic],
      partitions: { [this.options.topic]: [0] },
    });
    const end = offsets.get(this.options.topic)?.[0] ?? 0n;
    await this.waitFor(end, timeoutMs);
  }

  /** Appends records (in order) and resolves once they are applied here. */
  async write(records: readonly StoreRecord[]): Promise<void> {
    if (records.length === 0) return;
    let result: Awaited<ReturnType<Producer['send']>>;
    try {
      result = await this.producer!.send({
        messages: records.map((r) => ({
          topic: this.options.topic,
          partition: 0,
          key: r.key,
          ...(r.value === null ? {} : { value: r.value }),
        })),
      });
    } catch (err) {
      throw new StoreError(`writing to ${this.options.topic} failed: ${(err as Error).message}`);
    }
    const base = result.offsets?.find((o) => o.partition === 0)?.offset;
    if (base === undefined) {
      await this.catchUp();
      return;
    }
    await this.waitFor(base + BigInt(records.length));
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const w of this.waiters) w.reject(new StoreError('the store is closing'));
    this.waiters = [];
    await this.reading?.catch(() => undefined);
    await Promise.allSettled([this.consumer?.close(), this.producer?.close()]);
  }
}

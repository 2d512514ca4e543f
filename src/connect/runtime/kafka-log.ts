/**
 * A compacted topic read from the beginning and followed (Kafka Connect's `KafkaBasedLog`): the
 * config, offset and status stores are built on it. `start()` creates the topic when missing and
 * reads it to the end; a background loop keeps applying new records in order; `readToEnd()` waits
 * until everything written before the call has been applied (read-your-writes across workers);
 * `send()` writes with acks=all.
 */
import type { Admin, Consumer, Producer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { ConsumedRecord } from '../../client/consumed-record.ts';
import { Fetcher } from './fetcher.ts';

export interface KafkaLogOptions {
  topic: string;
  partitions: number;
  replicationFactor: number;
  admin: Admin;
  consumer: Consumer;
  producer: Producer;
  logger: Logger;
  apply(record: ConsumedRecord): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function ensureTopic(
  admin: Admin,
  topic: string,
  partitions: number,
  replicationFactor: number,
  configs: Record<string, string>,
): Promise<void> {
  const existing = await admin.listTopics({ includeInternals: true });
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({
      topics: [topic],
      partitions,
      replicas: replicationFactor,
      configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
    });
  } catch (err) {
    if (
      !JSON.stringify((err as { errors?: unknown }).errors ?? '').includes('TOPIC_ALREADY_EXISTS') &&
      !String((err as Error).message).includes('already exists')
    ) {
      const again = await admin.listTopics({ includeInternals: true });
      if (!again.includes(topic)) throw err;
    }
  }
}

export class KafkaLog {
  readonly #o: KafkaLogOptions;
  readonly #fetcher: Fetcher;
  readonly #positions = new Map<number, bigint>();
  readonly #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #waiters: { target: Map<number, bigint>; resolve: () => void }[] = [];
  #error: Error | null = null;

  constructor(options: KafkaLogOptions) {
    this.#o = options;
    this.#fetcher = new Fetcher(options.consumer);
  }

  get topic(): string {
    return this.#o.topic;
  }

  async start(): Promise<void> {
    const { admin, topic } = this.#o;
    await ensureTopic(admin, topic, this.#o.partitions, this.#o.replicationFactor, {
      'cleanup.policy': 'compact',
    });
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const count = metadata.topics.get(topic)?.partitionsCount ?? this.#o.partitions;
    const earliest = await this.#o.consumer.listOffsets({
      topics: [topic],
      partitions: { [topic]: [...Array(count).keys()] },
      timestamp: -2n,
    });
    for (let p = 0; p < count; p++) this.#positions.set(p, earliest.get(topic)?.[p] ?? 0n);
    this.#loop = this.#run();
    await this.readToEnd();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const round = await this.#fetcher.fetch(new Map([[this.#o.topic, this.#positions]]), 500);
        for (const record of round.records) {
          try {
            this.#o.apply(record);
          } catch (err) {
            this.#o.logger.error(
              { err, topic: this.#o.topic, offset: record.offset },
              'skipping unreadable record',
            );
          }
        }
        for (const [p, next] of round.positions.get(this.#o.topic) ?? []) this.#positions.set(p, next);
        this.#wake();
        if (round.failed > 0) await sleep(200);
      } catch (err) {
        if (signal.aborted) break;
        this.#o.logger.warn({ err, topic: this.#o.topic }, 'reading internal topic failed; retrying');
        await sleep(500);
      }
    }
  }

  #wake(): void {
    this.#waiters = this.#waiters.filter((w) => {
      for (const [p, end] of w.target) if ((this.#positions.get(p) ?? 0n) < end) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once every record written before this call has been applied. */
  async readToEnd(timeoutMs = 30_000): Promise<void> {
    if (this.#error) throw this.#error;
    const topic = this.#o.topic;
    // Asked through the admin client: the consumer's connection may be holding a long-poll fetch,
    // and a broker answers one connection's requests in order. The stable end (read_committed)
    // is what the fetch loop, which reads committed records only, can reach.
    const latest = await this.#o.admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: [...this.#positions.keys()].map((partitionIndex) => ({
            partitionIndex,
            timestamp: -1n,
          })),
        },
      ],
      isolationLevel: 1,
    });
    const ends = new Map((latest[0]?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    const target = new Map<number, bigint>();
    for (const p of this.#positions.keys()) target.set(p, ends.get(p) ?? 0n);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out reading ${topic} to its end`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push({ target, resolve: done });
      this.#wake();
    });
  }

  async send(key: Buffer, value: Buffer | null, partition?: number): Promise<void> {
    await this.#o.producer.send({
      messages: [
        {
          topic: this.#o.topic,
          key,
          value: value as Buffer,
          ...(partition === undefined ? {} : { partition }),
        },
      ],
      acks: -1,
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop?.catch(() => {});
  }
}

/**
 * The emitter's sender: takes the batches the emitter hands over (in order, each with an id), splits
 * each by partition (Java's partitioner for keys, round-robin without), encodes one RecordBatch per
 * partition and hands them to the client's `BatchProducer` together, which sends them in one Produce
 * request per broker; reports each batch once settled (`settled(id, rejected, errors)`: events the
 * broker refused for good, and how many refusals) and problems worth a log line.
 *
 * By default it runs on the app's thread. With `senderThread: true` it runs in a worker thread of
 * its own (sender-thread.ts), so that the encoding, the socket writes and the parsing of
 * acknowledgements do not hold the app's event loop; the emitter keeps the buffer, its accounting,
 * the drop policies, the spool, flush and close on the app's thread. Options a worker cannot be
 * given (functions in `tls` or `sasl`) keep it on the app's thread.
 */
import { BatchProducer, BatchProducerError, type BatchProducerOptions } from '../client/batch-producer.ts';
import { partitionForKey } from '../client/partitioner.ts';
import type { SenderRecord } from './record.ts';

export interface SenderHooks {
  /**
   * The batch `id` is settled (at `at`, ms since the epoch): `rejected` of its events were refused
   * for good (`errors` refusals).
   */
  settled(id: number, rejected: number, errors: number, at: number): void;
  /** Something worth a (rate-limited) log line. */
  problem(fields: Record<string, unknown>, message: string): void;
}

interface PendingBatch {
  id: number;
  records: SenderRecord[];
}

export class Sender {
  readonly #producer: BatchProducer;
  readonly #hooks: SenderHooks;
  readonly #partitions = new Map<string, number>();
  #roundRobin = 0;
  /** Batches not yet handed to the producer, oldest first. */
  readonly #unsent: PendingBatch[] = [];
  /** The oldest unsent batch waits for its topics' partition counts; later ones wait behind it. */
  #resolving = false;
  #aborted = false;

  constructor(options: BatchProducerOptions, hooks: SenderHooks) {
    this.#producer = new BatchProducer(options);
    this.#hooks = hooks;
  }

  send(id: number, records: SenderRecord[]): void {
    if (this.#aborted) return;
    this.#unsent.push({ id, records });
    this.#sendInOrder();
  }

  /** Settlements are reported as they happen on this thread: nothing to drain. */
  drain(): void {}

  wantWake(_level: number): void {}

  /** Stops: batches not settled yet are abandoned (never reported), the connections closed. */
  async close(): Promise<void> {
    this.#aborted = true;
    this.#unsent.length = 0;
    await this.#producer.close({ abort: true }).catch(() => {});
  }

  /** Sends batches in the order they came, each once its topics' partition counts are known. */
  #sendInOrder(): void {
    while (!this.#resolving && this.#unsent.length > 0) {
      const batch = this.#unsent[0]!;
      let unknown: Set<string> | null = null;
      const records = batch.records;
      for (let i = 0; i < records.length; i++) {
        const t = records[i]!.topic;
        if (!this.#partitions.has(t)) (unknown ??= new Set()).add(t);
      }
      if (unknown !== null) {
        this.#resolving = true;
        this.#partitionCounts(unknown).then(() => {
          if (this.#aborted) return;
          this.#resolving = false;
          this.#sendInOrder();
        });
        return;
      }
      this.#unsent.shift();
      this.#produce(batch);
    }
  }

  async #partitionCounts(topics: Set<string>): Promise<void> {
    for (const topic of topics) {
      while (!this.#partitions.has(topic)) {
        try {
          this.#partitions.set(topic, await this.#producer.partitionCount(topic));
        } catch (err) {
          if (err instanceof BatchProducerError && err.errorCode >= 0) {
            // A refusal (authorization, invalid topic): this topic's events are rejected.
            this.#partitions.set(topic, -1);
            this.#hooks.problem(
              { err: err.message, topic },
              'the broker refused the topic; its events are dropped',
            );
          } else {
            if (this.#aborted) return;
            this.#hooks.problem(
              { err: describeError(err as Error), topic },
              'cannot reach the broker; retrying in 1 s',
            );
            await new Promise((r) => setTimeout(r, 1000));
            if (this.#aborted) return;
          }
        }
      }
    }
  }

  /**
   * Splits the batch by partition and sends one RecordBatch per partition. No promise, string key or
   * iterator per record or batch: at an app's rate this runs cold, where each is an allocation.
   */
  #produce(batch: PendingBatch): void {
    const records = batch.records;
    const groups: PartitionGroup[] = [];
    let byTopic: Map<string, (PartitionGroup | undefined)[]> | null = null;
    let topic = '';
    let count = 0;
    let byPartition: (PartitionGroup | undefined)[] = [];
    let refused = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.topic !== topic || i === 0) {
        topic = r.topic;
        count = this.#partitions.get(topic) ?? -1;
        if (count > 0) {
          byTopic ??= new Map();
          let known = byTopic.get(topic);
          if (known === undefined) byTopic.set(topic, (known = []));
          byPartition = known;
        }
      }
      if (count <= 0) {
        refused++;
        continue;
      }
      const partition =
        r.key === undefined ? (this.#roundRobin++ & 0x7fffffff) % count : partitionForKey(r.key, count);
      let group = byPartition[partition];
      if (group === undefined) {
        group = byPartition[partition] = { topic, partition, records: [] };
        groups.push(group);
      }
      group.records.push(r);
    }
    let errors = refused > 0 ? 1 : 0;
    let dropped = refused;
    // One more than the sends: a callback made before sendWith returns cannot settle the batch early.
    let waiting = groups.length + 1;
    const answered = (): void => {
      if (--waiting > 0 || this.#aborted) return;
      this.#hooks.settled(batch.id, dropped, errors, Date.now());
    };
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      const done = (err: Error | null): void => {
        if (err !== null) {
          dropped += g.records.length;
          if (!this.#aborted) {
            errors++;
            this.#hooks.problem(
              { err: describeError(err), events: g.records.length },
              'the broker refused a batch; its events are dropped',
            );
          }
        }
        answered();
      };
      try {
        this.#producer.sendWith(g.topic, g.partition, g.records, done);
      } catch (err) {
        done(err as Error);
      }
    }
    // Settled from a later turn, as before, even when nothing was sent (every event refused).
    queueMicrotask(answered);
  }
}

interface PartitionGroup {
  topic: string;
  partition: number;
  records: SenderRecord[];
}

function describeError(err: Error): string {
  const nested = (err as Error & { errors?: Error[] }).errors;
  const last = nested?.[nested.length - 1];
  return last ? `${err.message}: ${describeError(last)}` : err.message;
}

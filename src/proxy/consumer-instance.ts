/**
 * One v2 consumer instance: a Kafka consumer in `group`, acting as the HTTP user who created it.
 * Partitions come from a subscription (group membership through @platformatic/kafka's classic
 * protocol; the library heartbeats and rejoins, and each join's assignment is reconciled here) or
 * from a manual assignment. A background loop fetches from the assigned partitions' leaders into a
 * bounded buffer (`maxBufferBytes`; it stops fetching while full) and `GET .../records` takes from
 * it, waiting up to its timeout for the first record. Positions start at the group's committed
 * offset or, without one, at `auto.offset.reset`; seeks move them. With `auto.commit.enable` the
 * offsets of returned records are committed after each read. Commits from the REST API name the
 * last consumed offset, as Confluent's v2 does (the committed position is that offset + 1).
 *
 * A `topic_pattern` subscription is matched against the topic list again, at most every
 * `patternRefreshMs`, when records are read; a changed set of topics is subscribed anew (the
 * instance rejoins its group and resumes from the committed offsets).
 */
import { Consumer } from '@platformatic/kafka';
import type { KafkaConnectionOptions } from '../client/connection-options.ts';
import { type ConsumedRecord, nextFetchOffset, recordsFromBatches } from '../client/consumed-record.ts';
import { consumerAlreadySubscribed, illegalState } from './errors.ts';
import type { EmbeddedFormat } from './formats.ts';
import { restErrorOf } from './kafka.ts';

export interface ConsumerInstanceConfig {
  group: string;
  name: string;
  format: EmbeddedFormat;
  autoOffsetReset: 'earliest' | 'latest';
  autoCommit: boolean;
  fetchMinBytes: number;
  requestTimeoutMs: number;
  maxBufferBytes: number;
  patternRefreshMs: number;
}

/** A `topic_pattern` subscription: the pattern and how to list the topics it is matched against. */
export interface TopicPattern {
  regex: RegExp;
  listTopics: () => Promise<string[]>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

const PARTITION_MAX_BYTES = 1024 * 1024;
const tp = (topic: string, partition: number): string => `${topic}\0${partition}`;
const untp = (key: string): TopicPartition => {
  const i = key.lastIndexOf('\0');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
};

export class ConsumerInstance {
  readonly config: ConsumerInstanceConfig;
  readonly owner: string;
  lastUsed = Date.now();
  readonly #consumer: Consumer;
  #subscription: { topics: string[] } | null = null;
  #pattern: (TopicPattern & { checkedAt: number }) | null = null;
  #manual: TopicPartition[] | null = null;
  /** Next offset to fetch per assigned partition. */
  readonly #positions = new Map<string, bigint>();
  /** Offset after the last record returned to the HTTP client, per partition. */
  readonly #consumed = new Map<string, bigint>();
  #buffer: ConsumedRecord[] = [];
  #bufferBytes = 0;
  /** Bumped whenever positions change outside the fetch loop; older fetches are discarded. */
  #epoch = 0;
  #closed = false;
  #wakeLoop: (() => void) | null = null;
  #dataWaiters: (() => void)[] = [];
  #loop: Promise<void> | null = null;
  #lastError: unknown = null;
  #commitChain: Promise<void> = Promise.resolve();

  constructor(config: ConsumerInstanceConfig, connection: KafkaConnectionOptions, owner: string) {
    this.config = config;
    this.owner = owner;
    this.#consumer = new Consumer({
      ...connection,
      clientId: `samsa-proxy-${config.group}-${config.name}`,
      groupId: config.group,
      autocommit: false,
      maxWaitTime: 500,
      minBytes: config.fetchMinBytes,
      isolationLevel: 1,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      connectTimeout: 5000,
      timeout: 30_000,
      retries: 2,
      retryDelay: 200,
    });
    this.#consumer.on('consumer:group:join', () => {
      void this.#reconcile().catch((err) => (this.#lastError = err));
    });
  }

  get bufferedBytes(): number {
    return this.#bufferBytes;
  }

  subscription(): string[] {
    return this.#subscription?.topics ?? [];
  }

  assignments(): TopicPartition[] {
    return [...this.#positions.keys()].map(untp);
  }

  /** Subscribes to these topics; with `pattern`, they are what it matched now and it is matched again later. */
  async subscribe(topics: string[], pattern?: TopicPattern): Promise<void> {
    if (this.#manual !== null) throw consumerAlreadySubscribed();
    this.#pattern = pattern === undefined ? null : { ...pattern, checkedAt: Date.now() };
    if (this.#subscription !== null) {
      const same =
        this.#subscription.topics.length === topics.length &&
        topics.every((t) => this.#subscription!.topics.includes(t));
      if (same) return;
      await this.#unsubscribe();
    }
    this.#subscription = { topics: [...topics] };
    for (const t of topics) this.#consumer.topics.track(t);
    try {
      await this.#consumer.joinGroup({});
    } catch (err) {
      this.#subscription = null;
      this.#consumer.topics.untrackAll(...topics);
      throw restErrorOf(err, topics);
    }
    await this.#reconcile();
    this.#startLoop();
  }

  async unsubscribe(): Promise<void> {
    this.#pattern = null;
    await this.#unsubscribe();
  }

  async #unsubscribe(): Promise<void> {
    if (this.#subscription === null) return;
    const topics = this.#subscription.topics;
    this.#subscription = null;
    this.#setAssigned([]);
    this.#consumer.topics.untrackAll(...topics);
    await this.#leave();
  }

  async assign(partitions: TopicPartition[]): Promise<void> {
    if (this.#subscription !== null) throw consumerAlreadySubscribed();
    this.#manual = partitions.map((p) => ({ ...p }));
    this.#setAssigned(partitions);
    await this.#initPositions(partitions);
    this.#startLoop();
  }

  /** Moves the positions of assigned partitions. */
  seek(offsets: (TopicPartition & { offset: bigint })[]): void {
    for (const o of offsets) {
      if (!this.#positions.has(tp(o.topic, o.partition))) {
        throw illegalState(`No current assignment for partition ${o.topic}-${o.partition}`);
      }
    }
    this.#epoch++;
    for (const o of offsets) {
      this.#positions.set(tp(o.topic, o.partition), o.offset);
      this.#purge(o.topic, o.partition);
    }
    this.#wake();
  }

  async seekTo(partitions: TopicPartition[], where: 'beginning' | 'end'): Promise<void> {
    for (const p of partitions) {
      if (!this.#positions.has(tp(p.topic, p.partition))) {
        throw illegalState(`No current assignment for partition ${p.topic}-${p.partition}`);
      }
    }
    const offsets = await this.#listOffsets(partitions, where === 'beginning' ? -2n : -1n);
    this.seek(partitions.map((p) => ({ ...p, offset: offsets.get(tp(p.topic, p.partition)) ?? 0n })));
  }

  /** Matches a `topic_pattern` subscription again when it is due; subscribes anew when the topics changed. */
  async #refreshPattern(): Promise<void> {
    const p = this.#pattern;
    if (p === null || this.#subscription === null || Date.now() - p.checkedAt < this.config.patternRefreshMs)
      return;
    p.checkedAt = Date.now();
    let topics: string[];
    try {
      topics = (await p.listTopics()).filter((t) => p.regex.test(t));
    } catch {
      return; // keep reading what is subscribed; the next due read tries again
    }
    const current = this.#subscription.topics;
    if (topics.length === current.length && topics.every((t) => current.includes(t))) return;
    await this.#commitChain; // what was returned stays returned after the rejoin
    await this.subscribe(topics, p);
  }

  /** Up to `maxBytes` of buffered records (at least one if any), waiting up to `timeoutMs` for the first. */
  async records(timeoutMs: number, maxBytes: number): Promise<ConsumedRecord[]> {
    this.lastUsed = Date.now();
    await this.#refreshPattern();
    if (this.#lastError !== null) {
      const err = this.#lastError;
      this.#lastError = null;
      throw restErrorOf(err);
    }
    if (this.#buffer.length === 0 && timeoutMs > 0 && this.#positions.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#dataWaiters.push(done);
      });
    }
    let bytes = 0;
    let n = 0;
    while (n < this.#buffer.length) {
      const size = recordBytes(this.#buffer[n]!);
      if (n > 0 && bytes + size > maxBytes) break;
      bytes += size;
      n++;
    }
    const out = n === this.#buffer.length ? this.#buffer : this.#buffer.slice(0, n);
    this.#buffer = n === this.#buffer.length ? [] : this.#buffer.slice(n);
    this.#bufferBytes -= bytes;
    for (const r of out) this.#consumed.set(tp(r.topic, r.partition), r.offset + 1n);
    if (out.length > 0) {
      this.#wake();
      if (this.config.autoCommit)
        this.#commitQuietly([...this.#consumed].map(([k, offset]) => ({ ...untp(k), offset })));
    }
    this.lastUsed = Date.now();
    return out;
  }

  /** Commits the given offsets (Confluent v2: the last consumed offset; committed as offset + 1), or everything returned so far. */
  async commit(
    offsets: (TopicPartition & { offset: bigint })[] | null,
  ): Promise<(TopicPartition & { offset: bigint })[]> {
    const list =
      offsets === null
        ? [...this.#consumed].map(([k, offset]) => ({ ...untp(k), offset }))
        : offsets.map((o) => ({ ...o, offset: o.offset + 1n }));
    await this.#commit(list);
    return list;
  }

  /** The group's committed offsets of these partitions (-1 when none). */
  async committed(partitions: TopicPartition[]): Promise<(TopicPartition & { offset: bigint })[]> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    try {
      const result = await this.#consumer.listCommittedOffsets({
        topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })),
      });
      return partitions.map((p) => {
        return { ...p, offset: result.get(p.topic)?.[p.partition] ?? -1n };
      });
    } catch (err) {
      throw restErrorOf(err, [...byTopic.keys()]);
    }
  }

  async #leave(): Promise<void> {
    try {
      await this.#consumer.leaveGroup();
    } catch {}
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    for (const w of this.#dataWaiters.splice(0)) w();
    await this.#commitChain;
    if (this.#subscription !== null) await this.#leave();
    await this.#consumer.close(true).catch(() => {});
    await this.#loop?.catch(() => {});
  }

  #commitQuietly(list: (TopicPartition & { offset: bigint })[]): void {
    this.#commit(list).catch((err) => (this.#lastError = err));
  }

  #commit(list: (TopicPartition & { offset: bigint })[]): Promise<void> {
    const run = async (): Promise<void> => {
      if (list.length === 0) return;
      try {
        await this.#consumer.commit({ offsets: list.map((o) => ({ ...o, leaderEpoch: -1 })) });
      } catch (err) {
        throw restErrorOf(err, [...new Set(list.map((o) => o.topic))]);
      }
    };
    const next = this.#commitChain.then(run, run);
    this.#commitChain = next.catch(() => {});
    return next;
  }

  /** After a (re)join: keep positions of partitions still ours, start new ones, drop revoked ones. */
  async #reconcile(): Promise<void> {
    if (this.#subscription === null) return;
    const assigned: TopicPartition[] = [];
    for (const a of this.#consumer.assignments ?? [])
      for (const p of a.partitions) assigned.push({ topic: a.topic, partition: p });
    const fresh = assigned.filter((p) => !this.#positions.has(tp(p.topic, p.partition)));
    this.#setAssigned(assigned);
    await this.#initPositions(fresh);
    this.#wake();
  }

  #setAssigned(partitions: TopicPartition[]): void {
    const keep = new Set(partitions.map((p) => tp(p.topic, p.partition)));
    this.#epoch++;
    for (const key of [...this.#positions.keys()]) {
      if (keep.has(key)) continue;
      this.#positions.delete(key);
      this.#consumed.delete(key);
      const { topic, partition } = untp(key);
      this.#purge(topic, partition);
    }
    for (const key of keep) if (!this.#positions.has(key)) this.#positions.set(key, -1n);
  }

  /** Committed offset, else auto.offset.reset. */
  async #initPositions(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const committed = await this.committed(partitions);
    const missing = committed.filter((c) => c.offset < 0n);
    const reset =
      missing.length > 0
        ? await this.#listOffsets(missing, this.config.autoOffsetReset === 'earliest' ? -2n : -1n)
        : new Map<string, bigint>();
    this.#epoch++;
    for (const c of committed) {
      const key = tp(c.topic, c.partition);
      if (!this.#positions.has(key)) continue;
      this.#positions.set(key, c.offset >= 0n ? c.offset : (reset.get(key) ?? 0n));
    }
  }

  async #listOffsets(partitions: TopicPartition[], timestamp: bigint): Promise<Map<string, bigint>> {
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    try {
      const offsets = await this.#consumer.listOffsets({
        topics: [...byTopic.keys()],
        partitions: Object.fromEntries(byTopic),
        timestamp,
        isolationLevel: 1,
      });
      const out = new Map<string, bigint>();
      for (const p of partitions) {
        const value = offsets.get(p.topic)?.[p.partition];
        if (value !== undefined) out.set(tp(p.topic, p.partition), value);
      }
      return out;
    } catch (err) {
      throw restErrorOf(err, [...byTopic.keys()]);
    }
  }

  #purge(topic: string, partition: number): void {
    const keep: ConsumedRecord[] = [];
    let bytes = 0;
    for (const r of this.#buffer) {
      if (r.topic === topic && r.partition === partition) continue;
      keep.push(r);
      bytes += recordBytes(r);
    }
    this.#buffer = keep;
    this.#bufferBytes = bytes;
  }

  #wake(): void {
    const w = this.#wakeLoop;
    this.#wakeLoop = null;
    w?.();
  }

  #startLoop(): void {
    this.#loop ??= this.#fetchLoop();
  }

  async #fetchLoop(): Promise<void> {
    while (!this.#closed) {
      const ready = [...this.#positions].filter(([, offset]) => offset >= 0n);
      if (ready.length === 0 || this.#bufferBytes >= this.config.maxBufferBytes) {
        await new Promise<void>((resolve) => {
          this.#wakeLoop = resolve;
          setTimeout(resolve, 1000).unref();
        });
        continue;
      }
      const epoch = this.#epoch;
      try {
        await this.#fetchOnce(ready, epoch);
      } catch (err) {
        if (this.#closed) return;
        this.#lastError = err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async #fetchOnce(ready: [string, bigint][], epoch: number): Promise<void> {
    const topics = [...new Set(ready.map(([k]) => untp(k).topic))];
    const metadata = await this.#consumer.metadata({ topics });
    const byLeader = new Map<number, Map<string, { partition: number; offset: bigint }[]>>();
    for (const [key, offset] of ready) {
      const { topic, partition } = untp(key);
      const leader = metadata.topics.get(topic)?.partitions[partition]?.leader ?? -1;
      let topicsOf = byLeader.get(leader);
      if (topicsOf === undefined) byLeader.set(leader, (topicsOf = new Map()));
      topicsOf.set(topic, [...(topicsOf.get(topic) ?? []), { partition, offset }]);
    }
    await Promise.all(
      [...byLeader].map(async ([node, topicsOf]) => {
        let response: Awaited<ReturnType<Consumer['fetch']>>;
        try {
          response = await this.#consumer.fetch({
            node,
            topics: [...topicsOf].map(([topic, ps]) => ({
              topicId: metadata.topics.get(topic)!.id,
              partitions: ps.map((p) => ({
                partition: p.partition,
                fetchOffset: p.offset,
                partitionMaxBytes: PARTITION_MAX_BYTES,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            })),
            maxWaitTime: 500,
            minBytes: this.config.fetchMinBytes,
            maxBytes: PARTITION_MAX_BYTES * 8,
            isolationLevel: 1,
          });
        } catch (err) {
          const partial = (err as { response?: Awaited<ReturnType<Consumer['fetch']>> }).response;
          if (!partial) throw err;
          response = partial;
        }
        if (epoch !== this.#epoch || this.#closed) return; // positions moved meanwhile
        const idToTopic = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
        for (const t of response.responses) {
          const topic = idToTopic.get(t.topicId) ?? (t as { topic?: string }).topic ?? '';
          for (const p of t.partitions) {
            const key = tp(topic, p.partitionIndex);
            const position = this.#positions.get(key);
            if (position === undefined || p.errorCode !== 0) continue;
            const batches = p.records ?? [];
            for (const r of recordsFromBatches(
              topic,
              p.partitionIndex,
              batches,
              position,
              p.abortedTransactions ?? [],
            )) {
              this.#buffer.push(r);
              this.#bufferBytes += recordBytes(r);
            }
            this.#positions.set(key, nextFetchOffset(batches, position));
          }
        }
        if (this.#buffer.length > 0) for (const w of this.#dataWaiters.splice(0)) w();
      }),
    );
  }
}

function recordBytes(r: ConsumedRecord): number {
  return (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
}

/**
 * The HTTP sink task. Records are batched per consumed partition and resolved URL/headers, and each
 * batch is posted through a pool of `max.in.flight.requests` parallel requests. A batch that fails
 * with a retryable status is retried in the task (backoff, Retry-After); if it still fails its
 * records are handed to the next retry topic (`<topic>-retry-<delay>`) or, after the last stage or on
 * a non-retryable status, to the dead-letter topic. Records read back from a retry topic are held,
 * with their partition paused, until their delay has passed since they were written, then posted
 * again. With `retry.mode=blocking` a partition's batches go one at a time and a failing batch is
 * retried in place after each delay while its partition is paused.
 *
 * Offsets: `preCommit` releases, per partition, everything below the lowest record still in the
 * task's hands, so a record is committed only once the endpoint accepted it or a retry or dead-letter
 * topic holds it (acks=all). Anything in flight at a crash is delivered again after the restart:
 * at-least-once.
 */
import {
  type ConnectConfig,
  ConnectError,
  refusedForGood,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
  topicPartitionKey,
} from '../../connect/api/index.ts';
import { bodyPart, contentType, MalformedRecordError, requestBody } from './body.ts';
import { type HttpSinkSettings, httpSinkSettings } from './config.ts';
import { HttpClient, type SendOutcome } from './http-client.ts';
import { type PartitionPending, PendingOffsets } from './pending-offsets.ts';
import { type Failure, handOffRecord, type RetryInfo, readRetryInfo } from './retry-headers.ts';
import { retryTopicIndex, retryTopicName, retryTopicsOf } from './retry-topics.ts';
import { compileTemplate, type Template } from './template.ts';

/** One record on its way: where it is tracked and what it carries from earlier attempts. */
interface Item {
  readonly record: SinkRecord;
  /** The topic the record was first written to (the retry topics are named after it). */
  readonly mainTopic: string;
  readonly retry: RetryInfo | null;
  /** -1: from the main topic; i: from the retry topic of stage i. */
  readonly stage: number;
  /** Where the record's offset is tracked until it is finished. */
  readonly pending: PartitionPending;
  readonly seq: number;
}

interface Batch {
  readonly tpKey: string;
  readonly topic: string;
  readonly partition: number;
  readonly stage: number;
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly items: Item[];
  readonly parts: string[];
  timer: NodeJS.Timeout | null;
}

interface Hold {
  readonly topic: string;
  readonly partition: number;
  readonly items: { item: Item; dueAt: number }[];
  timer: NodeJS.Timeout | null;
}

/** Delivery counters, for tests, benchmarks and logs. */
export interface HttpSinkStats {
  requests: number;
  failedRequests: number;
  delivered: number;
  toRetryTopics: number;
  deadLettered: number;
  dropped: number;
}

const HAND_OFF_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];

/** Waits `ms`, or less if the signal aborts (then resolves false). */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve(!signal.aborted);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A counting semaphore: the pool of requests in flight. */
class Slots {
  #free: number;
  readonly #waiters: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  }
}

export class HttpSinkTask implements SinkTask {
  #settings!: HttpSinkSettings;
  #context!: SinkTaskContext;
  #client!: HttpClient;
  #slots!: Slots;
  #url!: Template;
  #headers!: readonly (readonly [string, Template])[];
  #staticHeaders = true;
  #retryIndex = new Map<string, { topic: string; stage: number }>();
  readonly #pending = new PendingOffsets();
  readonly #open = new Map<string, Batch>();
  readonly #holds = new Map<string, Hold>();
  /** blocking mode: batches waiting behind their partition's current one. */
  readonly #partitionQueues = new Map<string, Batch[]>();
  readonly #partitionBusy = new Set<string>();
  readonly #paused = new Set<string>();
  /** URL and headers have no per-record variables: batches are per partition only. */
  #staticTarget = true;
  readonly #running = new Set<Promise<void>>();
  /** Batches posting or waiting for a request slot (the backpressure measure). */
  #active = 0;
  #wake: (() => void) | null = null;
  #fatal: Error | null = null;
  readonly #abort = new AbortController();
  #signal!: AbortSignal;
  readonly stats: HttpSinkStats = {
    requests: 0,
    failedRequests: 0,
    delivered: 0,
    toRetryTopics: 0,
    deadLettered: 0,
    dropped: 0,
  };

  async start(config: ConnectConfig, context: SinkTaskContext): Promise<void> {
    this.#settings = httpSinkSettings(config);
    this.#context = context;
    this.#signal = AbortSignal.any([context.signal, this.#abort.signal]);
    const s = this.#settings;
    this.#client = new HttpClient({
      connections: s.maxInFlight,
      connectTimeoutMs: s.connectTimeoutMs,
      requestTimeoutMs: s.requestTimeoutMs,
      retryStatuses: s.retryStatuses,
    });
    this.#slots = new Slots(s.maxInFlight);
    this.#url = compileTemplate(s.url, encodeURIComponent);
    const hasContentType = s.headers.some(([name]) => name.toLowerCase() === 'content-type');
    const headers = hasContentType
      ? [...s.headers]
      : [...s.headers, ['Content-Type', contentType(s)] as const];
    this.#headers = headers.map(([name, value]) => [name, compileTemplate(value)] as const);
    this.#staticHeaders = headers.every(([, value]) => !value.includes('${'));
    this.#staticTarget = this.#staticHeaders && !s.url.includes('${');
    if (s.retryMode === 'topics') this.#retryIndex = retryTopicIndex(s.topics, s.retryStages);
    const own = [
      ...(s.retryMode === 'topics' ? retryTopicsOf(s.topics, s.retryStages) : []),
      ...(s.deadLetterTopic ? [s.deadLetterTopic] : []),
    ];
    for (const topic of own) {
      try {
        await context.kafka.ensureTopic(topic);
      } catch (err) {
        throw new ConnectError(`could not create topic ${topic}: ${(err as Error).message}`);
      }
    }
  }

  async open(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) this.#pending.forget(tp.topic, tp.partition);
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    if (this.#fatal) throw this.#fatal;
    const now = Date.now();
    let lastTopic = '';
    let lastPartition = -1;
    let pending: PartitionPending | null = null;
    for (const record of records) {
      const topic = record.originalTopic;
      const partition = record.originalKafkaPartition;
      if (pending === null || topic !== lastTopic || partition !== lastPartition) {
        pending = this.#pending.partition(topic, partition);
        lastTopic = topic;
        lastPartition = partition;
      }
      const seq = pending.register(record.originalKafkaOffset);
      const stage = this.#retryIndex.get(topic);
      if (stage === undefined) {
        this.#route({ record, mainTopic: topic, retry: null, stage: -1, pending, seq });
        continue;
      }
      const tpKey = topicPartitionKey(topic, partition);
      const retry = readRetryInfo(record);
      const item: Item = { record, mainTopic: stage.topic, retry, stage: stage.stage, pending, seq };
      const delay = this.#settings.retryStages[stage.stage]!.delayMs;
      const dueAt = Math.max(record.raw.timestamp + delay, retry?.notBeforeMs ?? 0);
      const hold = this.#holds.get(tpKey);
      if (hold) hold.items.push({ item, dueAt });
      else if (dueAt > now) this.#startHold(tpKey, topic, partition, { item, dueAt }, now);
      else this.#route(item);
    }
    if (this.#settings.lingerMs === 0) for (const batch of [...this.#open.values()]) this.#close(batch);
    await this.#backpressure();
    if (this.#fatal) throw this.#fatal;
  }

  async preCommit(current: SinkOffsets): Promise<SinkOffsets> {
    const safe: SinkOffsets = new Map();
    for (const [key, position] of current) {
      const lowest = this.#pending.lowestPending(position.topic, position.partition);
      safe.set(key, { ...position, offset: lowest ?? position.offset });
    }
    return safe;
  }

  async close(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const tpKey = topicPartitionKey(tp.topic, tp.partition);
      for (const [key, batch] of this.#open)
        if (batch.tpKey === tpKey) {
          if (batch.timer) clearTimeout(batch.timer);
          this.#open.delete(key);
        }
      const hold = this.#holds.get(tpKey);
      if (hold?.timer) clearTimeout(hold.timer);
      this.#holds.delete(tpKey);
      this.#partitionQueues.delete(tpKey);
      this.#paused.delete(tpKey);
      this.#pending.forget(tp.topic, tp.partition);
    }
    this.#notify();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    for (const batch of this.#open.values()) if (batch.timer) clearTimeout(batch.timer);
    for (const hold of this.#holds.values()) if (hold.timer) clearTimeout(hold.timer);
    this.#open.clear();
    this.#holds.clear();
    this.#notify();
    await Promise.allSettled([...this.#running]);
    await this.#client?.close();
  }

  // --- batching --------------------------------------------------------------------------------

  #current(item: Item): boolean {
    return item.pending.live && !this.#signal.aborted;
  }

  #finish(item: Item): void {
    if (this.#current(item)) item.pending.finish(item.seq);
  }

  #route(item: Item): void {
    const s = this.#settings;
    const record = item.record;
    if (record.value === null || record.value === undefined) {
      if (s.onNull === 'ignore') {
        this.stats.dropped++;
        this.#finish(item);
      } else if (s.onNull === 'fail') {
        this.#track(
          this.#deadLetter([item], {
            status: -1,
            error: 'the record value is null and behavior.on.null.values=fail',
          }),
        );
      } else this.#enqueue(this.#newBatch(item, 'DELETE', ''));
      return;
    }
    let part: string;
    try {
      part = bodyPart(record.value, s);
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      this.#track(this.#deadLetter([item], { status: -1, error: err.message }));
      return;
    }
    const tpKey = topicPartitionKey(record.originalTopic, record.originalKafkaPartition);
    let url = '';
    let key = tpKey;
    if (!this.#staticTarget) {
      url = this.#url(record);
      const headerKey = this.#staticHeaders ? '' : this.#headers.map(([, t]) => t(record)).join('\n');
      key = `${tpKey}\n${url}\n${headerKey}`;
    }
    let batch = this.#open.get(key);
    if (!batch) {
      batch = this.#newBatch(item, this.#settings.method, url);
      this.#open.set(key, batch);
      if (s.lingerMs > 0) {
        const b = batch;
        b.timer = setTimeout(() => this.#close(b), s.lingerMs);
      }
    }
    batch.items.push(item);
    batch.parts.push(part);
    if (batch.items.length >= s.batchMaxSize) this.#close(batch);
  }

  #newBatch(first: Item, method: string, url: string): Batch {
    const r = first.record;
    const headers: Record<string, string> = {};
    for (const [name, template] of this.#headers) headers[name] = template(r);
    const batch: Batch = {
      tpKey: topicPartitionKey(r.originalTopic, r.originalKafkaPartition),
      topic: r.originalTopic,
      partition: r.originalKafkaPartition,
      stage: first.stage,
      url: url || this.#url(r),
      method,
      headers,
      items: [],
      parts: [],
      timer: null,
    };
    if (method === 'DELETE') {
      batch.items.push(first);
      delete headers['Content-Type'];
    }
    return batch;
  }

  #close(batch: Batch): void {
    if (batch.timer) clearTimeout(batch.timer);
    batch.timer = null;
    for (const [key, open] of this.#open)
      if (open === batch) {
        this.#open.delete(key);
        break;
      }
    this.#enqueue(batch);
  }

  #enqueue(batch: Batch): void {
    if (this.#settings.retryMode === 'blocking') {
      const queue = this.#partitionQueues.get(batch.tpKey) ?? [];
      queue.push(batch);
      this.#partitionQueues.set(batch.tpKey, queue);
      this.#runPartition(batch.tpKey);
    } else {
      this.#track(this.#deliver(batch));
    }
  }

  #runPartition(tpKey: string): void {
    if (this.#partitionBusy.has(tpKey)) return;
    const next = this.#partitionQueues.get(tpKey)?.shift();
    if (!next) return;
    this.#partitionBusy.add(tpKey);
    this.#track(
      this.#deliver(next).finally(() => {
        this.#partitionBusy.delete(tpKey);
        if (!this.#signal.aborted) this.#runPartition(tpKey);
      }),
    );
  }

  #track(work: Promise<void>): void {
    const p = work.catch((err: unknown) => {
      this.#fatal ??= err instanceof Error ? err : new Error(String(err));
      this.#context.logger.error({ err }, 'HTTP sink delivery failed');
    });
    this.#running.add(p);
    void p.finally(() => {
      this.#running.delete(p);
      this.#notify();
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Waits while too many batches are posting or waiting for a slot. */
  async #backpressure(): Promise<void> {
    const limit = this.#settings.maxInFlight * 2;
    while (!this.#signal.aborted && !this.#fatal && this.#runnable() >= limit) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #runnable(): number {
    let queued = 0;
    for (const [tpKey, queue] of this.#partitionQueues) if (!this.#paused.has(tpKey)) queued += queue.length;
    return this.#active + queued;
  }

  // --- retry stage holds -----------------------------------------------------------------------

  #startHold(tpKey: string, topic: string, partition: number, first: Hold['items'][0], now: number): void {
    const hold: Hold = { topic, partition, items: [first], timer: null };
    this.#holds.set(tpKey, hold);
    this.#context.pause({ topic, partition });
    this.#schedule(tpKey, hold, first.dueAt - now);
  }

  #schedule(tpKey: string, hold: Hold, waitMs: number): void {
    this.#context.timeout(Math.max(1, waitMs));
    hold.timer = setTimeout(() => this.#release(tpKey, hold), Math.max(1, waitMs));
  }

  /** Sends the held records that are due; resumes the partition once none is left. */
  #release(tpKey: string, hold: Hold): void {
    hold.timer = null;
    if (this.#holds.get(tpKey) !== hold || this.#signal.aborted) return;
    const now = Date.now();
    while (hold.items.length > 0 && hold.items[0]!.dueAt <= now) this.#route(hold.items.shift()!.item);
    if (this.#settings.lingerMs === 0) for (const batch of [...this.#open.values()]) this.#close(batch);
    if (hold.items.length > 0) {
      this.#schedule(tpKey, hold, hold.items[0]!.dueAt - now);
      return;
    }
    this.#holds.delete(tpKey);
    this.#context.resume({ topic: hold.topic, partition: hold.partition });
  }

  // --- delivery --------------------------------------------------------------------------------

  #backoff(retry: number): number {
    const s = this.#settings;
    if (!s.exponentialBackoff) return Math.min(s.backoffMs, s.backoffMaxMs);
    const exp = Math.min(s.backoffMs * 2 ** (retry - 1), s.backoffMaxMs);
    return Math.round(exp * (0.8 + Math.random() * 0.4));
  }

  async #post(batch: Batch, body: string | null): Promise<SendOutcome> {
    this.#active++;
    await this.#slots.acquire();
    try {
      this.stats.requests++;
      return await this.#client.send(
        { url: batch.url, method: batch.method, headers: batch.headers, body },
        this.#signal,
      );
    } finally {
      this.#slots.release();
      this.#active--;
      this.#notify();
    }
  }

  /** Posts a batch with in-task retries, then hands its records on if it still fails. */
  async #deliver(batch: Batch): Promise<void> {
    const s = this.#settings;
    const body = batch.method === 'DELETE' ? null : requestBody(batch.parts, s);
    const blocking = s.retryMode === 'blocking';
    let retries = 0;
    let round = 0;
    const live = (): boolean => batch.items.length > 0 && this.#current(batch.items[0]!);
    try {
      for (;;) {
        if (!live()) return;
        const outcome = await this.#post(batch, body);
        if (!live()) return;
        if (outcome.ok) {
          this.stats.delivered += batch.items.length;
          for (const item of batch.items) this.#finish(item);
          return;
        }
        this.stats.failedRequests++;
        const now = Date.now();
        const failure: Failure = {
          status: outcome.status,
          error: outcome.error,
          ...(outcome.retryAfterMs !== undefined ? { notBeforeMs: now + outcome.retryAfterMs } : {}),
        };
        if (!outcome.retryable) {
          await this.#deadLetter(batch.items, failure);
          return;
        }
        retries++;
        const wait = Math.max(this.#backoff(retries), outcome.retryAfterMs ?? 0);
        if (retries <= s.maxRetries && wait <= s.backoffMaxMs) {
          this.#context.logger.debug({ url: batch.url, wait, error: outcome.error }, 'retrying request');
          if (!(await sleep(wait, this.#signal))) return;
          continue;
        }
        if (!blocking) {
          await this.#handOff(batch.items, failure, batch.stage + 1);
          return;
        }
        if (round >= s.retryStages.length) {
          await this.#deadLetter(batch.items, failure);
          return;
        }
        this.#pausePartition(batch);
        const delay = Math.max(s.retryStages[round]!.delayMs, outcome.retryAfterMs ?? 0);
        this.#context.logger.warn(
          { topic: batch.topic, partition: batch.partition, delay, error: outcome.error },
          'partition paused: retrying the failed batch in place (retry.mode=blocking)',
        );
        round++;
        retries = 0;
        if (!(await sleep(delay, this.#signal))) return;
      }
    } finally {
      if (blocking) this.#resumePartition(batch);
    }
  }

  #pausePartition(batch: Batch): void {
    if (this.#paused.has(batch.tpKey)) return;
    this.#paused.add(batch.tpKey);
    this.#context.pause({ topic: batch.topic, partition: batch.partition });
  }

  #resumePartition(batch: Batch): void {
    if (!this.#paused.delete(batch.tpKey)) return;
    if (!this.#signal.aborted) this.#context.resume({ topic: batch.topic, partition: batch.partition });
  }

  /** Writes records to the retry topic of `stage`, or to the dead-letter topic after the last stage. */
  async #handOff(items: readonly Item[], failure: Failure, stage: number): Promise<void> {
    const stages = this.#settings.retryStages;
    if (stage >= stages.length) {
      await this.#deadLetter(items, failure);
      return;
    }
    const now = Date.now();
    const records = items.map((item) =>
      handOffRecord(
        item.record,
        item.retry,
        failure,
        { topic: retryTopicName(item.mainTopic, stages[stage]!), deadLetter: false },
        { connectorName: this.#context.connectorName, taskId: this.#context.taskId, now },
      ),
    );
    if (!(await this.#write(records, items))) return;
    this.stats.toRetryTopics += items.length;
    for (const item of items) this.#finish(item);
  }

  /** Dead-letter topic, else the runtime's errant record reporter, else behavior.on.error. */
  async #deadLetter(items: readonly Item[], failure: Failure): Promise<void> {
    const s = this.#settings;
    if (s.deadLetterTopic) {
      const now = Date.now();
      const records = items.map((item) =>
        handOffRecord(
          item.record,
          item.retry,
          failure,
          { topic: s.deadLetterTopic!, deadLetter: true },
          { connectorName: this.#context.connectorName, taskId: this.#context.taskId, now },
        ),
      );
      if (!(await this.#write(records, items))) return;
    } else if (this.#context.errantRecordReporter) {
      for (const item of items)
        await this.#context.errantRecordReporter.report(item.record, new Error(failure.error));
    } else if (s.onError === 'fail') {
      const first = items[0]!.record;
      this.#fatal ??= new ConnectError(
        `could not deliver ${items.length} record(s) from ${first.originalTopic}-${first.originalKafkaPartition} at offset ${first.originalKafkaOffset} and no dead-letter topic is configured (behavior.on.error=fail): ${failure.error}`,
      );
      return;
    } else if (s.onError === 'log') {
      for (const item of items)
        this.#context.logger.error(
          {
            topic: item.record.originalTopic,
            partition: item.record.originalKafkaPartition,
            offset: String(item.record.originalKafkaOffset),
          },
          `record not delivered: ${failure.error}`,
        );
    }
    this.stats.deadLettered += items.length;
    for (const item of items) this.#finish(item);
  }

  /**
   * Writes to Kafka (acks=all), retrying until it succeeds or the task stops; false if it stopped,
   * or if the broker refused the records for good (retrying cannot fix it): the task then fails
   * with the broker's reason, nothing past those records committed.
   */
  async #write(
    records: Parameters<SinkTaskContext['kafka']['send']>[0],
    items: readonly Item[],
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      if (!items.some((item) => this.#current(item))) return false;
      try {
        await this.#context.kafka.send(records);
        return true;
      } catch (err) {
        const refused = refusedForGood(err);
        if (refused) {
          const first = items[0]!.record;
          this.#fatal ??= new ConnectError(
            `could not write ${records.length} record(s) from ${first.originalTopic}-${first.originalKafkaPartition} at offset ${first.originalKafkaOffset} to ${records[0]?.topic}: the broker refused them (${refused.code}: ${refused.message})`,
          );
          return false;
        }
        this.#context.logger.warn(
          { err, topic: records[0]?.topic },
          'writing to a retry/dead-letter topic failed; retrying',
        );
        const wait = HAND_OFF_BACKOFF_MS[Math.min(attempt, HAND_OFF_BACKOFF_MS.length - 1)]!;
        if (!(await sleep(wait, this.#signal))) return false;
      }
    }
  }
}

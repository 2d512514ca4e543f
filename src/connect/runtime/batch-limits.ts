/**
 * How large a record batch a Connect task sends to a topic: at most DEFAULT_BATCH_BYTES, and less
 * when the topic's `max.message.bytes` (its own, or the broker's default) is lower, since a broker
 * refuses a batch over it with MESSAGE_TOO_LARGE; a generous estimate of a record's size in a
 * batch; and the cutting of a list of records into runs that fit. Used by source tasks
 * (source-task-runner.ts) and by the records tasks write to topics of their own (task-kafka.ts:
 * retry and dead-letter topics). Not done: learning a limit from a refusal (the limit is read once
 * per topic; a topic altered to a lower one afterwards fails the send).
 */
import { type Admin, ConfigResourceTypes } from '@platformatic/kafka';

/** Kafka's producer sends 16 KiB batches by default; larger ones cost worker and broker far less per record. */
export const DEFAULT_BATCH_BYTES = 512 * 1024;
/** What a record batch holds besides its records (the v2 batch header). */
export const BATCH_HEADER_BYTES = 61;

/**
 * The most record bytes a batch may hold, per topic: `cap`, or less where the topic's
 * `max.message.bytes` says so. `learn` reads a topic's limit once (DescribeConfigs); a broker that
 * does not say (no DESCRIBE_CONFIGS on the topic, or no answer) leaves `cap`.
 */
export class TopicBatchLimits {
  readonly #admin: Admin;
  readonly #cap: number;
  /** Topics learnt, with their limit when it is below the cap. */
  readonly #below = new Map<string, number>();
  readonly #learnt = new Set<string>();

  constructor(admin: Admin, cap: number = DEFAULT_BATCH_BYTES) {
    this.#admin = admin;
    this.#cap = cap;
  }

  async learn(topic: string): Promise<void> {
    if (this.#learnt.has(topic)) return;
    const described = await this.#admin
      .describeConfigs({
        resources: [
          {
            resourceType: ConfigResourceTypes.TOPIC,
            resourceName: topic,
            configurationKeys: ['max.message.bytes'],
          },
        ],
      })
      .catch(() => []);
    const value = Number(described[0]?.configs.find((c) => c.name === 'max.message.bytes')?.value);
    if (Number.isSafeInteger(value) && value > 0 && value - BATCH_HEADER_BYTES < this.#cap)
      this.#below.set(topic, Math.max(1, value - BATCH_HEADER_BYTES));
    this.#learnt.add(topic);
  }

  /** The topic's limit (`cap` for a topic not learnt). */
  readonly limit = (topic: string): number => this.#below.get(topic) ?? this.#cap;
}

type Bytes = { readonly length: number } | string;

function byteLength(b: Bytes): number {
  return typeof b === 'string' ? Buffer.byteLength(b) : b.length;
}

/**
 * At least a record's size in a batch: its key, value and headers, and 64 bytes (10 a header) of
 * lengths and deltas.
 */
export function recordBytes(
  keyBytes: number,
  valueBytes: number,
  headers: readonly (readonly [Bytes, Bytes | null])[] | undefined,
): number {
  let n = keyBytes + valueBytes + 64;
  if (headers !== undefined)
    for (const [k, v] of headers) n += byteLength(k) + (v === null ? 0 : byteLength(v)) + 10;
  return n;
}

/**
 * `records` cut in order into runs whose sizes add up to at most the smallest `limit` of their
 * topics (a record larger than that alone).
 */
export function fittingRuns<T>(
  records: readonly T[],
  sizeOf: (record: T) => number,
  topicOf: (record: T) => string,
  limit: (topic: string) => number,
): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let bytes = 0;
  let cap = Number.POSITIVE_INFINITY;
  for (const r of records) {
    const size = sizeOf(r);
    const next = Math.min(cap, limit(topicOf(r)));
    if (run.length > 0 && bytes + size > next) {
      runs.push(run);
      run = [];
      bytes = 0;
      cap = limit(topicOf(r));
    } else cap = next;
    run.push(r);
    bytes += size;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

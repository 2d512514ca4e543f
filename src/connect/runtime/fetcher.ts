/**
 * One round of Fetch requests for a set of topic partitions at given positions, without a consumer
 * group's help (the group, when there is one, only hands out assignments): requests go to each
 * partition's leader in parallel; the caller gets the records and the positions after them, and
 * decides when to apply both. A position outside the log moves to the nearest valid offset
 * (earliest or latest per `resetTo` when it is before the start... as Kafka's auto.offset.reset).
 * How much one round may bring is the consumer's `max.partition.fetch.bytes` and `fetch.max.bytes`
 * (`FetchLimits`, Kafka's defaults unless given); as in Kafka, a partition's first batch comes
 * whole even when it is larger.
 */
import type { Consumer } from '@platformatic/kafka';
import { type ConsumedRecord, nextFetchOffset, recordsFromBatches } from '../../client/consumed-record.ts';

const OFFSET_OUT_OF_RANGE = 1;

/** Kafka consumer's `max.partition.fetch.bytes` and `fetch.max.bytes`. */
export interface FetchLimits {
  partitionMaxBytes: number;
  maxBytes: number;
}

/** Kafka's defaults: 1 MiB per partition, 50 MiB per response. */
export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  partitionMaxBytes: 1024 * 1024,
  maxBytes: 50 * 1024 * 1024,
};

export interface FetchRound {
  records: ConsumedRecord[];
  /** topic → partition → next position (only partitions that answered without error). */
  positions: Map<string, Map<number, bigint>>;
  /** Partitions that answered with an error other than out-of-range. */
  failed: number;
}

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

export class Fetcher {
  readonly #consumer: Consumer;
  readonly #limits: FetchLimits;
  #forceMetadata = false;

  constructor(consumer: Consumer, limits: FetchLimits = DEFAULT_FETCH_LIMITS) {
    this.#consumer = consumer;
    this.#limits = limits;
  }

  /** Fetches once from `positions` (topic → partition → offset); waits up to `maxWaitMs` for data. */
  async fetch(
    positions: ReadonlyMap<string, ReadonlyMap<number, bigint>>,
    maxWaitMs: number,
  ): Promise<FetchRound> {
    const round: FetchRound = { records: [], positions: new Map(), failed: 0 };
    const topics = [...positions.keys()].filter((t) => (positions.get(t)?.size ?? 0) > 0);
    if (topics.length === 0) return round;
    const metadata = await this.#consumer.metadata({ topics, forceUpdate: this.#forceMetadata });
    this.#forceMetadata = false;
    // leader → topic → partitions
    const byLeader = new Map<number, Map<string, number[]>>();
    for (const topic of topics) {
      const info = metadata.topics.get(topic);
      if (!info) {
        round.failed++;
        this.#forceMetadata = true;
        continue;
      }
      for (const partition of positions.get(topic)!.keys()) {
        const leader = info.partitions[partition]?.leader ?? -1;
        if (leader < 0) {
          round.failed++;
          this.#forceMetadata = true;
          continue;
        }
        const perTopic = byLeader.get(leader) ?? new Map<string, number[]>();
        perTopic.set(topic, [...(perTopic.get(topic) ?? []), partition]);
        byLeader.set(leader, perTopic);
      }
    }
    const responses = await Promise.all(
      [...byLeader].map(async ([node, perTopic]) => {
        try {
          return await this.#consumer.fetch({
            node,
            topics: [...perTopic].map(([topic, partitions]) => ({
              topicId: metadata.topics.get(topic)!.id,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: positions.get(topic)!.get(partition)!,
                partitionMaxBytes: this.#limits.partitionMaxBytes,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            })),
            maxWaitTime: maxWaitMs,
            minBytes: 1,
            maxBytes: this.#limits.maxBytes,
            isolationLevel: 1,
          });
        } catch (err) {
          const response = (err as { response?: FetchResponse }).response;
          if (!response) throw err;
          return response;
        }
      }),
    );
    const idToName = new Map([...metadata.topics].map(([name, info]) => [info.id, name]));
    const outOfRange = new Map<string, number[]>();
    for (const response of responses) {
      for (const topicResponse of response.responses) {
        const topic = idToName.get(topicResponse.topicId) ?? (topicResponse as { name?: string }).name ?? '';
        const own = positions.get(topic);
        if (!own) continue;
        for (const p of topicResponse.partitions) {
          const position = own.get(p.partitionIndex);
          if (position === undefined) continue;
          if (p.errorCode === OFFSET_OUT_OF_RANGE) {
            outOfRange.set(topic, [...(outOfRange.get(topic) ?? []), p.partitionIndex]);
            continue;
          }
          if (p.errorCode !== 0) {
            round.failed++;
            this.#forceMetadata = true;
            continue;
          }
          const batches = p.records ?? [];
          round.records.push(
            ...recordsFromBatches(topic, p.partitionIndex, batches, position, p.abortedTransactions ?? []),
          );
          const next = round.positions.get(topic) ?? new Map<number, bigint>();
          next.set(p.partitionIndex, nextFetchOffset(batches, position));
          round.positions.set(topic, next);
        }
      }
    }
    for (const [topic, partitions] of outOfRange) {
      const [earliest, latest] = await Promise.all(
        [-2n, -1n].map((timestamp) =>
          this.#consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions }, timestamp }),
        ),
      );
      const next = round.positions.get(topic) ?? new Map<number, bigint>();
      for (const p of partitions) {
        const low = earliest?.get(topic)?.[p] ?? 0n;
        const high = latest?.get(topic)?.[p] ?? 0n;
        const position = positions.get(topic)!.get(p)!;
        next.set(p, position < low ? low : position > high ? high : position);
      }
      round.positions.set(topic, next);
    }
    return round;
  }
}

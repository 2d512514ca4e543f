/**
 * Reads chosen partitions of a topic from chosen offsets without a consumer group (like a Java
 * consumer using `assign()`): Fetch requests go to each partition's leader, positions advance as
 * records arrive, and waiting for new records uses the broker's long poll. Nothing is committed.
 * A position that fell out of the log (retention) moves to the nearest valid offset.
 */
import { type Consumer, ProtocolError } from '@platformatic/kafka';
import { type ConsumedRecord, nextFetchOffset, recordsFromBatches } from './consumed-record.ts';

export interface PartitionReaderOptions {
  consumer: Consumer;
  topic: string;
  /** partition → first offset to read. */
  positions: Map<number, bigint>;
  signal?: AbortSignal;
  /** How long the broker may hold a fetch open waiting for records. */
  maxWaitMs?: number;
  isolationLevel?: 0 | 1;
  /** Bytes asked for per partition and fetch (default 4 MiB); a first batch larger than this still comes. */
  partitionMaxBytes?: number;
}

const PARTITION_MAX_BYTES = 4 * 1024 * 1024;
const OFFSET_OUT_OF_RANGE = 1;
/** Consecutive failed rounds (about 200 ms apart) before giving up on a partition error. */
const MAX_FAILED_ROUNDS = 50;

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;

interface Failure {
  response?: FetchResponse;
}

/** Moves positions that fell outside the log back inside it. */
async function repair(
  consumer: Consumer,
  topic: string,
  positions: Map<number, bigint>,
  partitions: number[],
) {
  const [earliest, latest] = await Promise.all(
    [-2n, -1n].map((timestamp) =>
      consumer.listOffsets({ topics: [topic], partitions: { [topic]: partitions }, timestamp }),
    ),
  );
  for (const p of partitions) {
    const low = earliest?.get(topic)?.[p];
    const high = latest?.get(topic)?.[p];
    const position = positions.get(p) ?? 0n;
    if (low !== undefined && position < low) positions.set(p, low);
    else if (high !== undefined && position > high) positions.set(p, high);
  }
}

export async function* readPartitions(options: PartitionReaderOptions): AsyncGenerator<ConsumedRecord> {
  const { consumer, topic, positions, signal } = options;
  let forceMetadata = false;
  let failedRounds = 0;
  let lastError = 0;
  while (!signal?.aborted) {
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: forceMetadata });
    forceMetadata = false;
    const info = metadata.topics.get(topic);
    if (!info) throw new Error(`topic ${topic} disappeared`);
    const byLeader = new Map<number, number[]>();
    for (const partition of positions.keys()) {
      const leader = info.partitions[partition]?.leader ?? -1;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const fetches = [...byLeader].map(async ([node, partitions]) => {
      try {
        return await consumer.fetch({
          node,
          topics: [
            {
              topicId: info.id,
              partitions: partitions.map((partition) => ({
                partition,
                fetchOffset: positions.get(partition)!,
                partitionMaxBytes: options.partitionMaxBytes ?? PARTITION_MAX_BYTES,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            },
          ],
          maxWaitTime: options.maxWaitMs ?? 500,
          minBytes: 1,
          maxBytes: (options.partitionMaxBytes ?? PARTITION_MAX_BYTES) * 4,
          isolationLevel: options.isolationLevel ?? 1,
        });
      } catch (err) {
        const response = (err as Failure).response;
        if (!response) throw err;
        return response;
      }
    });
    for (const response of await Promise.all(fetches)) {
      const outOfRange: number[] = [];
      for (const topicResponse of response.responses) {
        for (const p of topicResponse.partitions) {
          const position = positions.get(p.partitionIndex);
          if (position === undefined) continue;
          if (p.errorCode === OFFSET_OUT_OF_RANGE) {
            outOfRange.push(p.partitionIndex);
            continue;
          }
          if (p.errorCode !== 0) {
            forceMetadata = true;
            lastError = p.errorCode;
            continue;
          }
          const batches = p.records ?? [];
          const aborted = p.abortedTransactions ?? [];
          positions.set(p.partitionIndex, nextFetchOffset(batches, position));
          yield* recordsFromBatches(topic, p.partitionIndex, batches, position, aborted);
        }
      }
      if (outOfRange.length > 0) await repair(consumer, topic, positions, outOfRange);
    }
    failedRounds = forceMetadata ? failedRounds + 1 : 0;
    if (failedRounds > MAX_FAILED_ROUNDS) throw new ProtocolError(lastError);
    if (forceMetadata) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
